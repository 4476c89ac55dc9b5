"""平台运维部 (000 §3.8): a special project deployed on the company's cloud servers, or its log or
version maintenance there, after special approval (the region's 特批领导, then the 平台运维部
manager); 平台运维部 executes and records servers, versions and dates."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from projects.models import Project


class CloudDeployment(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        DEPLOY = "deploy", "云服务器部署"
        LOGS = "logs", "日志维护"
        VERSION = "version", "版本迭代维护"

    class State(models.TextChoices):
        PENDING_SPECIAL = "pending_special", "待特批领导审批"
        PENDING_MANAGER = "pending_manager", "待平台运维部经理审批"
        PENDING_EXECUTION = "pending_execution", "待平台运维部执行"
        DONE = "done", "已完成"
        REJECTED = "rejected", "已驳回"

    number = models.CharField("申请单号", max_length=32, unique=True)
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="cloud_deployments", verbose_name="项目"
    )
    kind = models.CharField("申请类型", max_length=16, choices=Kind.choices)
    reason = models.TextField("特殊原因与需求")
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_SPECIAL, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    special_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="特批领导",
    )
    special_approved_at = models.DateTimeField("特批时间", null=True, blank=True)
    manager_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="平台运维部经理",
    )
    manager_approved_at = models.DateTimeField("经理审批时间", null=True, blank=True)
    reject_reason = models.TextField("驳回原因", blank=True)
    servers = models.TextField("服务器", blank=True)
    versions = models.CharField("部署版本", max_length=200, blank=True)
    started_on = models.DateField("开始日期", null=True, blank=True)
    finished_on = models.DateField("完成日期", null=True, blank=True)
    execution_note = models.TextField("执行说明", blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="执行人",
    )
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="cloud_deployment")

    class Meta:
        verbose_name = "云端部署申请"
        verbose_name_plural = "云端部署申请"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="deployment_state"),
            models.Index(fields=["-created_at", "-id"], name="deployment_created"),
            models.Index(fields=["project", "-created_at"], name="deployment_project"),
            models.Index(fields=["done_at"], name="deployment_done"),
        ]
        constraints = [
            # executed only after both approvals: the database refuses a record that skips one
            models.CheckConstraint(
                condition=~Q(state__in=["pending_execution", "done"])
                | (Q(special_approved_at__isnull=False) & Q(manager_approved_at__isnull=False)),
                name="deployment_executed_after_approvals",
            ),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(finished_on__gte=models.F("started_on")),
                name="deployment_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.project.name} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("platformops:deployment", args=[self.pk])

    @transition(field=state, source=State.PENDING_SPECIAL, target=State.PENDING_MANAGER)
    def approve_special(self, *, by, at):
        self.special_approved_by, self.special_approved_at = by, at

    @transition(field=state, source=State.PENDING_MANAGER, target=State.PENDING_EXECUTION)
    def approve_manager(self, *, by, at):
        self.manager_approved_by, self.manager_approved_at = by, at

    @transition(field=state, source=[State.PENDING_SPECIAL, State.PENDING_MANAGER], target=State.REJECTED)
    def reject(self, *, reason):
        self.reject_reason = reason

    @transition(field=state, source=State.PENDING_EXECUTION, target=State.DONE)
    def execute(self, *, by, at, servers, versions, started_on, finished_on, note):
        self.executed_by, self.done_at = by, at
        self.servers, self.versions, self.started_on, self.finished_on = servers, versions, started_on, finished_on
        self.execution_note = note
