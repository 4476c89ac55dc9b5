"""Delivery control (002 产品实施过程, 003 启动&规划, 004 §1.3): meetings and their action items,
customer training, acceptance by project size, customer satisfaction, and the director's and the
executives' reviews. Everything hangs on a project."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from projects.models import Project


class Meeting(FSMModelMixin, models.Model):
    """A project meeting with its minutes: 项目启动会, 每周例会 or 合同交底."""

    class Kind(models.TextChoices):
        KICKOFF = "kickoff", "项目启动会"
        WEEKLY = "weekly", "每周例会"
        BRIEFING = "briefing", "合同交底"

    class State(models.TextChoices):
        OPEN = "open", "进行中"
        ENDED = "ended", "已结束"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings", verbose_name="项目")
    kind = models.CharField("会议类型", max_length=16, choices=Kind.choices)
    held_on = models.DateField("会议日期")
    attendees = models.TextField("出席人员")
    # 启动会 (004 §1.3 item 2): objectives, strategy, plan and the rules announced
    objectives = models.TextField("项目目标", blank=True)
    strategy = models.TextField("实施策略", blank=True)
    plan = models.TextField("计划安排", blank=True)
    rules = models.TextField("项目管理规程", blank=True)
    # 例会 (004 §1.3 item 3)
    last_week = models.TextField("上周项目绩效", blank=True)
    this_week = models.TextField("本周工作安排", blank=True)
    coordination = models.TextField("需要协调的事项", blank=True)
    # 合同交底 (003): the risks are agreed and put on record
    risks_agreed = models.BooleanField("风险已达成共识并备案", default=False)
    minutes = models.TextField("会议纪要", blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目会议"
        verbose_name_plural = "项目会议"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["project", "-held_on"], name="meeting_project_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"

    @transition(field=state, source=State.OPEN, target=State.ENDED)
    def end(self, *, minutes: str, at):
        self.minutes, self.ended_at = minutes, at


class Review(FSMModelMixin, models.Model):
    """A decision the documents ask of the director or the executives: the 项目总监 reviews the
    需求清单及跟进表 before implementation (000 §3.3.2); after the customer rejects the trial run
    the executives decide what follows and give tasks (002 试运行)."""

    class Kind(models.TextChoices):
        REQUIREMENTS = "requirements", "需求清单及跟进表审核"
        TRIAL_REJECTION = "trial_rejection", "试运行不被认可的后续决定"

    class State(models.TextChoices):
        PENDING = "pending", "待决定"
        APPROVED = "approved", "已通过"
        RETURNED = "returned", "已退回"
        DECIDED = "decided", "已决定"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews", verbose_name="项目")
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.PENDING, protected=True)
    note = models.TextField("提交说明", blank=True)
    decision = models.TextField("决定 / 意见", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    requested_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="delivery_review")

    class Meta:
        verbose_name = "审核与决定"
        verbose_name_plural = "审核与决定"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["project", "kind", "state"], name="review_project_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind"], condition=Q(state="pending"), name="review_one_pending_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()}"

    @transition(field=state, source=State.PENDING, target=State.APPROVED)
    def approve(self, *, by, at, comment: str):
        self.decided_by, self.decided_at, self.decision = by, at, comment

    @transition(field=state, source=State.PENDING, target=State.RETURNED)
    def send_back(self, *, by, at, comment: str):
        self.decided_by, self.decided_at, self.decision = by, at, comment

    @transition(field=state, source=State.PENDING, target=State.DECIDED)
    def decide(self, *, by, at, decision: str):
        self.decided_by, self.decided_at, self.decision = by, at, decision


class ActionItem(FSMModelMixin, models.Model):
    """行动项: a to-do given at a meeting or by an executives' decision, with an owner and a due
    date; it waits in the owner's inbox until done."""

    class State(models.TextChoices):
        OPEN = "open", "待完成"
        DONE = "done", "已完成"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="action_items", verbose_name="项目")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items", verbose_name="会议"
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items", verbose_name="决定"
    )
    title = models.CharField("事项", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items", verbose_name="负责人"
    )
    due_date = models.DateField("完成日期")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    result = models.TextField("完成情况", blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    tasks = GenericRelation("approvals.Task", related_query_name="action_item")

    class Meta:
        verbose_name = "行动项"
        verbose_name_plural = "行动项"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "state", "due_date"], name="action_owner_open"),
            models.Index(fields=["project", "state"], name="action_project_state"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=State.OPEN, target=State.DONE)
    def finish(self, *, result: str, at):
        self.result, self.done_at = result, at


class TrainingPlan(models.Model):
    """客户培训计划 with its 培训通知单 (002 用户培训), made by the person the PM authorises."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="training_plans", verbose_name="项目")
    title = models.CharField("培训主题", max_length=200)
    audience = models.CharField("培训对象", max_length=200)
    content = models.TextField("培训内容与安排")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="培训负责人"
    )
    notice = models.TextField("培训通知单", blank=True)
    notice_sent_at = models.DateTimeField("通知发出时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        verbose_name = "客户培训计划"
        verbose_name_plural = "客户培训计划"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One training session (培训场次) of a plan; its attendees sign the 客户培训签到表."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="sessions", verbose_name="培训计划")
    starts_at = models.DateTimeField("培训时间")
    location = models.CharField("地点", max_length=200)
    topic = models.CharField("本场内容", max_length=200)
    held = models.BooleanField("已完成", default=False)

    class Meta:
        verbose_name = "培训场次"
        verbose_name_plural = "培训场次"
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.topic} {self.starts_at:%Y-%m-%d}"


class TrainingAttendee(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendees", verbose_name="培训场次"
    )
    name = models.CharField("姓名", max_length=50)
    organisation = models.CharField("单位 / 部门", max_length=100, blank=True)
    position = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    signed = models.BooleanField("已签到", default=False)

    class Meta:
        verbose_name = "培训人员"
        verbose_name_plural = "培训人员"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AcceptanceApproval(FSMModelMixin, models.Model):
    """The acceptance report's approval (002 验收准备): the PM submits it, the CM engineer and then
    客户服务部 approve it (e-mail in the old procedure)."""

    class State(models.TextChoices):
        PENDING_CM = "pending_cm", "待 CM 工程师审批"
        PENDING_SERVICE = "pending_service", "待客户服务部审批"
        APPROVED = "approved", "已批准"
        RETURNED = "returned", "已退回"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="acceptance_approvals", verbose_name="项目"
    )
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_CM, protected=True)
    note = models.TextField("提交说明", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提交人"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    comment = models.TextField("审批意见", blank=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="acceptance_approval")

    class Meta:
        verbose_name = "验收报告审批"
        verbose_name_plural = "验收报告审批"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["project", "state"], name="acceptance_project_state")]

    def __str__(self) -> str:
        return f"{self.project} 验收报告审批（{self.get_state_display()}）"

    @transition(field=state, source=State.PENDING_CM, target=State.PENDING_SERVICE)
    def approve_cm(self):
        pass

    @transition(field=state, source=State.PENDING_SERVICE, target=State.APPROVED)
    def approve_service(self, *, at):
        self.decided_at = at

    @transition(field=state, source=[State.PENDING_CM, State.PENDING_SERVICE], target=State.RETURNED)
    def send_back(self, *, comment: str, at):
        self.comment, self.decided_at = comment, at


class AcceptanceIssue(FSMModelMixin, models.Model):
    """验收遗留问题: written in the acceptance report and handed to 客户服务部 to follow up."""

    class State(models.TextChoices):
        OPEN = "open", "跟踪中"
        CLOSED = "closed", "已关闭"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="acceptance_issues", verbose_name="项目"
    )
    title = models.CharField("遗留问题", max_length=200)
    description = models.TextField("说明", blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    resolution = models.TextField("处理结果", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="关闭人",
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="acceptance_issue")

    class Meta:
        verbose_name = "验收遗留问题"
        verbose_name_plural = "验收遗留问题"
        ordering = ["id"]
        indexes = [models.Index(fields=["project", "state"], name="acceptance_issue_state")]

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=State.OPEN, target=State.CLOSED)
    def close(self, *, by, resolution: str, at):
        self.closed_by, self.resolution, self.closed_at = by, resolution, at


class Survey(FSMModelMixin, models.Model):
    """客户满意度调查 after acceptance, run by 市场部 (002): scores 1–5, answered by the customer
    through a signed link or recorded by 市场部 from the customer's words."""

    class State(models.TextChoices):
        SENT = "sent", "待客户回复"
        ANSWERED = "answered", "已回复"

    class Channel(models.TextChoices):
        LINK = "link", "客户通过链接填写"
        PHONE = "phone", "市场部电话 / 当面录入"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="surveys", verbose_name="项目")
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.SENT, protected=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发送人"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    sent_at = models.DateTimeField("发出时间", auto_now_add=True)
    expires_at = models.DateTimeField("链接有效期至")
    contact = models.CharField("客户联系人", max_length=100)
    channel = models.CharField("回复方式", max_length=16, choices=Channel.choices, blank=True)
    overall = models.PositiveSmallIntegerField("总体满意度", null=True, blank=True)
    quality = models.PositiveSmallIntegerField("实施质量", null=True, blank=True)
    service = models.PositiveSmallIntegerField("服务态度", null=True, blank=True)
    timeliness = models.PositiveSmallIntegerField("进度及时性", null=True, blank=True)
    comment = models.TextField("意见与建议", blank=True)
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="survey")

    class Meta:
        verbose_name = "客户满意度调查"
        verbose_name_plural = "客户满意度调查"
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["state", "project"], name="survey_state_project"),
            models.Index(fields=["sent_at", "id"], name="survey_sent"),
            models.Index(fields=["answered_at", "id"], name="survey_answered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__isnull=True) | Q(overall__gte=1, overall__lte=5), name="survey_overall_1_5"
            ),
            models.UniqueConstraint(fields=["project"], condition=Q(state="sent"), name="survey_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.project} 满意度调查"

    @property
    def average(self) -> float | None:
        scores = [s for s in (self.overall, self.quality, self.service, self.timeliness) if s is not None]
        return round(sum(scores) / len(scores), 2) if scores else None

    @transition(field=state, source=State.SENT, target=State.ANSWERED)
    def answer(self, *, scores: dict, comment: str, channel: str, at, by=None):
        self.recorded_by = by
        self.overall, self.quality = scores["overall"], scores["quality"]
        self.service, self.timeliness = scores["service"], scores["timeliness"]
        self.comment, self.channel, self.answered_at = comment, channel, at
