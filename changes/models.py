"""After go-live (004 §8.2.2): 需求变更, BUG 修复 and 版本发布 on a project in maintenance."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from projects.models import Project

USER = settings.AUTH_USER_MODEL


class ChangeRequest(FSMModelMixin, models.Model):
    """需求变更申请单 (004 §8.2.2-3; 002): 业务人员 → 用户方初审 → PM evaluates → optional discussion →
    需求组长 designs and leads the work → 质量人员 verifies → 需求组长 files the release request."""

    class Kind(models.TextChoices):
        NEW = "new", "新增需求"
        CHANGE = "change", "需求变更"
        OPTIMISE = "optimise", "功能优化"

    class Size(models.TextChoices):
        SMALL = "small", "工作量小（用户方指定实施时间）"
        LARGE = "large", "工作量大（双方讨论确定实施时间）"

    class State(models.TextChoices):
        PENDING_REVIEW = "pending_review", "待用户方初审"
        EVALUATING = "evaluating", "待项目经理评估"
        DISCUSSING = "discussing", "待需求讨论"
        IN_WORK = "in_work", "需求组长实施中"
        VERIFYING = "verifying", "待质量验证"
        VERIFIED = "verified", "待提交发布申请"
        RELEASING = "releasing", "版本发布中"
        DONE = "done", "已完成"
        REJECTED = "rejected", "用户方未通过"

    number = models.CharField("申请单号", max_length=32, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="change_requests", verbose_name="项目")
    ticket = models.ForeignKey(
        "aftersales.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name="来源问题",
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.NEW)
    title = models.CharField("需求主题", max_length=200)
    description = models.TextField("需求说明")
    proposer = models.CharField("业务提出人", max_length=50, help_text="用户方业务人员")
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_REVIEW, protected=True)
    # 用户方初审, recorded by the PM with the customer's answer; due one working day after submission
    review_due_at = models.DateTimeField("业务审批时限", null=True, blank=True)
    reviewed_at = models.DateTimeField("初审时间", null=True, blank=True)
    customer_answer = models.TextField("用户方初审意见", blank=True)
    # PM's evaluation
    impact = models.TextField("对当前系统的影响", blank=True)
    person_days = models.DecimalField("工作量（人天）", max_digits=7, decimal_places=1, null=True, blank=True)
    size = models.CharField("工作量规模", max_length=16, choices=Size.choices, blank=True)
    needs_meeting = models.BooleanField("需召开研讨会", default=False)
    planned_date = models.DateField(
        "实施完成日期", null=True, blank=True, help_text="小需求：用户方指定；大需求：双方商定"
    )
    minutes = models.TextField("需求讨论纪要", blank=True)
    design_note = models.TextField("设计与实施说明", blank=True)
    verify_note = models.TextField("质量验证结论", blank=True)
    lead = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="需求组长"
    )
    quality = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="质量人员"
    )
    delay_notified_at = models.DateTimeField("已告知客户延期", null=True, blank=True)
    delay_reason = models.TextField("延期原因", blank=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="change_request")

    class Meta:
        verbose_name = "需求变更申请单"
        verbose_name_plural = "需求变更申请单"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-submitted_at"], name="change_project_recent"),
            models.Index(fields=["state", "planned_date"], name="change_state_planned"),
            models.Index(fields=["-submitted_at", "-id"], name="change_recent"),
            # the month's reviews as the metrics page counts them (业务审批达成率), from the index alone
            models.Index(
                fields=["reviewed_at"],
                include=["id", "review_due_at"],
                condition=Q(reviewed_at__isnull=False),
                name="change_reviewed_month",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person_days__isnull=True) | Q(person_days__gte=0), name="change_days_nonneg"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("changes:change", args=[self.pk])

    @property
    def review_late(self) -> bool:
        return bool(self.review_due_at and (self.reviewed_at or self.review_due_at) > self.review_due_at)

    @transition(field=state, source=State.PENDING_REVIEW, target=State.EVALUATING)
    def review_pass(self, *, at, answer):
        self.reviewed_at, self.customer_answer = at, answer

    @transition(field=state, source=State.PENDING_REVIEW, target=State.REJECTED)
    def review_reject(self, *, at, answer):
        self.reviewed_at, self.customer_answer, self.closed_at = at, answer, at

    @transition(field=state, source=State.EVALUATING, target=State.DISCUSSING)
    def evaluate_with_meeting(self):
        pass

    @transition(field=state, source=[State.EVALUATING, State.DISCUSSING], target=State.IN_WORK)
    def start_work(self):
        pass

    @transition(field=state, source=State.IN_WORK, target=State.VERIFYING)
    def submit_for_verification(self):
        pass

    @transition(field=state, source=State.VERIFYING, target=State.VERIFIED)
    def verification_pass(self):
        pass

    @transition(field=state, source=State.VERIFYING, target=State.IN_WORK)
    def verification_fail(self):
        pass

    @transition(field=state, source=State.VERIFIED, target=State.RELEASING)
    def release_requested(self):
        pass

    @transition(field=state, source=State.RELEASING, target=State.DONE)
    def finish(self, *, at):
        self.closed_at = at

    @transition(
        field=state,
        source=[State.DISCUSSING, State.IN_WORK, State.VERIFYING, State.VERIFIED],
        target=RETURN_VALUE(State.EVALUATING, State.DISCUSSING, State.IN_WORK, State.VERIFYING),
    )
    def send_back_to(self, target: str):
        """退回到指定环节: back to an earlier step of its chain (approvals.chains checks which)."""
        return target

    @transition(field=state, source=State.RELEASING, target=State.IN_WORK)
    def release_failed(self):
        pass


class Bug(FSMModelMixin, models.Model):
    """BUG 修复 (004 §8.2.2-2; 000 §3.4–3.5): anyone on the team files; whether it will be fixed is
    confirmed within 2 working days; a product defect goes 产品管理部 (verify) → 研发 (fix) →
    产品管理部 (test and review the version) → released to the project; after the customer's
    feedback the fix is checked within 2 working days."""

    class Origin(models.TextChoices):
        PROJECT = "project", "项目实施缺陷"
        PRODUCT = "product", "产品缺陷"

    class State(models.TextChoices):
        PENDING_CONFIRM = "pending_confirm", "待确认是否修复"
        FIXING = "fixing", "项目组修复中"
        PRODUCT_VERIFY = "product_verify", "待产品管理部核实"
        RD_FIXING = "rd_fixing", "研发修复中"
        PRODUCT_REVIEW = "product_review", "待产品管理部测试评审"
        RELEASED = "released", "修复版本已发放，待项目确认领取"
        AWAITING_FEEDBACK = "awaiting_feedback", "已修复，待用户方反馈"
        CHECKING = "checking", "待核查修复"
        CLOSED = "closed", "已关闭"
        WONT_FIX = "wont_fix", "不予修复（已告知用户方）"

    number = models.CharField("BUG 编号", max_length=32, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bugs", verbose_name="项目")
    ticket = models.ForeignKey(
        "aftersales.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bugs",
        verbose_name="来源问题",
    )
    title = models.CharField("问题主题", max_length=200)
    description = models.TextField("问题说明")
    origin = models.CharField("缺陷类型", max_length=16, choices=Origin.choices, default=Origin.PROJECT)
    product_version = models.CharField("产品及版本", max_length=100, blank=True)
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="提交人")
    filed_at = models.DateTimeField("提交时间", auto_now_add=True)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_CONFIRM, protected=True)
    confirm_due_at = models.DateTimeField("确认时限", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirm_note = models.TextField("确认说明", blank=True, help_text="不予修复或无法按时确认时告知用户方的原因")
    fix_note = models.TextField("修复说明", blank=True)
    fixed_version = models.CharField("修复版本", max_length=50, blank=True)
    download_path = models.CharField("下载路径", max_length=500, blank=True, help_text="产品缺陷：产品管理部评审后发放")
    # the 产品领取单 the reviewed fix version was released on (000 §3.5: products leave on one)
    product_request = models.ForeignKey(
        "projects.ProductRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bugs",
        verbose_name="发放修复版本的产品领取单",
    )
    review_note = models.TextField("产品管理部评审意见", blank=True)
    fixed_at = models.DateTimeField("修复时间", null=True, blank=True)
    feedback = models.TextField("用户方反馈", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    check_due_at = models.DateTimeField("核查时限", null=True, blank=True)
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    check_note = models.TextField("核查结论", blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="bug")

    class Meta:
        verbose_name = "缺陷"  # BUG
        verbose_name_plural = "缺陷"
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-filed_at"], name="bug_project_recent"),
            models.Index(fields=["filed_at", "project"], name="bug_filed_month"),
            models.Index(fields=["-filed_at", "-id"], name="bug_recent"),
            # the month's confirmations as the metrics page counts them, from the index alone
            models.Index(
                fields=["confirmed_at"],
                include=["id", "confirm_due_at"],
                condition=Q(confirmed_at__isnull=False),
                name="bug_confirmed_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("changes:bug", args=[self.pk])

    @property
    def confirmed_late(self) -> bool:
        """确认超时: confirmed after its due time (or still unconfirmed past it)."""
        if self.confirm_due_at is None:
            return False
        from django.utils import timezone

        return (self.confirmed_at or timezone.now()) > self.confirm_due_at

    @transition(field=state, source=State.PENDING_CONFIRM, target=State.FIXING)
    def confirm_fix(self, *, at, note):
        self.confirmed_at, self.confirm_note = at, note

    @transition(field=state, source=State.PENDING_CONFIRM, target=State.PRODUCT_VERIFY)
    def confirm_product(self, *, at, note):
        self.confirmed_at, self.confirm_note = at, note

    @transition(field=state, source=State.PENDING_CONFIRM, target=State.WONT_FIX)
    def confirm_wont_fix(self, *, at, note):
        self.confirmed_at, self.confirm_note = at, note

    @transition(field=state, source=State.PRODUCT_VERIFY, target=State.RD_FIXING)
    def product_verified(self):
        pass

    @transition(field=state, source=State.PRODUCT_VERIFY, target=State.FIXING)
    def not_a_product_defect(self):
        self.origin = Bug.Origin.PROJECT

    @transition(field=state, source=State.RD_FIXING, target=State.PRODUCT_REVIEW)
    def rd_fixed(self, *, version, note):
        self.fixed_version, self.fix_note = version, note

    @transition(field=state, source=State.PRODUCT_REVIEW, target=State.RELEASED)
    def version_released(self, *, at, path, note, request):
        self.download_path, self.review_note, self.fixed_at = path, note, at
        self.product_request = request

    @transition(field=state, source=State.RELEASED, target=State.AWAITING_FEEDBACK)
    def version_received(self):
        pass

    @transition(field=state, source=State.PRODUCT_REVIEW, target=State.RD_FIXING)
    def review_failed(self, *, note):
        self.review_note = note

    @transition(field=state, source=State.FIXING, target=State.AWAITING_FEEDBACK)
    def project_fixed(self, *, at, note, version):
        self.fixed_at, self.fix_note, self.fixed_version = at, note, version

    @transition(field=state, source=State.AWAITING_FEEDBACK, target=State.CHECKING)
    def feedback_received(self, *, at, feedback):
        self.feedback_at, self.feedback = at, feedback

    @transition(field=state, source=State.CHECKING, target=State.CLOSED)
    def check_pass(self, *, at, note):
        self.checked_at, self.check_note = at, note

    @transition(field=state, source=State.CHECKING, target=State.FIXING)
    def check_fail(self, *, at, note):
        self.checked_at, self.check_note = at, note


class ReleaseWindow(models.Model):
    """A regular release window (004 §8.2.2-1): the weekday, the cut-off for the request and the
    frozen version that day, and the hour the evening release starts. A window on a day off moves
    to the next working day. Edited in the admin."""

    class Weekday(models.IntegerChoices):
        MON = 0, "周一"
        TUE = 1, "周二"
        WED = 2, "周三"
        THU = 3, "周四"
        FRI = 4, "周五"
        SAT = 5, "周六"
        SUN = 6, "周日"

    weekday = models.PositiveSmallIntegerField("星期", choices=Weekday.choices, unique=True)
    request_cutoff = models.TimeField("申请与版本固化截止", help_text="当天此时间前提交申请并固化版本")
    release_from = models.TimeField("发布开始时间", help_text="晚上发布")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "常规发布窗口"
        verbose_name_plural = "常规发布窗口"
        ordering = ["weekday"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}（{self.request_cutoff:%H:%M} 前申请，{self.release_from:%H:%M} 起发布）"


class Release(FSMModelMixin, models.Model):
    """版本发布 (004 §8.2.2-1; 003 发布变更规范): no release without one (the log is the audit)."""

    class State(models.TextChoices):
        PENDING_DIRECTOR = "pending_director", "待项目总监审批"
        PENDING_ASSIGN = "pending_assign", "待项目经理指派测试"
        TESTING = "testing", "测试中"
        PENDING_SIGNOFF = "pending_signoff", "待项目经理签字"
        PENDING_CONSENT = "pending_consent", "待用户方同意"
        PENDING_RELEASE = "pending_release", "待发布"
        RELEASED = "released", "已发布，现网验证与留守观察中"
        PENDING_CONFIRM = "pending_confirm", "待申请人确认"
        CONFIRMED = "confirmed", "已确认"
        ROLLED_BACK = "rolled_back", "已回滚"
        REJECTED = "rejected", "未通过"

    number = models.CharField("发布单号", max_length=32, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="releases", verbose_name="项目")
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="releases", verbose_name="需求变更"
    )
    bug = models.ForeignKey(
        Bug, on_delete=models.PROTECT, null=True, blank=True, related_name="releases", verbose_name="缺陷"
    )
    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    version = models.CharField("发布版本", max_length=50)
    reason = models.TextField("发布原因")
    problems_solved = models.TextField("解决的问题")
    change_notes = models.TextField("版本变更说明")
    planned_at = models.DateTimeField("计划发布时间")
    emergency = models.BooleanField("紧急发布（窗口外）", default=False)
    downtime = models.BooleanField("停机发布", default=False)
    customer_notified_on = models.DateField("客户知会日期", null=True, blank=True)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_ASSIGN, protected=True)
    director_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="总监审批人"
    )
    director_at = models.DateTimeField("总监审批时间", null=True, blank=True)
    tester = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="测试人员"
    )
    test_result = models.TextField("测试结果", blank=True)
    signed_off_at = models.DateTimeField("项目经理签字时间", null=True, blank=True)
    customer_consent = models.TextField("用户方意见", blank=True)
    released_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="发布人"
    )
    released_at = models.DateTimeField("发布时间", null=True, blank=True)
    notes_published = models.BooleanField("变更说明已公告到用户界面", default=False)
    verified_at = models.DateTimeField("现网验证时间", null=True, blank=True)
    verification = models.TextField("现网验证结果", blank=True)
    watch_until = models.DateTimeField("留守观察至", null=True, blank=True)
    watch_note = models.TextField("留守观察记录", blank=True)
    rollback_at = models.DateTimeField("回滚时间", null=True, blank=True)
    rollback_note = models.TextField("问题与回滚记录", blank=True)
    confirmed_at = models.DateTimeField("申请人确认时间", null=True, blank=True)
    reject_reason = models.TextField("未通过原因", blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="release")

    class Meta:
        verbose_name = "版本发布"
        verbose_name_plural = "版本发布"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-requested_at"], name="release_project_recent"),
            # the month's releases as the metrics page counts them, from the index alone
            models.Index(
                fields=["released_at"],
                include=["id", "emergency", "downtime", "rollback_at"],
                name="release_released_cover",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(downtime=False) | Q(customer_notified_on__isnull=False), name="release_downtime_notice"
            ),
            models.CheckConstraint(
                condition=Q(watch_until__isnull=True) | Q(released_at__isnull=False), name="release_watch_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("changes:release", args=[self.pk])

    @property
    def needs_director(self) -> bool:
        return self.emergency or self.downtime

    @transition(field=state, source=State.PENDING_DIRECTOR, target=State.PENDING_ASSIGN)
    def director_approve(self, *, by, at):
        self.director_by, self.director_at = by, at

    @transition(
        field=state,
        source=[State.PENDING_DIRECTOR, State.TESTING, State.PENDING_SIGNOFF, State.PENDING_CONSENT],
        target=State.REJECTED,
    )
    def reject(self, *, reason):
        self.reject_reason = reason

    @transition(
        field=state,
        source=[State.TESTING, State.PENDING_SIGNOFF, State.PENDING_CONSENT, State.PENDING_RELEASE],
        target=RETURN_VALUE(
            State.PENDING_DIRECTOR, State.PENDING_ASSIGN, State.TESTING, State.PENDING_SIGNOFF, State.PENDING_CONSENT
        ),
    )
    def send_back_to(self, target: str):
        """退回到指定环节: back to an earlier step of its chain (approvals.chains checks which)."""
        return target

    @transition(field=state, source=State.PENDING_ASSIGN, target=State.TESTING)
    def assign_tester(self, *, tester):
        self.tester = tester

    @transition(field=state, source=State.TESTING, target=State.PENDING_SIGNOFF)
    def test_passed(self, *, result):
        self.test_result = result

    @transition(field=state, source=State.PENDING_SIGNOFF, target=State.PENDING_CONSENT)
    def sign_off(self, *, at):
        self.signed_off_at = at

    @transition(field=state, source=State.PENDING_CONSENT, target=State.PENDING_RELEASE)
    def consent(self, *, answer):
        self.customer_consent = answer

    @transition(field=state, source=State.PENDING_RELEASE, target=State.RELEASED)
    def perform(self, *, by, at):
        self.released_by, self.released_at, self.notes_published = by, at, True

    @transition(field=state, source=State.RELEASED, target=State.PENDING_CONFIRM)
    def watch_done(self, *, until, note):
        self.watch_until, self.watch_note = until, note

    @transition(field=state, source=State.RELEASED, target=State.ROLLED_BACK)
    def roll_back(self, *, at, note):
        self.rollback_at, self.rollback_note = at, note

    @transition(field=state, source=State.PENDING_CONFIRM, target=State.CONFIRMED)
    def confirm(self, *, at):
        self.confirmed_at = at
