from django.conf import settings
from django.db import models

from pmis.org.models import Region


class Project(models.Model):
    """A delivery project (项目). Initiation from a registration, its phases and gates build on
    this; what the registrations need today is a project to file an upgrade against and its PM."""

    class Kind(models.TextChoices):
        LOCAL = "local", "本地化项目"
        SAAS = "saas", "SaaS 项目"

    code = models.CharField("项目编号", max_length=32, unique=True)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("项目类别", max_length=16, choices=Kind.choices)
    customer_name = models.CharField("客户名称", max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects", verbose_name="区域")
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_projects",
        verbose_name="项目经理",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级项目"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "-created_at"], name="project_region_recent")]

    def __str__(self) -> str:
        return self.name
