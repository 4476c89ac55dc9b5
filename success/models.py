"""客户成功 / 运营 (000 §3.2, §3.6): cloud product orders, customer-success service requests, the
licence register and SaaS integration requests."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from pmis.catalog.models import Product
from projects.models import DeliveryTask, ProductRequest, Project


class Team(models.TextChoices):
    """The two groups of 客户成功部 (000 §3.6.1–3.6.2); the codes are their role groups."""

    OPS = "cs_ops", "运营客服组"
    SUPPORT = "cs_support", "售后支持组"


class CloudOrder(FSMModelMixin, models.Model):
    """云产品下单申请 (000 §3.2, 项目实施立项后): sales or customer success file it, 商务管理部
    checks the licence and the payment, then assigns 运营中心 / 客户成功部, which opens the service."""

    class Payment(models.TextChoices):
        PAID = "paid", "已全额收款"
        INSTALMENT = "instalment", "按合同分期收款"
        UNPAID = "unpaid", "未收款"
        FREE = "free", "免费 / 试用"

    class State(models.TextChoices):
        PENDING_BUSINESS = "pending_business", "待商务审核"
        PENDING_CONFIRM = "pending_confirm", "待售后支持组确认需求"
        PENDING_OPENING = "pending_opening", "待开通服务"
        OPENED = "opened", "已开通"
        RETURNED = "returned", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"

    number = models.CharField("申请单号", max_length=32, unique=True)
    customer_name = models.CharField("客户名称", max_length=200)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="cloud_orders", verbose_name="项目"
    )
    saas = models.BooleanField("SaaS 客户", default=False, help_text="SaaS 客户的需求由售后支持组确认是否需集成")
    licence_starts_on = models.DateField("授权起始日")
    licence_ends_on = models.DateField("授权截止日")
    payment = models.CharField("收款情况", max_length=16, choices=Payment.choices)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField("说明", blank=True)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_BUSINESS, protected=True)
    team = models.CharField("开通部门", max_length=16, choices=Team.choices, blank=True)
    business_comment = models.TextField("商务审核意见", blank=True)
    opened_note = models.TextField("开通内容", blank=True)
    opened_at = models.DateTimeField("开通时间", null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    tasks = GenericRelation("approvals.Task", related_query_name="cloud_order")

    class Meta:
        verbose_name = "云产品下单申请"
        verbose_name_plural = "云产品下单申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="cloud_order_state"),
            models.Index(fields=["-created_at", "-id"], name="cloud_order_created"),
            models.Index(fields=["project", "-created_at"], name="cloud_order_project"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(licence_ends_on__gt=models.F("licence_starts_on")), name="cloud_order_term_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer_name}"

    def get_absolute_url(self) -> str:
        return reverse("success:order", args=[self.pk])

    @transition(field=state, source=State.PENDING_BUSINESS, target=State.PENDING_OPENING)
    def approve(self, *, team, comment):
        self.team, self.business_comment = team, comment

    @transition(field=state, source=State.PENDING_BUSINESS, target=State.PENDING_CONFIRM)
    def approve_for_confirmation(self, *, comment):
        self.team, self.business_comment = Team.SUPPORT, comment

    @transition(field=state, source=State.PENDING_CONFIRM, target=State.PENDING_OPENING)
    def confirm_need(self):
        pass

    @transition(field=state, source=State.PENDING_BUSINESS, target=State.RETURNED)
    def send_back(self, *, comment):
        self.business_comment = comment

    @transition(field=state, source=State.RETURNED, target=State.PENDING_BUSINESS)
    def resubmit(self, *, note):
        self.note = note

    @transition(field=state, source=State.RETURNED, target=State.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=State.PENDING_OPENING, target=State.OPENED)
    def open_service(self, *, note, at):
        self.opened_note, self.opened_at = note, at


class CloudOrderItem(models.Model):
    order = models.ForeignKey(CloudOrder, on_delete=models.CASCADE, related_name="items", verbose_name="云产品下单申请")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name="产品")
    quantity = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = "下单产品"
        verbose_name_plural = "下单产品"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="cloud_order_item_quantity")]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class Licence(models.Model):
    """授权台账: a licence file issued by 产品管理部 with a product request, or opened by customer
    success with a cloud product order."""

    class Source(models.TextChoices):
        PRODUCT_REQUEST = "product_request", "产品领取单发放"
        CLOUD_ORDER = "cloud_order", "云产品开通"

    customer_name = models.CharField("客户名称", max_length=200)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="licences", verbose_name="项目"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name="产品")
    quantity = models.PositiveIntegerField("授权数量", default=1)
    starts_on = models.DateField("起始日")
    expires_on = models.DateField("到期日")
    source = models.CharField("来源", max_length=32, choices=Source.choices)
    product_request = models.ForeignKey(
        ProductRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="产品领取单"
    )
    cloud_order = models.ForeignKey(
        CloudOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="licences", verbose_name="云产品下单"
    )
    file = models.ForeignKey(
        "documents.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="授权文件",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权台账"
        ordering = ["expires_on", "id"]
        indexes = [
            models.Index(fields=["expires_on", "id"], name="licence_expires"),
            models.Index(fields=["project", "expires_on"], name="licence_project"),
            models.Index(fields=["customer_name"], name="licence_customer"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("starts_on")), name="licence_term_positive")
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} · {self.product}（至 {self.expires_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("success:licences") + f"?q={self.customer_name}"


class LicenceReminder(models.Model):
    """The ledger of renewal reminders: one row per licence, expiry date and threshold, so a
    reminder job run twice reminds once."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="reminders", verbose_name="授权")
    expires_on = models.DateField("到期日")
    days_before = models.PositiveSmallIntegerField("提前天数")
    sent_at = models.DateTimeField("提醒时间", auto_now_add=True)

    class Meta:
        verbose_name = "授权到期提醒"
        verbose_name_plural = "授权到期提醒"
        constraints = [
            models.UniqueConstraint(fields=["licence", "expires_on", "days_before"], name="licence_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.licence} 到期前 {self.days_before} 天提醒"


class ServiceRequest(FSMModelMixin, models.Model):
    """客户服务申请 (000 §3.6.1–3.6.2): filed by customer-success staff for a customer, worked by
    运营客服组 or 售后支持组 to a recorded result within its type's deadline."""

    class Type(models.TextChoices):
        SEAL = "seal", "印章业务办理"
        LICENCE_RENEWAL = "licence_renewal", "授权文件续期"
        API_CHANNEL = "api_channel", "接口通道开通"
        CERTIFICATE_REPORT = "certificate_report", "出证报告开具"
        USAGE_GUIDANCE = "usage_guidance", "客户使用指导"
        OTHER = "other", "其他服务"

    class State(models.TextChoices):
        PENDING = "pending", "待受理"
        IN_PROGRESS = "in_progress", "办理中"
        DONE = "done", "已办结"
        CANCELLED = "cancelled", "已取消"

    number = models.CharField("申请单号", max_length=32, unique=True)
    type = models.CharField("服务类型", max_length=32, choices=Type.choices)
    team = models.CharField("办理部门", max_length=16, choices=Team.choices)
    customer_name = models.CharField("客户名称", max_length=200)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name="项目",
    )
    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, null=True, blank=True, related_name="renewals", verbose_name="授权"
    )
    # the expiry a renewal was opened for by the reminder job: one automatic renewal per licence and expiry
    auto_for_expiry = models.DateField("自动续期对应到期日", null=True, blank=True)
    details = models.JSONField("申请内容", default=dict, blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PENDING, protected=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办理人",
    )
    result = models.TextField("办理结果", blank=True)
    due_at = models.DateTimeField("办理时限", null=True, blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    tasks = GenericRelation("approvals.Task", related_query_name="service_request")

    class Meta:
        verbose_name = "客户服务申请"
        verbose_name_plural = "客户服务申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "state", "due_at"], name="service_team_state"),
            models.Index(fields=["due_at", "id"], name="service_due"),
            models.Index(fields=["-created_at", "-id"], name="service_created"),
            models.Index(fields=["team", "done_at"], name="service_team_done"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "auto_for_expiry"],
                condition=Q(auto_for_expiry__isnull=False),
                name="service_one_auto_renewal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_type_display()} · {self.customer_name}"

    def get_absolute_url(self) -> str:
        return reverse("success:request", args=[self.pk])

    def is_overdue(self, now) -> bool:
        return (
            self.state in (self.State.PENDING, self.State.IN_PROGRESS)
            and self.due_at is not None
            and self.due_at <= now
        )

    @transition(field=state, source=State.PENDING, target=State.IN_PROGRESS)
    def start(self, *, by):
        self.handler = by

    @transition(field=state, source=[State.PENDING, State.IN_PROGRESS], target=State.DONE)
    def finish(self, *, by, result, at):
        self.handler, self.result, self.done_at = by, result, at

    @transition(field=state, source=[State.PENDING, State.IN_PROGRESS], target=State.CANCELLED)
    def cancel(self, *, reason, at):
        self.result, self.done_at = reason, at


class IntegrationRequest(FSMModelMixin, models.Model):
    """实施集成申请 (000 §3.6.2): 售后支持组 asks 项目实施部 to integrate a SaaS customer's confirmed
    need; the integration runs as a 系统集成 delivery task on the project, after which the project is
    handed back to 售后支持组 through the handover flow."""

    class State(models.TextChoices):
        PENDING_PMO = "pending_pmo", "待项目实施部受理"
        INTEGRATING = "integrating", "集成中"
        INTEGRATED = "integrated", "已集成，待移交"
        DECLINED = "declined", "项目实施部退回"

    order = models.OneToOneField(
        CloudOrder, on_delete=models.PROTECT, related_name="integration", verbose_name="云产品下单申请"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="integration_requests", verbose_name="项目"
    )
    need = models.TextField("集成需求")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PENDING_PMO, protected=True)
    delivery_task = models.OneToOneField(
        DeliveryTask, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="集成任务"
    )
    comment = models.TextField("受理意见", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    integrated_at = models.DateTimeField("集成完成时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="integration_request")

    class Meta:
        verbose_name = "实施集成申请"
        verbose_name_plural = "实施集成申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "-created_at"], name="integration_state")]

    def __str__(self) -> str:
        return f"{self.project} 实施集成申请"

    def get_absolute_url(self) -> str:
        return self.order.get_absolute_url()

    @transition(field=state, source=State.PENDING_PMO, target=State.INTEGRATING)
    def accept(self, *, delivery_task, comment):
        self.delivery_task, self.comment = delivery_task, comment

    @transition(field=state, source=State.PENDING_PMO, target=State.DECLINED)
    def decline(self, *, comment):
        self.comment = comment

    @transition(field=state, source=State.INTEGRATING, target=State.INTEGRATED)
    def complete(self, *, at):
        self.integrated_at = at
