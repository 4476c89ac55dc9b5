from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from pmis.org.models import Region
from pmis.worktime.models import SlaPolicy

# The outcome codes the services close their steps with, as people read them.
OUTCOME_LABELS = {
    "approve": "通过",
    "return": "退回",
    "reject": "驳回",
    "initiated": "已立项",
    "confirmed": "已确认",
    "estimated": "已评估",
    "accepted": "已确认",
    "declined": "不予确认",
    "filed": "已提交",
    "issued": "已发放",
    "received": "已确认收货",
    "accept": "已接收",
    "finish": "已完成",
    "cancel": "已取消",
    "resolved": "已解决",
    "triaged": "已分级",
    "closed": "已关闭",
    "done": "已办理",
    "cancelled": "已取消",
    "resubmitted": "已重新提交",
    "withdrawn": "已撤回",
    "reestimated": "已重新评估",
    "reviewed": "已评审",
    "opened": "已开通",
    "returned_to": "退回到指定环节",
    "escalated": "已升级应急小组",
    "rd_confirmed": "研发已确认",
    "rd_returned": "研发退回",
    "uploaded": "已上传",
    "dispatched": "已派单",
    "support_declined": "不派当地支持",
    "decided": "已决定",
    "answered": "已回复",
    "sent": "已发出",
}


class Task(FSMModelMixin, models.Model):
    """One piece of waiting work (待办): a step of some record that waits on a role group (within
    a region, if the role is region-scoped) or on one person. The service that answers the step
    closes it."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        DONE = "done", "已处理"
        CANCELLED = "cancelled", "已取消"

    # db_index=False here and on closed_by: task_subject and task_closed_by lead with these columns,
    # and every index is one more write for each task the SLA sweep marks
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False, verbose_name="记录类型")
    object_id = models.PositiveBigIntegerField("记录 ID")
    subject = GenericForeignKey("content_type", "object_id")
    step = models.CharField("环节代码", max_length=64)
    step_label = models.CharField("环节", max_length=64)
    title = models.CharField("事项", max_length=200)
    link = models.CharField("链接", max_length=500)

    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="等待角色",
        db_index=False,
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="区域",
        db_index=False,
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="团队",
        help_text="只等待该部门（团队）内的角色成员，如销售主管只审本团队的登记",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name="指定处理人",
        db_index=False,
    )
    exclude_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回避人",
        help_text="不得处理此待办的人（如申请人本人，不可自审）",
        db_index=False,
    )
    routing_note = models.CharField(
        "上移说明",
        max_length=300,
        blank=True,
        help_text="原定处理角色中除申请人外无人可处理时，环节按规则上移一级，此处写明原因与去向",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_tasks",
        verbose_name="认领人",
        db_index=False,
    )
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)

    policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="时限策略",
        db_index=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    warned_at = models.DateTimeField("已预警", null=True, blank=True)
    escalated_at = models.DateTimeField("已升级", null=True, blank=True)
    escalate_to = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="超时升级至",
        db_index=False,
    )

    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    closed_at = models.DateTimeField("处理时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        verbose_name="处理人",
    )
    outcome = models.CharField("处理结果", max_length=64, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被代理人",
        help_text="处理人代谁审批（代理审批）；为空表示本人处理",
        db_index=False,
    )
    urged_at = models.DateTimeField("最近催办", null=True, blank=True)
    waits_for = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="须先完成",
        help_text="加签：该待办要等这一待办处理后才能办理",
        db_index=False,
    )

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["due_at", "id"]
        indexes = [
            # the step kind is carried so that a department's waiting figures (counted by role and
            # kind of step) are read from the index alone; the id ends it so that an inbox branch
            # (a group in a region, soonest due first, then by id) is read in its own order and
            # stops after a page, rather than sorting a busy group's every open step
            models.Index(
                fields=["group", "region", "due_at", "id"],
                include=["step"],
                condition=Q(state="open"),
                name="task_open_by_group",
            ),
            # the first tasks of a region-free group in due order (inbox_head, the 工作台): "region IS
            # NULL" does not fix the region column for the planner, so the index above cannot give
            # that order and a busy group's every task would be sorted
            models.Index(
                fields=["group", "due_at", "id"],
                condition=Q(state="open", region__isnull=True),
                name="task_open_group_no_region",
            ),
            # one kind of step still open, in due order: the 满意度调查 to send, the 外采 to arrange
            models.Index(fields=["step", "due_at", "id"], condition=Q(state="open"), name="task_open_by_step"),
            models.Index(fields=["assignee", "due_at"], condition=Q(state="open"), name="task_open_by_assignee"),
            models.Index(fields=["claimed_by", "due_at"], condition=Q(state="open"), name="task_open_by_claimer"),
            # an inbox in its own order (soonest due first, no deadline last): read in this order and
            # stop after a page, rather than sort every step of a large role's queue
            models.Index(fields=["due_at", "id"], condition=Q(state="open"), name="task_open_by_due"),
            # a department's 本月完成: counted from this index alone (the step kind read from it too);
            # only a closing writes to it, never the sweep, which touches open tasks
            models.Index(
                fields=["group", "closed_at"], include=["step"], condition=Q(state="done"), name="task_done_by_group"
            ),
            # the same for a department counting a few kinds of step among its roles' (云产品下单, 云端部署)
            models.Index(
                fields=["step", "closed_at"], include=["group"], condition=Q(state="done"), name="task_done_by_step"
            ),
            models.Index(fields=["warn_at"], condition=Q(state="open", warned_at__isnull=True), name="task_to_warn"),
            models.Index(
                fields=["due_at"], condition=Q(state="open", escalated_at__isnull=True), name="task_to_escalate"
            ),
            models.Index(fields=["content_type", "object_id", "state"], name="task_subject"),
            models.Index(fields=["closed_by", "-closed_at"], name="task_closed_by"),
            # The foreign keys' own indexes hold only the rows that have a value (a task waits on a
            # group or a person, rarely both): each index is one more write per task the sweep marks.
            models.Index(fields=["group"], condition=Q(group__isnull=False), name="task_group_set"),
            models.Index(fields=["region"], condition=Q(region__isnull=False), name="task_region_set"),
            models.Index(fields=["department"], condition=Q(department__isnull=False), name="task_department_set"),
            models.Index(fields=["assignee"], condition=Q(assignee__isnull=False), name="task_assignee_set"),
            models.Index(
                fields=["exclude_user"], condition=Q(exclude_user__isnull=False), name="task_exclude_user_set"
            ),
            models.Index(fields=["claimed_by"], condition=Q(claimed_by__isnull=False), name="task_claimed_by_set"),
            models.Index(fields=["policy"], condition=Q(policy__isnull=False), name="task_policy_set"),
            models.Index(fields=["escalate_to"], condition=Q(escalate_to__isnull=False), name="task_escalate_to_set"),
            models.Index(
                fields=["on_behalf_of"], condition=Q(on_behalf_of__isnull=False), name="task_on_behalf_of_set"
            ),
            models.Index(fields=["waits_for"], condition=Q(waits_for__isnull=False), name="task_waits_for_set"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False) | Q(assignee__isnull=False), name="task_waits_on_someone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_label}：{self.title}"

    @property
    def outcome_label(self) -> str:
        """How the step was answered, in Chinese (the services record a short code)."""
        return OUTCOME_LABELS.get(self.outcome, "已处理" if self.outcome else "")

    @transition(field=state, source=State.OPEN, target=State.DONE)
    def close(self, *, by, outcome: str, at) -> None:
        self.closed_by, self.outcome, self.closed_at = by, outcome, at

    @transition(field=state, source=State.OPEN, target=State.CANCELLED)
    def cancel(self, *, by, at) -> None:
        self.closed_by, self.outcome, self.closed_at = by, "cancelled", at

    @property
    def closed_by_label(self) -> str:
        """Who answered the step, as the history and the PDFs print it: “李四 代 张三 审批”."""
        if self.closed_by_id is None:
            return "系统"
        if self.on_behalf_of_id is not None:
            return f"{self.closed_by} 代 {self.on_behalf_of} 审批"
        return str(self.closed_by)

    def is_overdue(self, now) -> bool:
        return self.state == self.State.OPEN and self.due_at is not None and self.due_at <= now


class Sequence(models.Model):
    """Running numbers per prefix and year (实施登记号, 问题登记号, 问题申报单号…)."""

    prefix = models.CharField("前缀", max_length=16)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("当前号", default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="sequence_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.year}-{self.last:05d}"


# The kinds of step a delegation can be limited to: the first part of a step code.
STEP_KINDS = {
    "registration": "实施登记审批",
    "project": "项目立项与需求",
    "product_request": "产品领取单",
    "customisation": "定制化评估",
    "delivery": "交付任务",
    "handover": "项目移交",
    "ticket": "售后问题",
    "change": "需求变更",
    "release": "版本发布",
}


def step_kind(step: str) -> str:
    return step.split(".", 1)[0]


class Delegation(models.Model):
    """代理审批: while it runs, the delegate sees and may answer the delegator's waiting steps (all
    kinds, or only the kinds listed). It never lets the delegate decide their own request."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given", verbose_name="委托人"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_taken", verbose_name="代理人"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", help_text="含当天；次日零点自动结束")
    step_kinds = models.JSONField("限定环节类型", default=list, blank=True, help_text="为空表示全部类型的待办")
    reason = models.CharField("原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="设置人"
    )
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    start_notified_at = models.DateTimeField("已通知开始", null=True, blank=True)
    end_notified_at = models.DateTimeField("已通知结束", null=True, blank=True)

    class Meta:
        verbose_name = "代理审批"
        verbose_name_plural = "代理审批"
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["delegate", "starts_on", "ends_on"], name="delegation_by_delegate"),
            models.Index(fields=["delegator", "starts_on"], name="delegation_by_delegator"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_ordered"),
            models.CheckConstraint(condition=~Q(delegator=models.F("delegate")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} 代 {self.delegator}（{self.starts_on} 至 {self.ends_on}）"

    def covers(self, step: str) -> bool:
        return not self.step_kinds or step_kind(step) in self.step_kinds

    @property
    def kinds_label(self) -> str:
        if not self.step_kinds:
            return "全部"
        return "、".join(STEP_KINDS.get(k, k) for k in self.step_kinds)


class CarbonCopy(models.Model):
    """抄送: a person copied on a record may see it and is told how it ends."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="记录类型")
    object_id = models.PositiveBigIntegerField("记录 ID")
    subject = GenericForeignKey("content_type", "object_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="carbon_copies", verbose_name="抄送人"
    )
    title = models.CharField("事项", max_length=200)
    link = models.CharField("链接", max_length=500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="抄送者",
    )
    note = models.CharField("附言", max_length=200, blank=True)
    created_at = models.DateTimeField("抄送时间", auto_now_add=True)
    outcome = models.CharField("结果", max_length=64, blank=True)
    outcome_at = models.DateTimeField("结果通知时间", null=True, blank=True)

    class Meta:
        verbose_name = "抄送"
        verbose_name_plural = "抄送"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="cc_by_user"),
            models.Index(fields=["content_type", "object_id"], name="cc_subject"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "user"], name="cc_once_per_record"),
        ]

    def __str__(self) -> str:
        return f"抄送 {self.user}：{self.title}"

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, "已处理" if self.outcome else "")


class ActionLinkUse(models.Model):
    """A one-click 通过 / 退回 link (mail, IM card) that has been used: each link acts once."""

    nonce = models.CharField("链接编号", max_length=32, unique=True)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+", verbose_name="待办")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="使用人"
    )
    outcome = models.CharField("动作", max_length=16)
    channel = models.CharField("来源", max_length=16, default="mail")
    used_at = models.DateTimeField("使用时间", auto_now_add=True)

    class Meta:
        verbose_name = "一键审批链接使用记录"
        verbose_name_plural = "一键审批链接使用记录"

    def __str__(self) -> str:
        return f"{self.nonce}（{self.used_at:%Y-%m-%d %H:%M}）"


class Platform(models.TextChoices):
    DINGTALK = "dingtalk", "钉钉"
    FEISHU = "feishu", "飞书"
    WECOM = "wecom", "企业微信"


class Robot(models.Model):
    """A group robot (群机器人) that is told of the steps waiting in a department or a project."""

    name = models.CharField("名称", max_length=64)
    platform = models.CharField("平台", max_length=16, choices=Platform.choices)
    webhook = models.URLField(
        "Webhook 地址",
        max_length=500,
        help_text="钉钉：含 access_token 的地址；飞书：hook 地址；企业微信：含 key 的地址（密钥即在地址中）",
    )
    secret = models.CharField(
        "加签密钥", max_length=200, blank=True, help_text="钉钉“加签”的 SEC 开头密钥、飞书“签名校验”密钥；企业微信留空"
    )
    callback_secret = models.CharField(
        "回调校验密钥",
        max_length=200,
        blank=True,
        help_text="卡片按钮回调的校验：钉钉为应用 AppSecret，飞书为 Encrypt Key，企业微信为回调 Token",
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="部门"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="项目"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["platform", "name"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"


class RobotMessage(models.Model):
    """One message to a group robot: written in the transaction, sent by Celery with retries."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, related_name="messages", verbose_name="机器人")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "群机器人消息"
        verbose_name_plural = "群机器人消息"
        indexes = [models.Index(fields=["state", "created_at"], name="robot_message_pending")]

    def __str__(self) -> str:
        return self.title


class ImIdentity(models.Model):
    """Who a person is on an IM platform, so a button pressed on a card is known to be his."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="im_identities", verbose_name="用户"
    )
    platform = models.CharField("平台", max_length=16, choices=Platform.choices)
    im_user_id = models.CharField("平台用户 ID", max_length=128, help_text="钉钉 userid、飞书 open_id、企业微信 UserID")

    class Meta:
        verbose_name = "IM 账号"
        verbose_name_plural = "IM 账号"
        constraints = [models.UniqueConstraint(fields=["platform", "im_user_id"], name="im_identity_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_platform_display()}"


class ChainStepSetting(models.Model):
    """What an administrator may change of a declared chain step (approvals.chains): who it waits
    on, whether all of them must approve (会签) or any one (或签), its deadline, who is copied."""

    class Mode(models.TextChoices):
        ANY = "any", "或签（任一人通过即可）"
        ALL = "all", "会签（全部通过）"

    code = models.CharField("环节代码", max_length=64, unique=True)
    label = models.CharField("环节", max_length=64)
    role = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+", verbose_name="审批角色")
    mode = models.CharField("签核方式", max_length=8, choices=Mode.choices, default=Mode.ANY)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="时限策略"
    )
    copy_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="抄送", help_text="该环节打开时抄送这些人"
    )

    class Meta:
        verbose_name = "审批环节设置"
        verbose_name_plural = "审批环节设置"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"
