from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Region(models.Model):
    """A sales/delivery region (北方 / 南方). Region-scoped roles hold object permissions on it."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)
    svn_path_template = models.CharField(
        "SVN 路径模板",
        max_length=255,
        help_text="可用占位符：{region}（区域名称）、{year}（立项年份）、{project}（项目名称）。",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["sort_order", "id"]
        permissions = [("act_in_region", "在该区域履职")]

    def __str__(self) -> str:
        return self.name

    def svn_path(self, *, project_name: str, year: int) -> str:
        return self.svn_path_template.format(region=self.name, year=year, project=project_name)


class Province(models.Model):
    name = models.CharField("省份", max_length=32, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces", verbose_name="区域")

    class Meta:
        verbose_name = "省份"
        verbose_name_plural = "省份"
        ordering = ["region__sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级部门"
    )

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. The department doubles as the team: a sales manager decides the
    registrations of sales people in their own department."""

    display_name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号", max_length=20, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="部门",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所属区域",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]
        indexes = [models.Index(fields=["display_name", "id"], name="user_display_name")]  # 通讯录 by name

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        return self.display_name or self.username
