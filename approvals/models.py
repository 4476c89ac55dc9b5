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
    "decided": "已决定",
    "answered": "已回复",
}


class Task(FSMModelMixin, models.Model):
    """One piece of waiting work (待办): a step of some record that waits on a role group (within
    a region, if the role is region-scoped) or on one person. The service that answers the step
    closes it."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        DONE = "done", "已处理"
        CANCELLED = "cancelled", "已取消"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="记录类型")
    object_id = models.PositiveBigIntegerField("记录 ID")
    subject = GenericForeignKey("content_type", "object_id")
    step = models.CharField("环节代码", max_length=64)
    step_label = models.CharField("环节", max_length=64)
    title = models.CharField("事项", max_length=200)
    link = models.CharField("链接", max_length=500)

    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="等待角色"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="区域"
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="团队",
        help_text="只等待该部门（团队）内的角色成员，如销售主管只审本团队的登记",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name="指定处理人",
    )
    exclude_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回避人",
        help_text="不得处理此待办的人（如申请人本人，不可自审）",
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
    )
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)

    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, null=True, blank=True, verbose_name="时限策略")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    warned_at = models.DateTimeField("已预警", null=True, blank=True)
    escalated_at = models.DateTimeField("已升级", null=True, blank=True)
    escalate_to = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="超时升级至"
    )

    state = FSMField("状态", max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    closed_at = models.DateTimeField("处理时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    outcome = models.CharField("处理结果", max_length=64, blank=True)

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["group", "region", "due_at"], condition=Q(state="open"), name="task_open_by_group"),
            models.Index(fields=["assignee", "due_at"], condition=Q(state="open"), name="task_open_by_assignee"),
            models.Index(fields=["claimed_by", "due_at"], condition=Q(state="open"), name="task_open_by_claimer"),
            models.Index(fields=["warn_at"], condition=Q(state="open", warned_at__isnull=True), name="task_to_warn"),
            models.Index(
                fields=["due_at"], condition=Q(state="open", escalated_at__isnull=True), name="task_to_escalate"
            ),
            models.Index(fields=["content_type", "object_id", "state"], name="task_subject"),
            models.Index(fields=["closed_by", "-closed_at"], name="task_closed_by"),
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
