from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from pmis.catalog.models import Product
from pmis.org.models import Province, Region


class Kind(models.TextChoices):
    LOCAL = "local", "本地化项目"
    SAAS = "saas", "SaaS 项目"
    UPGRADE = "upgrade", "历史项目升级扩展"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING_SALES_MANAGER = "pending_sales_manager", "待销售主管审批"
    PENDING_SPECIAL = "pending_special", "待特批领导审批"
    PENDING_BUSINESS = "pending_business", "待商务审批"
    DISPATCHED = "dispatched", "已派发，待立项"
    INITIATED = "initiated", "已立项"
    RETURNED = "returned", "已退回"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"


PENDING_STATES = (State.PENDING_SALES_MANAGER, State.PENDING_SPECIAL, State.PENDING_BUSINESS)
EDITABLE_STATES = (State.DRAFT, State.RETURNED)


class LocalProductLine(models.TextChoices):
    """001 §3.2.1 提交标题规范: xxx（简称）电子签章/电子合同/数字信任项目立项申请."""

    E_SEAL = "电子签章", "电子签章"
    E_CONTRACT = "电子合同", "电子合同"
    DIGITAL_TRUST = "数字信任", "数字信任"


class EnterpriseNature(models.TextChoices):
    STATE_OWNED = "state_owned", "国有企业"
    PRIVATE = "private", "民营企业"
    FOREIGN = "foreign", "外资企业"
    GOVERNMENT = "government", "政府机关"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    OTHER = "other", "其他"


class SealHandling(models.TextChoices):
    CLOUD = "cloud", "云业务办理平台"
    LOCAL = "local", "本地印章管理平台"


class CertificateForm(models.TextChoices):
    CLOUD = "cloud", "云证书"
    UKEY = "ukey", "UKey 证书"
    EVENT = "event", "事件证书"
    MIXED = "mixed", "多种形态"


SCENARIOS = (
    ("hr", "人事"),
    ("procurement", "采购"),
    ("logistics", "物流"),
    ("oa_document", "OA公文"),
    ("construction_drawing", "住建图纸"),
    ("other", "其他"),
)


def registration_title(kind: str, customer_short_name: str, customer_name: str, product_line: str) -> str:
    """001 提交标题规范: a registration's title from its columns (read without the row, as the search does)."""
    short = customer_short_name or customer_name or "（未填客户简称）"
    if kind == Kind.SAAS:
        return f"{short}SAAS项目立项申请"
    if kind == Kind.UPGRADE:
        return f"{short}项目升级拓展申请"
    return f"{short}{product_line or LocalProductLine.E_SEAL}项目立项申请"


class Registration(FSMModelMixin, models.Model):
    """An implementation registration (实施登记) or, for an existing project, an upgrade issue
    registration (问题登记). Every field of 001 §3.2.1 / §3.3.1 / §3.4.1."""

    kind = models.CharField("登记类别", max_length=16, choices=Kind.choices)
    number = models.CharField("登记号", max_length=32, unique=True, null=True, blank=True)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.DRAFT, protected=True)
    special = models.BooleanField("特批", default=False, help_text="未签合同或未收到首付款，需走特批流程")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations", verbose_name="责任销售"
    )
    presales = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presales_registrations",
        verbose_name="责任售前",
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="所属区域")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name="省份")
    parent_project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="upgrade_registrations",
        verbose_name="原项目",
    )

    # 项目背景：客户基本情况
    customer_name = models.CharField("客户全称", max_length=200, blank=True)
    customer_short_name = models.CharField("客户简称", max_length=50, blank=True)
    product_line = models.CharField(
        "产品类型", max_length=16, choices=LocalProductLine.choices, blank=True, help_text="本地化项目标题用"
    )
    user_scale = models.CharField("用户规模", max_length=100, blank=True, help_text="如：约 3000 名员工")
    signing_volume = models.CharField("签署量", max_length=100, blank=True, help_text="如：每年约 20 万份")
    seal_count = models.PositiveIntegerField("印章数量", null=True, blank=True)
    enterprise_nature = models.CharField("企业性质", max_length=32, choices=EnterpriseNature.choices, blank=True)
    main_business = models.CharField("主营业务", max_length=200, blank=True)

    # 采购产品与服务
    products = models.ManyToManyField(Product, blank=True, related_name="registrations", verbose_name="采购产品及服务")
    service_notes = models.TextField("服务说明", blank=True, help_text="实名认证方式、意愿认证方式、时间戳等")

    # 证书情况
    certificate_form = models.CharField("证书形态", max_length=16, choices=CertificateForm.choices, blank=True)
    certificate_vendor = models.CharField("证书厂商", max_length=100, blank=True)
    channel_order = models.CharField("多通道顺序", max_length=200, blank=True)

    seal_handling = models.CharField(
        "印章办理方式", max_length=16, choices=SealHandling.choices, blank=True, help_text="仅本地化项目"
    )
    scenarios = models.JSONField("应用场景", default=list, blank=True)
    scenario_other = models.CharField("其他场景说明", max_length=200, blank=True)

    customisation_needs = models.TextField("定制化需求", blank=True, help_text="有则必填")
    outsourcing_needs = models.TextField("外采需求", blank=True, help_text="有则必填")

    # 合同状态
    contract_signed = models.BooleanField("合同已签", default=False)
    first_payment_received = models.BooleanField("首笔款项已回", default=False)
    contract_number = models.CharField("合同编号", max_length=64, blank=True)
    contract_amount = models.DecimalField("合同金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    new_contract = models.BooleanField("新签合同", default=False, help_text="仅升级扩展：是否新签合同")

    go_live_date = models.DateField("计划上线时间", null=True, blank=True)
    other_notes = models.TextField("其他说明", blank=True, help_text="其他情况说明、特殊要求等")

    business_review = models.JSONField("商务审核要点", default=dict, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="registration")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    dispatched_at = models.DateTimeField("派发时间", null=True, blank=True)

    class Meta:
        verbose_name = "实施登记"
        verbose_name_plural = "实施登记"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="registration_owner_recent"),
            models.Index(fields=["state", "kind", "region"], name="registration_state_kind"),
            models.Index(fields=["-submitted_at"], name="registration_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="upgrade") | Q(state="draft") | Q(parent_project__isnull=False),
                name="registration_upgrade_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registrations:detail", args=[self.pk])

    @property
    def is_upgrade(self) -> bool:
        return self.kind == Kind.UPGRADE

    @property
    def number_label(self) -> str:
        return "问题登记号" if self.is_upgrade else "实施登记号"

    @property
    def title(self) -> str:
        """001 提交标题规范."""
        return registration_title(self.kind, self.customer_short_name, self.customer_name, self.product_line)

    @property
    def needs_special_approval(self) -> bool:
        """000 §3.1: unsigned contract or first payment not received (local / SaaS)."""
        return self.kind != Kind.UPGRADE and not (self.contract_signed and self.first_payment_received)

    def scenario_labels(self) -> list[str]:
        labels = dict(SCENARIOS)
        names = [labels.get(code, code) for code in self.scenarios if code != "other"]
        if "other" in self.scenarios:
            names.append(f"其他（{self.scenario_other}）" if self.scenario_other else "其他")
        return names

    # -- transitions: bodies touch only this row; services lock, check, audit and open tasks --

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=RETURN_VALUE(State.PENDING_SALES_MANAGER, State.PENDING_BUSINESS),
    )
    def submit(self, *, at):
        self.special = self.needs_special_approval
        self.submitted_at = at
        if self.special or self.is_upgrade:
            return State.PENDING_SALES_MANAGER
        return State.PENDING_BUSINESS

    @transition(
        field=state,
        source=State.PENDING_SALES_MANAGER,
        target=RETURN_VALUE(State.PENDING_SPECIAL, State.PENDING_BUSINESS),
    )
    def approve_sales_manager(self):
        return State.PENDING_SPECIAL if self.special else State.PENDING_BUSINESS

    @transition(field=state, source=State.PENDING_SPECIAL, target=State.PENDING_BUSINESS)
    def approve_special(self):
        pass

    @transition(field=state, source=State.PENDING_BUSINESS, target=State.DISPATCHED)
    def approve_business(self, *, at, review: dict):
        self.business_review = review
        self.dispatched_at = at

    @transition(field=state, source=list(PENDING_STATES), target=State.RETURNED)
    def send_back(self):
        pass

    @transition(field=state, source=list(PENDING_STATES), target=RETURN_VALUE(*PENDING_STATES))
    def send_back_to(self, target: str):
        """退回到指定环节: back to an earlier approval step (the service checks which)."""
        return target

    @transition(field=state, source=list(PENDING_STATES), target=State.REJECTED)
    def reject(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.RETURNED, *PENDING_STATES], target=State.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=State.DISPATCHED, target=State.INITIATED)
    def mark_initiated(self):
        pass


class Stakeholder(models.Model):
    """项目对接干系人."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系方式", max_length=50)
    role = models.CharField("角色", max_length=50, help_text="如：信息中心主任、项目联系人")

    class Meta:
        verbose_name = "对接干系人"
        verbose_name_plural = "对接干系人"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"


class IntegratedSystem(models.Model):
    """对接业务系统 (具体厂商也需注明)."""

    class SystemType(models.TextChoices):
        OA = "OA", "OA"
        ERP = "ERP", "ERP"
        CRM = "CRM", "CRM"
        WMS = "WMS", "WMS"
        MPMIS = "MPMIS", "MPMIS"
        OTHER = "other", "其他"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="systems")
    system_type = models.CharField("系统类型", max_length=16, choices=SystemType.choices)
    name = models.CharField("系统名称及版本", max_length=100, blank=True)
    vendor = models.CharField("厂商", max_length=100)

    class Meta:
        verbose_name = "对接业务系统"
        verbose_name_plural = "对接业务系统"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_system_type_display()}（{self.vendor}）"
