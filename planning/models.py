"""Planning and control during delivery (003 规划交付进度 / 风险列表 / 责任矩阵; 004 §1.3, §3, §4):
the milestone plan, the risk register, the responsibility matrix and the monthly report."""

from django.conf import settings
from django.db import models

from projects.models import Project


class Side(models.TextChoices):
    """The parties of 003's responsibility matrix and plan table."""

    CUSTOMER = "customer", "客户"
    OURS = "ours", "我方项目组"
    THIRD = "third", "第三方"


# ---------------------------------------------------------------------------------------------
# milestone plan (里程碑计划)


class PlanItem(models.Model):
    """One row of 003's plan table: 编号, 工作任务, 开始时间, 结束时间, 前置任务, 状态, owners per side."""

    class Kind(models.TextChoices):
        TASK = "task", "工作任务"
        MILESTONE = "milestone", "里程碑"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        IN_PROGRESS = "in_progress", "进行中"
        DONE = "done", "已完成"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plan_items", verbose_name="项目")
    seq = models.PositiveIntegerField("编号")
    group = models.CharField("分组", max_length=100, blank=True, help_text="如 003 表中的「智慧消防」")
    name = models.CharField("工作任务", max_length=200)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.TASK)
    planned_start = models.DateField("计划开始")
    planned_end = models.DateField("计划结束")
    predecessors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependants", verbose_name="前置任务"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name="我方负责人",
    )
    customer_owner = models.CharField("客户负责人", max_length=64, blank=True)
    supplier_owner = models.CharField("供应商负责人", max_length=64, blank=True)
    actual_start = models.DateField("实际开始", null=True, blank=True)
    actual_end = models.DateField("实际完成", null=True, blank=True)
    baseline_start = models.DateField("基线开始", null=True, blank=True)
    baseline_end = models.DateField("基线结束", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "计划项"
        verbose_name_plural = "里程碑计划"
        ordering = ["project", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="plan_item_seq_unique"),
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")), name="plan_item_dates_ordered"
            ),
        ]
        indexes = [
            # the late sweep: unfinished items by planned end
            models.Index(fields=["actual_end", "planned_end"], name="plan_item_late"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.name}"


# ---------------------------------------------------------------------------------------------
# risk register (风险列表)


class RiskLevel(models.TextChoices):
    LOW = "low", "低"
    MEDIUM = "medium", "中"
    HIGH = "high", "高"


LEVEL_RANK = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class Rating(models.IntegerChoices):
    LOW = 1, "低"
    MEDIUM = 2, "中"
    HIGH = 3, "高"


class RiskMatrixCell(models.Model):
    """One cell of the probability × impact matrix; the admin keeps the matrix."""

    probability = models.PositiveSmallIntegerField("可能性", choices=Rating.choices)
    impact = models.PositiveSmallIntegerField("影响", choices=Rating.choices)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)

    class Meta:
        verbose_name = "风险等级矩阵"
        verbose_name_plural = "风险等级矩阵"
        ordering = ["-probability", "-impact"]
        constraints = [models.UniqueConstraint(fields=["probability", "impact"], name="risk_matrix_cell_unique")]

    def __str__(self) -> str:
        return f"可能性{self.get_probability_display()} × 影响{self.get_impact_display()} → {self.get_level_display()}"


class Risk(models.Model):
    class Source(models.TextChoices):  # 004 §4.1 and 003
        TECHNICAL = "technical", "技术"
        PROCUREMENT = "procurement", "设备采购"
        SCHEDULE = "schedule", "进度"
        OPERATIONS = "operations", "运维"
        CUSTOMER = "customer", "客户"
        SUPPLIER = "supplier", "供应商"
        COMMERCIAL = "commercial", "商务"

    class Strategy(models.TextChoices):
        AVOID = "avoid", "规避"
        TRANSFER = "transfer", "转移"
        MITIGATE = "mitigate", "减轻"
        ACCEPT = "accept", "接受"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        TRACKING = "tracking", "跟踪中"
        CLOSED = "closed", "已关闭"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks", verbose_name="项目")
    source = models.CharField("风险来源", max_length=16, choices=Source.choices)
    description = models.TextField("风险描述")
    probability = models.PositiveSmallIntegerField("可能性", choices=Rating.choices)
    impact = models.PositiveSmallIntegerField("影响", choices=Rating.choices)
    # from the matrix when the risk is saved; refreshed when the admin changes the matrix
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    level_rank = models.PositiveSmallIntegerField("等级序", default=1)
    strategy = models.CharField("应对策略", max_length=16, choices=Strategy.choices)
    measures = models.TextField("应对措施", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks", verbose_name="责任人"
    )
    due_date = models.DateField("计划解决日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    next_review = models.DateField("下次评审日期")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "风险"
        verbose_name_plural = "风险列表"
        ordering = ["-level_rank", "due_date", "id"]
        indexes = [
            models.Index(fields=["project", "status", "-level_rank"], name="risk_project_open"),
            models.Index(fields=["status", "next_review"], name="risk_review_due"),
            models.Index(fields=["status", "-level_rank", "created_at"], name="risk_top"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class RiskFollowUp(models.Model):
    """跟进记录: a weekly review or any note on the risk."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="follow_ups", verbose_name="风险")
    note = models.TextField("跟进情况")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="跟进人"
    )
    created_at = models.DateTimeField("跟进时间", auto_now_add=True)

    class Meta:
        verbose_name = "风险跟进"
        verbose_name_plural = "风险跟进"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.note[:40]


# ---------------------------------------------------------------------------------------------
# responsibility matrix (责任矩阵, RACI)

RACI_LETTERS = ("R", "A", "S", "C", "I")
RACI_LEGEND = "R：执行；A：审批/审核；S：支持；C：咨询；I：通知"
RACI_CHOICES = [
    ("", "请选择（无）"),
    ("R", "R 执行"),
    ("A", "A 审批/审核"),
    ("S", "S 支持"),
    ("C", "C 咨询"),
    ("I", "I 通知"),
]


class RaciTemplateRow(models.Model):
    """The company's template (seeded from 003's 需求管理责任分工); a project copies it."""

    code = models.SlugField("代码", max_length=64, unique=True)
    seq = models.PositiveIntegerField("序号")
    activity = models.CharField("活动", max_length=100)
    customer = models.CharField("客户", max_length=2, blank=True, choices=RACI_CHOICES)
    ours = models.CharField("我方项目组", max_length=2, blank=True, choices=RACI_CHOICES)
    third = models.CharField("第三方", max_length=2, blank=True, choices=RACI_CHOICES)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "责任矩阵模板"
        verbose_name_plural = "责任矩阵模板"
        ordering = ["seq", "id"]

    def __str__(self) -> str:
        return self.activity


class ProjectRaci(models.Model):
    """One activity of a project's matrix, with the person on our side who answers for it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="raci_rows", verbose_name="项目")
    code = models.SlugField("代码", max_length=64)
    seq = models.PositiveIntegerField("序号")
    activity = models.CharField("活动", max_length=100)
    customer = models.CharField("客户", max_length=2, blank=True, choices=RACI_CHOICES)
    ours = models.CharField("我方项目组", max_length=2, blank=True, choices=RACI_CHOICES)
    third = models.CharField("第三方", max_length=2, blank=True, choices=RACI_CHOICES)
    ours_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="我方责任人",
    )

    class Meta:
        verbose_name = "项目责任矩阵"
        verbose_name_plural = "项目责任矩阵"
        ordering = ["project", "seq", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="project_raci_code_unique")]

    def __str__(self) -> str:
        return self.activity


# ---------------------------------------------------------------------------------------------
# monthly report (项目月报; the weekly one is projects.WeeklyReport)


class MonthlyReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="monthly_reports", verbose_name="项目")
    month = models.DateField("月份（1 日）")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填写人"
    )
    progress = models.TextField("本月进展")
    milestones = models.TextField("里程碑情况", blank=True)
    risks = models.TextField("风险情况", blank=True)
    next_month = models.TextField("下月计划")
    created_at = models.DateTimeField("填写时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "项目月报"
        verbose_name_plural = "项目月报"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="monthly_report_once")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m} 月报"
