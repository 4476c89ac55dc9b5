"""Operations after go-live (004 §8, 003 售后阶段): incidents (突发事件), on-site service (现场服务)
and out-of-warranty repair (保外维修), monthly inspections (每月巡检), holiday duty rosters
(长假值班), and the complaint flag on tickets (客户投诉)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from pmis.org.models import Province
from projects.models import Project


class Branch(models.Model):
    """A branch office (分支机构 / 办事处) of the company. Where one covers the customer's province,
    an engineer is on site within the short target (004 §8: 1 hour), elsewhere the long one (48 hours)."""

    name = models.CharField("名称", max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="branches", verbose_name="所在省份")
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "分支机构"
        verbose_name_plural = "分支机构（按省份）"
        ordering = ["province__region__sort_order", "province_id", "name"]
        indexes = [models.Index(fields=["province", "active"], name="branch_province")]

    def __str__(self) -> str:
        return f"{self.name}（{self.province}）"


class Incident(FSMModelMixin, models.Model):
    """突发事件 / 故障 (004 §8.1.3): reported, handled by the PM's team, escalated to the 应急小组 when
    not solved within the escalation time, recovered (service first), then a 事故报告 reviewed by
    the 应急小组 and archived."""

    class Channel(models.TextChoices):
        MEETING = "meeting", "会面"
        PHONE = "phone", "电话"
        EMAIL = "email", "邮件"
        IM = "im", "即时通讯"

    class Level(models.TextChoices):
        # 004 §8.1.3: the numbers are the outage-clock thresholds of policies incident-level-2 / -1.
        FIRST = "1", "一级"
        SECOND = "2", "二级"
        THIRD = "3", "三级"

    class State(models.TextChoices):
        HANDLING = "handling", "处理中"
        ESCALATED = "escalated", "已升级应急小组"
        RECOVERED = "recovered", "已恢复，待事故报告"
        REPORT_REVIEW = "report_review", "事故报告待审阅"
        ARCHIVED = "archived", "已归档"

    number = models.CharField("事件编号", max_length=32, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="incidents", verbose_name="项目")
    ticket = models.ForeignKey(
        "aftersales.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源售后问题",
    )
    title = models.CharField("事件", max_length=200)
    reporter = models.CharField("报告人", max_length=50)
    channel = models.CharField("报告方式", max_length=16, choices=Channel.choices)
    reported_at = models.DateTimeField("报告时间")
    outage_started_at = models.DateTimeField("停止服务开始", help_text="停服计时的起点，用于定级")
    symptoms = models.TextField("故障现象")
    level = models.CharField("事件级别", max_length=1, choices=Level.choices)
    proposed_level = models.CharField("建议升级为", max_length=1, choices=Level.choices, blank=True)
    vendor_cause = models.BooleanField(
        "集成或厂商原因", default=False, help_text="经分析为集成或产品原因，由应急小组联系集成商或厂商"
    )
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.HANDLING, protected=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="当前处理人",
        help_text="项目经理；长假期间为值班人员",
    )
    escalate_due_at = models.DateTimeField("升级时限")
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    recovered_at = models.DateTimeField("恢复时间", null=True, blank=True)
    recovery_note = models.TextField("恢复说明", blank=True)
    # 事故报告 (004 §8.1.3): cause, fix, how it was solved, prevention
    cause = models.TextField("问题原因", blank=True)
    fix = models.TextField("解决方法", blank=True)
    process = models.TextField("解决经过", blank=True)
    prevention = models.TextField("预防措施", blank=True)
    report_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报告人（事故报告）",
    )
    report_at = models.DateTimeField("报告提交时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    tasks = GenericRelation("approvals.Task", related_query_name="incident")

    class Meta:
        verbose_name = "突发事件"
        verbose_name_plural = "突发事件"
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["escalate_due_at"], condition=Q(state="handling"), name="incident_to_escalate"),
            models.Index(fields=["outage_started_at"], condition=Q(recovered_at__isnull=True), name="incident_outage"),
            models.Index(fields=["project", "-reported_at"], name="incident_project"),
            models.Index(fields=["-reported_at"], name="incident_reported"),
            models.Index(fields=["level", "-reported_at"], name="incident_level"),
            models.Index(fields=["state", "-reported_at"], name="incident_state"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("operations:incident", args=[self.pk])

    @property
    def time_to_recover(self):
        return self.recovered_at - self.outage_started_at if self.recovered_at else None

    @transition(field=state, source=State.HANDLING, target=State.ESCALATED)
    def escalate(self, *, at):
        self.escalated_at = at

    @transition(field=state, source=[State.HANDLING, State.ESCALATED], target=State.RECOVERED)
    def recover(self, *, at, note: str):
        self.recovered_at, self.recovery_note = at, note

    @transition(field=state, source=State.RECOVERED, target=State.REPORT_REVIEW)
    def submit_report(self, *, by, at, cause, fix, process, prevention):
        self.cause, self.fix, self.process, self.prevention = cause, fix, process, prevention
        self.report_by, self.report_at = by, at

    @transition(field=state, source=State.REPORT_REVIEW, target=State.RECOVERED)
    def return_report(self):
        pass

    @transition(field=state, source=State.REPORT_REVIEW, target=State.ARCHIVED)
    def archive(self, *, at):
        self.archived_at = at


class OnsiteVisit(FSMModelMixin, models.Model):
    """现场服务 (004 §8, §8.1.2): phone contact within the contact policy, on site within the short
    target where a branch covers the customer's province, the long one elsewhere; the engineer
    records arrival and departure (from a phone)."""

    class State(models.TextChoices):
        REQUESTED = "requested", "待联系客户"
        CONTACTED = "contacted", "已电话联系，待到场"
        ON_SITE = "on_site", "已到场"
        DONE = "done", "已离场"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="onsite_visits", verbose_name="项目")
    ticket = models.ForeignKey(
        "aftersales.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源售后问题",
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name="客户所在省份")
    address = models.CharField("现场地址", max_length=200)
    reason = models.TextField("现场服务原因")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="onsite_visits", verbose_name="工程师"
    )
    has_branch = models.BooleanField("该省有分支机构")
    requested_at = models.DateTimeField("申请时间")
    contact_due_at = models.DateTimeField("电话联系时限")
    arrival_due_at = models.DateTimeField("到场时限")
    contacted_at = models.DateTimeField("电话联系时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    departed_at = models.DateTimeField("离场时间", null=True, blank=True)
    work_note = models.TextField("现场工作记录", blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.REQUESTED, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    tasks = GenericRelation("approvals.Task", related_query_name="onsite_visit")

    class Meta:
        verbose_name = "现场服务"
        verbose_name_plural = "现场服务"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-requested_at"], name="onsite_project"),
            models.Index(fields=["engineer", "state"], name="onsite_engineer"),
            models.Index(fields=["-requested_at"], name="onsite_requested"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True) | Q(arrived_at__isnull=False), name="onsite_departs_after_arrival"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} 现场服务（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("operations:onsite", args=[self.pk])

    @property
    def arrival_met(self) -> bool | None:
        return None if self.arrived_at is None else self.arrived_at <= self.arrival_due_at

    @property
    def contact_met(self) -> bool | None:
        return None if self.contacted_at is None else self.contacted_at <= self.contact_due_at

    @transition(field=state, source=State.REQUESTED, target=State.CONTACTED)
    def contact(self, *, at):
        self.contacted_at = at

    @transition(field=state, source=[State.REQUESTED, State.CONTACTED], target=State.ON_SITE)
    def arrive(self, *, at):
        self.contacted_at = self.contacted_at or at
        self.arrived_at = at

    @transition(field=state, source=State.ON_SITE, target=State.DONE)
    def depart(self, *, at, note: str):
        self.departed_at, self.work_note = at, note


class Repair(FSMModelMixin, models.Model):
    """保外维修 (004 §8.1.4): on the day the product comes back it is inspected and a
    产品维修检查确认单 filled in; the customer confirms; it goes back within the repair policy."""

    class State(models.TextChoices):
        INSPECTING = "inspecting", "待检查"
        AWAITING_CUSTOMER = "awaiting_customer", "待客户确认"
        REPAIRING = "repairing", "维修中"
        RETURNED = "returned", "已返回"
        DECLINED = "declined", "客户不维修"

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="repairs", verbose_name="项目")
    ticket = models.ForeignKey(
        "aftersales.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源售后问题",
    )
    product = models.CharField("返修产品", max_length=200)
    fault = models.TextField("用户反映的故障现象")
    received_at = models.DateTimeField("收到时间")
    # 产品维修检查确认单
    findings = models.TextField("检查情况（损坏情况）", blank=True)
    cost_estimate = models.CharField("费用（成本费与运费）", max_length=100, blank=True)
    inspected_at = models.DateTimeField("检查时间", null=True, blank=True)
    customer_confirmed_at = models.DateTimeField("客户确认时间", null=True, blank=True)
    customer_contact = models.CharField("确认人", max_length=100, blank=True)
    return_due_at = models.DateTimeField("返回时限", null=True, blank=True)
    returned_at = models.DateTimeField("返回时间", null=True, blank=True)
    state = FSMField("状态", max_length=24, choices=State.choices, default=State.INSPECTING, protected=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="维修人员"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    tasks = GenericRelation("approvals.Task", related_query_name="repair")

    class Meta:
        verbose_name = "保外维修"
        verbose_name_plural = "保外维修"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["project", "-received_at"], name="repair_project")]

    def __str__(self) -> str:
        return f"{self.product} 保外维修（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("operations:repair", args=[self.pk])

    @property
    def return_met(self) -> bool | None:
        if self.returned_at is None or self.return_due_at is None:
            return None
        return self.returned_at <= self.return_due_at

    @transition(field=state, source=State.INSPECTING, target=State.AWAITING_CUSTOMER)
    def inspect(self, *, at, findings, cost_estimate):
        self.inspected_at, self.findings, self.cost_estimate = at, findings, cost_estimate

    @transition(field=state, source=State.AWAITING_CUSTOMER, target=State.REPAIRING)
    def confirm(self, *, at, contact, due_at):
        self.customer_confirmed_at, self.customer_contact, self.return_due_at = at, contact, due_at

    @transition(field=state, source=State.AWAITING_CUSTOMER, target=State.DECLINED)
    def decline(self, *, contact):
        self.customer_contact = contact

    @transition(field=state, source=State.REPAIRING, target=State.RETURNED)
    def send_back(self, *, at):
        self.returned_at = at


class InspectionPlan(models.Model):
    """每月巡检 (004 §8.2.3): the day of the month agreed with the customer, who inspects, and the
    checklist (one item a line)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="inspection_plan", verbose_name="项目"
    )
    day_of_month = models.PositiveSmallIntegerField("巡检日（每月几号）", help_text="1–28，与客户商定")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="巡检人"
    )
    checklist = models.TextField("检查项（每行一项）")
    agreed_with = models.CharField("客户确认人", max_length=100, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "巡检计划"
        verbose_name_plural = "巡检计划"
        constraints = [
            models.CheckConstraint(
                condition=Q(day_of_month__gte=1, day_of_month__lte=28), name="inspection_day_in_every_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} 每月 {self.day_of_month} 日巡检"

    @property
    def items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class Inspection(FSMModelMixin, models.Model):
    """One month's inspection of a project, with its record (one result per checklist item)."""

    class State(models.TextChoices):
        OPEN = "open", "待巡检"
        DONE = "done", "已完成"

    plan = models.ForeignKey(
        InspectionPlan, on_delete=models.CASCADE, related_name="inspections", verbose_name="巡检计划"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inspections", verbose_name="项目")
    month = models.DateField("月份", help_text="该月 1 日")
    scheduled_on = models.DateField("巡检日")
    items = models.JSONField("检查项", default=list)
    results = models.JSONField("检查结果", default=list, help_text="[{item, ok, note}]")
    summary = models.TextField("巡检结论", blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="巡检人",
    )
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="inspection")

    class Meta:
        verbose_name = "巡检记录"
        verbose_name_plural = "巡检记录"
        ordering = ["-month", "project_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="inspection_once_a_month")]
        indexes = [models.Index(fields=["project", "-month"], name="inspection_project")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y年%m月}巡检"

    def get_absolute_url(self) -> str:
        return reverse("operations:inspection", args=[self.pk])

    @property
    def problems(self) -> int:
        return sum(1 for r in self.results if not r.get("ok"))

    @transition(field=state, source=State.OPEN, target=State.DONE)
    def record(self, *, by, at, results, summary):
        self.done_by, self.done_at, self.results, self.summary = by, at, results, summary


class DutyRoster(models.Model):
    """长假值班 (003): the roster of one long holiday (国庆, 春节), its days taken from the calendar."""

    holiday = models.CharField("假期", max_length=32)
    year = models.PositiveSmallIntegerField("年份")
    first_day = models.DateField("首日")
    last_day = models.DateField("末日")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "长假值班表"
        verbose_name_plural = "长假值班表"
        ordering = ["-first_day"]
        constraints = [models.UniqueConstraint(fields=["holiday", "year"], name="duty_roster_once")]
        indexes = [models.Index(fields=["first_day", "last_day"], name="duty_roster_days")]

    def __str__(self) -> str:
        return f"{self.year}年{self.holiday}值班表"

    def get_absolute_url(self) -> str:
        return reverse("operations:duty_roster", args=[self.pk])


class DutyShift(models.Model):
    """Who is on duty for one day of a roster (the whole day, 00:00–24:00)."""

    roster = models.ForeignKey(DutyRoster, on_delete=models.CASCADE, related_name="shifts", verbose_name="值班表")
    day = models.DateField("日期")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="值班人"
    )
    phone = models.CharField("值班电话", max_length=50, blank=True)

    class Meta:
        verbose_name = "值班安排"
        verbose_name_plural = "值班安排"
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["day"], name="duty_one_person_a_day")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.user}"


class Complaint(models.Model):
    """客户投诉 (003 度量考核): a ticket flagged as a customer complaint, counted per month."""

    ticket = models.OneToOneField(
        "aftersales.Ticket", on_delete=models.CASCADE, related_name="complaint", verbose_name="售后问题"
    )
    note = models.TextField("投诉内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "客户投诉"
        verbose_name_plural = "客户投诉"
        indexes = [models.Index(fields=["recorded_at"], name="complaint_recorded")]

    def __str__(self) -> str:
        return f"{self.ticket} 投诉"
