from django.db import models


class ProjectClass(models.TextChoices):
    """000 §2: whether a project carries on-premises deployment."""

    LOCAL = "local", "项目类（本地化）"
    SAAS = "saas", "SaaS 类"
    BOTH = "both", "通用"


class Product(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", "产品"
        SERVICE = "service", "服务"

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.PRODUCT)
    project_class = models.CharField("适用项目", max_length=16, choices=ProjectClass.choices, default=ProjectClass.BOTH)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("在售", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "产品 / 服务"
        verbose_name_plural = "产品目录"
        ordering = ["kind", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Phase(models.TextChoices):
    """Where in a project's life a document belongs (000 §3, 002)."""

    REGISTRATION = "registration", "实施登记"
    INITIATION = "initiation", "立项与交接"
    REQUIREMENTS = "requirements", "需求确认"
    PREPARATION = "preparation", "实施准备"
    IMPLEMENTATION = "implementation", "安装实施"
    TRIAL_RUN = "trial_run", "试运行"
    TRAINING = "training", "用户培训"
    ACCEPTANCE = "acceptance", "项目验收"
    HANDOVER = "handover", "移交"
    AFTERSALES = "aftersales", "售后运维"
    MANAGEMENT = "management", "项目管理"


class DocumentType(models.Model):
    """A form named in the process documents. Attachments are typed by it."""

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    phase = models.CharField("阶段", max_length=32, choices=Phase.choices)
    source = models.CharField("出处", max_length=64, blank=True, help_text="规范文件中的章节")
    description = models.TextField("说明", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "文档类型"
        verbose_name_plural = "文档类型"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name
