from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from pmis.worktime.models import SlaPolicy
from projects.models import Project


class Handover(FSMModelMixin, models.Model):
    """移交 (000 §3.6–3.7): the PM hands an accepted project to 系统服务部 (local / intranet) or to
    customer success (operated / SaaS, after the 客户成功负责人's approval); the receiver audits
    each material and accepts or returns it."""

    class Route(models.TextChoices):
        SYSTEM_SERVICE = "system_service", "系统服务部（本地化 / 内网项目）"
        CUSTOMER_SUCCESS = "customer_success", "客户成功部（服务运营型 / SaaS 项目）"

    class State(models.TextChoices):
        PENDING_CS_HEAD = "pending_cs_head", "待客户成功负责人审批"
        PENDING_AUDIT = "pending_audit", "待接收方审核材料"
        ACCEPTED = "accepted", "已接收"
        RETURNED = "returned", "已退回"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="handovers", verbose_name="项目")
    route = models.CharField("移交去向", max_length=32, choices=Route.choices)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_AUDIT, protected=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    note = models.TextField("移交说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="handover")

    class Meta:
        verbose_name = "项目移交"
        verbose_name_plural = "项目移交"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} 移交（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("aftersales:handover", args=[self.pk])

    @transition(field=state, source=State.PENDING_CS_HEAD, target=State.PENDING_AUDIT)
    def approve_cs_head(self):
        pass

    @transition(field=state, source=[State.PENDING_CS_HEAD, State.PENDING_AUDIT], target=State.RETURNED)
    def send_back(self, *, by, at):
        self.decided_by, self.decided_at = by, at

    @transition(field=state, source=State.PENDING_AUDIT, target=RETURN_VALUE(State.PENDING_CS_HEAD))
    def send_back_to(self, target: str):
        """退回到指定环节: the receiver sends it back to the 客户成功负责人's approval."""
        return target

    @transition(field=state, source=State.PENDING_AUDIT, target=State.ACCEPTED)
    def accept(self, *, by, at):
        self.decided_by, self.decided_at = by, at


class HandoverItem(models.Model):
    """One material of the handover checklist, audited by the receiver."""

    class Verdict(models.TextChoices):
        PENDING = "pending", "待审核"
        OK = "ok", "合格"
        MISSING = "missing", "缺失"
        WRONG = "wrong", "有误"

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("材料代码", max_length=64)
    name = models.CharField("材料", max_length=100)
    present = models.BooleanField("提交时已有", default=False)
    verdict = models.CharField("审核结果", max_length=16, choices=Verdict.choices, default=Verdict.PENDING)
    note = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "移交材料"
        verbose_name_plural = "移交材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Ticket(FSMModelMixin, models.Model):
    """售后问题: the 问题申报单 of 004 §8.2.4, worked under the SLA of its severity (003)."""

    class Channel(models.TextChoices):
        PHONE = "phone", "电话"
        EMAIL = "email", "邮件"
        IM = "im", "即时通讯"
        ONSITE = "onsite", "现场"
        WEB = "web", "网站"

    class State(models.TextChoices):
        NEW = "new", "新建"
        TRIAGED = "triaged", "已分级"
        ASSIGNED = "assigned", "已指派"
        IN_PROGRESS = "in_progress", "处理中"
        WAITING_CUSTOMER = "waiting_customer", "等待客户"
        RESOLVED = "resolved", "已解决"
        CLOSED = "closed", "已关闭"
        REOPENED = "reopened", "已重开"

    number = models.CharField("申报单号", max_length=32, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tickets", verbose_name="项目")
    subject = models.CharField("问题主题", max_length=200)
    reporting_unit = models.CharField("申报单位", max_length=200)
    reporter = models.CharField("申报人", max_length=50)
    reporter_phone = models.CharField("联系电话", max_length=50, blank=True)
    reported_at = models.DateTimeField("申报时间")
    situation = models.TextField("当前情况", blank=True)
    description = models.TextField("问题描述")
    time_requirement = models.CharField("时间要求", max_length=200, blank=True)
    channel = models.CharField("申报渠道", max_length=16, choices=Channel.choices)
    severity = models.ForeignKey(
        SlaPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="问题级别"
    )
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.NEW, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name="处理人",
    )  # fmt: skip
    dispatched_to_pm = models.BooleanField("已派区域项目经理", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    sla_started_at = models.DateTimeField("SLA 起算", null=True, blank=True)
    due_at = models.DateTimeField("解决时限", null=True, blank=True)
    # Set once the resolution clock has run out before a resolution; only a reopen (a new clock) clears it.
    sla_breached_at = models.DateTimeField("超时时间", null=True, blank=True)
    paused_at = models.DateTimeField("暂停时间", null=True, blank=True)
    remaining_seconds = models.PositiveIntegerField("暂停时剩余（秒）", null=True, blank=True)
    response_due_at = models.DateTimeField("首次响应时限", null=True, blank=True)
    first_assigned_at = models.DateTimeField("首次转单时间", null=True, blank=True)
    first_response_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    sla_met = models.BooleanField("SLA 达成", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重开次数", default=0)
    reopened_at = models.DateTimeField("最近重开时间", null=True, blank=True)
    resolution = models.TextField("解决方案", blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="ticket")

    class Meta:
        verbose_name = "售后问题"
        verbose_name_plural = "售后问题"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="ticket_state_due"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state"),
            models.Index(fields=["-created_at"], name="ticket_created"),
            # the month's tickets as the metrics page counts them (transfer and response rates),
            # read from the index alone
            models.Index(
                fields=["reported_at"],
                include=["id", "created_at", "first_assigned_at", "first_response_at", "response_due_at"],
                name="ticket_reported_cover",
            ),
            models.Index(fields=["project", "-created_at"], name="ticket_project"),
            # what the SLA metrics count live beside the monthly roll-up: a running clock past due
            # the sweep has not yet marked, and a response target passed without a response
            models.Index(
                fields=["due_at"],
                condition=Q(resolved_at__isnull=True, sla_breached_at__isnull=True)
                & Q(state__in=["triaged", "assigned", "in_progress", "reopened"]),
                name="ticket_breach_unmarked",
            ),
            models.Index(
                fields=["response_due_at"], condition=Q(first_response_at__isnull=True), name="ticket_response_pending"
            ),
            # the 已超时 queue (breached_q) counted from the index alone: only unresolved tickets,
            # with the columns its condition reads
            models.Index(
                fields=["due_at"],
                include=["sla_breached_at", "state"],
                condition=Q(resolved_at__isnull=True),
                name="ticket_unresolved_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sla_met__isnull=True) | Q(resolved_at__isnull=False), name="ticket_sla_met_when_resolved"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("aftersales:ticket", args=[self.pk])

    def is_breached(self, now) -> bool:
        """Unresolved and past its resolution time limit: the clock ran out while it ran, or it is
        running now past the due time. A pause does not undo a breach."""
        if self.resolved_at is not None or self.state == self.State.NEW:
            return False
        if self.sla_breached_at is not None:
            return True
        return self.state in CLOCK_RUNNING and self.due_at is not None and self.due_at <= now

    @property
    def response_met(self) -> bool | None:
        """首次响应达成: first contact (开始处理) within the severity's response target."""
        if self.response_due_at is None or self.first_response_at is None:
            return None
        return self.first_response_at <= self.response_due_at

    @transition(field=state, source=State.NEW, target=State.TRIAGED)
    def triage(self, *, severity):
        self.severity = severity

    @transition(
        field=state, source=[State.TRIAGED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED], target=State.ASSIGNED
    )
    def assign(self, *, to, at, by_dispatch: bool = False):
        self.assignee = to
        self.dispatched_to_pm = by_dispatch  # assigning back to after-sales ends the on-site dispatch
        self.first_assigned_at = self.first_assigned_at or at

    @transition(field=state, source=[State.ASSIGNED, State.REOPENED], target=State.IN_PROGRESS)
    def start(self, *, at):
        self.first_response_at = self.first_response_at or at

    @transition(field=state, source=State.IN_PROGRESS, target=State.WAITING_CUSTOMER)
    def pause(self, *, at, remaining_seconds: int):
        self.paused_at, self.remaining_seconds = at, remaining_seconds
        if self.due_at is not None and self.due_at < at:
            self.sla_breached_at = self.sla_breached_at or self.due_at  # paused too late: the breach stays

    @transition(field=state, source=State.WAITING_CUSTOMER, target=State.IN_PROGRESS)
    def resume(self, *, due_at):
        """`due_at` is the remaining time counted from now. A breached ticket keeps its due time, and
        a due time never moves earlier than it was."""
        self.paused_at, self.remaining_seconds = None, None
        if self.sla_breached_at is None and (self.due_at is None or due_at > self.due_at):
            self.due_at = due_at

    @transition(field=state, source=[State.IN_PROGRESS, State.WAITING_CUSTOMER], target=State.RESOLVED)
    def resolve(self, *, at, resolution: str):
        """Attainment is judged on this resolution against the current clock (a reopen starts a new one)."""
        self.resolution = resolution
        self.resolved_at = at
        running = self.paused_at is None
        if running and self.due_at is not None and self.due_at < at:
            self.sla_breached_at = self.sla_breached_at or self.due_at
        self.sla_met = self.sla_breached_at is None
        self.paused_at, self.remaining_seconds = None, None

    @transition(field=state, source=State.RESOLVED, target=State.REOPENED)
    def reopen(self, *, at, due_at):
        """A new resolution clock from the reopen time; unresolved (and unjudged) until resolved again."""
        self.reopen_count += 1
        self.reopened_at = at
        self.sla_started_at, self.due_at, self.sla_breached_at = at, due_at, None
        self.resolved_at, self.sla_met = None, None

    @transition(field=state, source=State.RESOLVED, target=State.CLOSED)
    def close(self, *, at):
        self.closed_at = at


# States in which a ticket's resolution clock runs (new: not yet started; waiting: paused; resolved / closed: stopped).
CLOCK_RUNNING = (Ticket.State.TRIAGED, Ticket.State.ASSIGNED, Ticket.State.IN_PROGRESS, Ticket.State.REOPENED)


class TicketComment(models.Model):
    """A line of a ticket's conversation: a reply, or an internal note (内部备注) that only the
    after-sales, customer-success and regional-PM side ever sees."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments", verbose_name="售后问题")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="作者"
    )
    body = models.TextField("内容")
    internal = models.BooleanField("内部备注", default=False)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    attachments = GenericRelation("documents.Attachment", related_query_name="ticket_comment")

    class Meta:
        verbose_name = "问题沟通记录"
        verbose_name_plural = "问题沟通记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_comment_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {'内部备注' if self.internal else '回复'}（{self.author}）"

    def get_absolute_url(self) -> str:
        return f"{self.ticket.get_absolute_url()}#comment-{self.pk}"


class TicketMonthStat(models.Model):
    """售后 SLA 月度汇总: the SLA metrics' counts of the tickets reported in a month, per region,
    assignee and severity. The ticket services add each change's difference in the transaction
    that makes it; `manage.py sla_rollup_rebuild` recomputes it from the tickets. The metrics
    page and the dashboards read these rows, not the tickets, so their cost does not grow with
    the number of tickets."""

    month = models.DateField("月份", help_text="申报时间所在月份的第一天")
    region = models.ForeignKey(
        "org.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="区域"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name="处理人",
    )  # fmt: skip
    severity = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="问题级别"
    )
    total = models.IntegerField("问题数", default=0)
    resolved = models.IntegerField("已解决", default=0)
    met = models.IntegerField("SLA 达成", default=0)
    breached_open = models.IntegerField("未解决且已标记超时", default=0)
    responded = models.IntegerField("已响应", default=0)
    response_met = models.IntegerField("首次响应达成", default=0)
    reopened = models.IntegerField("重开过的问题", default=0)
    reopens = models.IntegerField("重开次数", default=0)
    transferred = models.IntegerField("已指派", default=0)
    transfer_us = models.BigIntegerField("转单时长合计（微秒）", default=0)

    class Meta:
        verbose_name = "售后 SLA 月度汇总"
        verbose_name_plural = "售后 SLA 月度汇总"
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "assignee", "severity"], nulls_distinct=False, name="ticket_month_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 售后 SLA 汇总"
