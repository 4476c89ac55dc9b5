from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from pmis.catalog.models import Product
from pmis.org.models import Region


class State(models.TextChoices):
    INITIATED = "initiated", "已立项"
    REQUIREMENTS = "requirements", "需求确认"
    IMPLEMENTING = "implementing", "实施中"
    TRIAL_RUN = "trial_run", "试运行"
    LIVE = "live", "已上线"
    ACCEPTANCE = "acceptance", "验收"
    HANDOVER = "handover", "移交中"
    MAINTENANCE = "maintenance", "运维"
    CLOSED = "closed", "已关闭"
    SUSPENDED = "suspended", "已暂停"
    TERMINATED = "terminated", "已终止"


ACTIVE_STATES = (
    State.INITIATED,
    State.REQUIREMENTS,
    State.IMPLEMENTING,
    State.TRIAL_RUN,
    State.LIVE,
    State.ACCEPTANCE,
)
PHASE_ORDER = (*ACTIVE_STATES, State.HANDOVER, State.MAINTENANCE, State.CLOSED)
# a project in these states takes no new delivery tasks or product requests
NO_NEW_WORK_STATES = (State.TERMINATED, State.SUSPENDED, State.CLOSED)


class Project(FSMModelMixin, models.Model):
    """A delivery project (项目), initiated (立项) from a dispatched registration."""

    class Kind(models.TextChoices):
        LOCAL = "local", "本地化项目"
        SAAS = "saas", "SaaS 项目"

    class Size(models.TextChoices):
        # 002 验收准备: the acceptance documents depend on it
        LARGE = "large", "大项目"
        SMALL = "small", "小项目"

    code = models.CharField("项目编号", max_length=32, unique=True)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("项目类别", max_length=16, choices=Kind.choices)
    customer_name = models.CharField("客户名称", max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="projects", verbose_name="区域")
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_projects",
        verbose_name="项目经理",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级项目"
    )
    registration = models.ForeignKey(
        "registrations.Registration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="立项依据（登记）",
    )
    state = FSMField("阶段", max_length=32, choices=State.choices, default=State.INITIATED, protected=True)
    suspended_from = models.CharField("暂停前阶段", max_length=32, blank=True)
    overview = models.TextField("概述", blank=True)
    basis = models.CharField("立项依据", max_length=64, blank=True, help_text="关联的实施登记号 / 问题登记号")
    svn_path = models.CharField("SVN 路径", max_length=255, blank=True)
    feasibility_review = models.TextField("可行性评估", blank=True)
    risk_review = models.TextField("合同与实施风险评估", blank=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="立项人",
    )
    requirements_confirmed_at = models.DateTimeField("需求确认时间", null=True, blank=True)
    size = models.CharField(
        "项目规模", max_length=8, choices=Size.choices, blank=True, help_text="立项时确定；大项目与小项目的验收文档不同"
    )
    started_at = models.DateTimeField("正式启动时间", null=True, blank=True, help_text="项目启动会结束的时间")
    created_at = models.DateTimeField("立项时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    tasks = GenericRelation("approvals.Task", related_query_name="project")

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="project_recent"),
            models.Index(fields=["region", "-created_at"], name="project_region_recent"),
            models.Index(fields=["state", "kind", "region"], name="project_state_kind"),
            models.Index(fields=["pm", "-created_at"], name="project_pm_recent"),
            # 周报缺报: the projects in delivery with a PM, in the list's order (region, code)
            models.Index(
                fields=["region", "code"],
                include=["id"],
                condition=models.Q(state__in=ACTIVE_STATES, pm__isnull=False),
                name="project_active_with_pm",
            ),
        ]
        permissions = [
            ("manage_project", "项目管理员"),
            ("implement_project", "实施人员"),
            ("develop_project", "开发经理"),
            ("business_project", "业务人员"),
            ("product_project", "产品经理"),
            ("accept_project", "流程受理人员"),
            ("approve_project", "流程审批人员"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def suspended_from_label(self) -> str:
        """The phase a suspended project will resume in, as people read it."""
        return State(self.suspended_from).label if self.suspended_from in State.values else self.suspended_from

    # -- transitions (bodies touch only this row; services check gates, lock and audit) --

    @transition(field=state, source=State.INITIATED, target=State.REQUIREMENTS)
    def start_requirements(self):
        pass

    @transition(field=state, source=State.REQUIREMENTS, target=State.IMPLEMENTING)
    def start_implementation(self):
        pass

    @transition(field=state, source=State.IMPLEMENTING, target=State.TRIAL_RUN)
    def start_trial_run(self):
        pass

    @transition(field=state, source=State.TRIAL_RUN, target=State.LIVE)
    def go_live(self):
        pass

    @transition(field=state, source=State.TRIAL_RUN, target=State.TERMINATED)
    def terminate_after_trial(self):
        pass

    @transition(field=state, source=State.LIVE, target=State.ACCEPTANCE)
    def start_acceptance(self):
        pass

    @transition(field=state, source=State.ACCEPTANCE, target=State.HANDOVER)
    def submit_handover(self):
        pass

    @transition(field=state, source=State.HANDOVER, target=State.ACCEPTANCE)
    def handover_returned(self):
        pass

    @transition(field=state, source=State.HANDOVER, target=State.MAINTENANCE)
    def accept_handover(self):
        pass

    @transition(field=state, source=State.MAINTENANCE, target=State.CLOSED)
    def close(self):
        pass

    @transition(field=state, source=list(ACTIVE_STATES), target=State.SUSPENDED)
    def suspend(self):
        self.suspended_from = self.state

    @transition(field=state, source=State.SUSPENDED, target=RETURN_VALUE(*ACTIVE_STATES))
    def resume(self):
        phase, self.suspended_from = self.suspended_from or State.INITIATED, ""
        return phase


class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


MEETING_TOPICS = (
    ("background", "客户公司背景说明"),
    ("requirements", "客户需求说明"),
    ("scenarios", "业务场景流程及业务系统名称介绍"),
    ("products", "使用产品"),
    ("integration", "集成说明（对接业务场景及对接系统）"),
    ("special", "特殊说明"),
)


class HandoverMeeting(models.Model):
    """项目会议交接 (001 §3.2.2 / §3.3.2): held at initiation with sales, presales and delivery."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="meeting", verbose_name="项目")
    held_on = models.DateField("会议日期")
    participants = models.CharField("参会人员", max_length=500)
    topics = models.JSONField("交接内容", default=list)
    minutes = models.TextField("会议纪要", blank=True)

    class Meta:
        verbose_name = "项目交接会议"
        verbose_name_plural = "项目交接会议"

    def __str__(self) -> str:
        return f"{self.project} 交接会议 {self.held_on}"

    def topic_labels(self) -> list[str]:
        labels = dict(MEETING_TOPICS)
        return [labels.get(t, t) for t in self.topics]


class RequirementItem(models.Model):
    """需求清单及跟进表: one customer requirement, classified against the contract."""

    class Classification(models.TextChoices):
        UNCLASSIFIED = "unclassified", "未分类"
        STANDARD = "standard", "标准产品可满足"
        CUSTOM_IN_CONTRACT = "custom_in_contract", "合同内定制"
        CUSTOM_OUT_OF_CONTRACT = "custom_out_of_contract", "合同外定制"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        IN_PROGRESS = "in_progress", "跟进中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="requirements", verbose_name="项目")
    title = models.CharField("需求", max_length=200)
    description = models.TextField("描述", blank=True)
    classification = models.CharField(
        "分类", max_length=32, choices=Classification.choices, default=Classification.UNCLASSIFIED
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    follow_up = models.TextField("跟进记录", blank=True)
    registration = models.ForeignKey(
        "registrations.Registration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tracked_requirements",
        verbose_name="升级扩展登记",
        help_text="未新签合同的升级扩展问题登记在原项目中以本条需求跟进",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "需求条目"
        verbose_name_plural = "需求清单及跟进表"
        ordering = ["id"]
        indexes = [models.Index(fields=["project", "classification"], name="requirement_project_class")]

    def __str__(self) -> str:
        return self.title


class CustomisationRequest(FSMModelMixin, models.Model):
    """An out-of-contract customisation (000 §3.3.2): the PM estimates person-days with R&D, the
    named 研发经理 confirms the technical solution and the workload (000 §3.4: agreed with the
    项目总监 before development) or sends it back, the responsible sales confirms, then sales
    files the customisation task."""

    class State(models.TextChoices):
        ESTIMATING = "estimating", "待评估工作量"
        PENDING_RD = "pending_rd", "待研发确认"
        RD_RETURNED = "rd_returned", "研发退回"
        PENDING_SALES = "pending_sales", "待销售确认"
        CONFIRMED = "confirmed", "待发起定制任务"
        FILED = "filed", "已发起定制任务"
        DECLINED = "declined", "销售不认可"

    requirement = models.OneToOneField(
        RequirementItem, on_delete=models.CASCADE, related_name="customisation", verbose_name="需求条目"
    )
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.ESTIMATING, protected=True)
    person_days = models.DecimalField("工作量（人天）", max_digits=7, decimal_places=1, null=True, blank=True)
    estimate_note = models.TextField("评估说明", blank=True)
    rd_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="研发评估人",
    )
    solution = models.TextField("技术实现方案", blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="customisation")
    task_reference = models.CharField("定制化任务申请", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "定制化需求"
        verbose_name_plural = "定制化需求"

    def __str__(self) -> str:
        return f"定制：{self.requirement}"

    def get_absolute_url(self) -> str:
        return reverse("projects:customisation", args=[self.requirement.project_id, self.pk])

    @transition(field=state, source=[State.ESTIMATING, State.DECLINED, State.RD_RETURNED], target=State.PENDING_RD)
    def estimate(self, *, person_days, note, rd_expert):
        self.person_days, self.estimate_note, self.rd_expert = person_days, note, rd_expert

    @transition(field=state, source=State.PENDING_RD, target=State.PENDING_SALES)
    def rd_confirm(self, *, solution):
        self.solution = solution

    @transition(field=state, source=State.PENDING_RD, target=State.RD_RETURNED)
    def rd_return(self):
        pass

    @transition(field=state, source=State.PENDING_SALES, target=State.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=state, source=State.PENDING_SALES, target=State.DECLINED)
    def decline(self):
        pass

    @transition(
        field=state,
        source=[State.PENDING_RD, State.PENDING_SALES, State.CONFIRMED],
        target=RETURN_VALUE(State.ESTIMATING, State.PENDING_RD, State.PENDING_SALES),
    )
    def send_back_to(self, target: str):
        """退回到指定环节: back to an earlier step of its chain (approvals.chains checks which)."""
        return target

    @transition(field=state, source=State.CONFIRMED, target=State.FILED)
    def file_task(self, *, reference):
        self.task_reference = reference

    @transition(
        field=state,
        source=[
            State.ESTIMATING,
            State.PENDING_RD,
            State.RD_RETURNED,
            State.PENDING_SALES,
            State.CONFIRMED,
            State.DECLINED,
        ],
        target=State.ESTIMATING,
    )
    def restart(self):
        """The item is classified out of contract again: estimate anew."""
        self.person_days, self.estimate_note, self.solution = None, "", ""


class DeliveryTask(FSMModelMixin, models.Model):
    """实施任务: assigned by the regional PM to an implementer."""

    class Type(models.TextChoices):
        VERIFICATION = "verification", "产品验证"
        ONSITE = "onsite", "现场实施"
        REMOTE = "remote", "远程实施"
        INTEGRATION = "integration", "系统集成"
        TRAINING = "training", "用户培训"
        GO_LIVE = "go_live", "上线支持"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        ASSIGNED = "assigned", "已指派"
        ACCEPTED = "accepted", "已接受"
        IN_PROGRESS = "in_progress", "进行中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="delivery_tasks", verbose_name="项目")
    type = models.CharField("任务类型", max_length=16, choices=Type.choices)
    title = models.CharField("任务", max_length=200)
    description = models.TextField("说明", blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delivery_tasks", verbose_name="实施人员"
    )
    due_date = models.DateField("计划完成日期", null=True, blank=True)
    state = FSMField("状态", max_length=16, choices=State.choices, default=State.ASSIGNED, protected=True)
    result = models.TextField("完成情况", blank=True)
    created_at = models.DateTimeField("指派时间", auto_now_add=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "实施任务"
        verbose_name_plural = "实施任务"
        ordering = ["id"]
        indexes = [models.Index(fields=["assignee", "state"], name="delivery_assignee_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_service_form(self) -> bool:
        """000 §3.3.7: on-site or remote implementation ends with a 客户服务单."""
        return self.type in (self.Type.ONSITE, self.Type.REMOTE)

    @transition(field=state, source=State.ASSIGNED, target=State.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=[State.ASSIGNED, State.ACCEPTED], target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.DONE)
    def finish(self, *, result, at):
        self.result, self.done_at = result, at

    @transition(field=state, source=[State.ASSIGNED, State.ACCEPTED, State.IN_PROGRESS], target=State.CANCELLED)
    def cancel(self):
        pass


class ProductRequest(FSMModelMixin, models.Model):
    """产品领取单 (000 §3.3.4–3.3.5): implementer → regional PM → business → product department,
    which issues download paths and licence files → implementer confirms receipt."""

    class State(models.TextChoices):
        PENDING_PM = "pending_pm", "待区域项目经理审核"
        PENDING_BUSINESS = "pending_business", "待商务审核"
        PENDING_PRODUCT = "pending_product", "待产品部发放"
        ISSUED = "issued", "已发放，待确认领取"
        RECEIVED = "received", "已领取"
        RETURNED = "returned", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="product_requests", verbose_name="项目")
    number = models.CharField("领取单号", max_length=32, unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    registration_number = models.CharField("实施登记号", max_length=32)
    svn_path = models.CharField("文件存放 SVN 路径", max_length=255)
    note = models.TextField("说明", blank=True)
    state = FSMField("状态", max_length=32, choices=State.choices, default=State.PENDING_PM, protected=True)
    issue_note = models.TextField("发放说明", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    issued_at = models.DateTimeField("发放时间", null=True, blank=True)
    received_at = models.DateTimeField("领取时间", null=True, blank=True)
    tasks = GenericRelation("approvals.Task", related_query_name="product_request")

    class Meta:
        verbose_name = "产品领取单"
        verbose_name_plural = "产品领取单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("projects:product_request", args=[self.project_id, self.pk])

    @transition(field=state, source=State.PENDING_PM, target=State.PENDING_BUSINESS)
    def approve_pm(self):
        pass

    @transition(field=state, source=State.PENDING_BUSINESS, target=State.PENDING_PRODUCT)
    def approve_business(self):
        pass

    @transition(field=state, source=State.PENDING_PRODUCT, target=State.ISSUED)
    def issue(self, *, note, at):
        self.issue_note, self.issued_at = note, at

    @transition(field=state, source=State.ISSUED, target=State.RECEIVED)
    def confirm_receipt(self, *, at):
        self.received_at = at

    @transition(
        field=state, source=[State.PENDING_PM, State.PENDING_BUSINESS, State.PENDING_PRODUCT], target=State.RETURNED
    )
    def send_back(self):
        pass

    @transition(
        field=state,
        source=[State.PENDING_BUSINESS, State.PENDING_PRODUCT],
        target=RETURN_VALUE(State.PENDING_PM, State.PENDING_BUSINESS),
    )
    def send_back_to(self, target: str):
        """退回到指定环节: back to an earlier step of its chain (approvals.chains checks which)."""
        return target

    @transition(field=state, source=State.RETURNED, target=State.PENDING_PM)
    def resubmit(self, *, note):
        self.note = note

    @transition(field=state, source=State.RETURNED, target=State.WITHDRAWN)
    def withdraw(self):
        pass


class ProductRequestItem(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", "标准产品"
        CUSTOM = "custom", "定制产品"

    request = models.ForeignKey(ProductRequest, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name="产品")
    version = models.CharField("版本", max_length=50)
    licence_count = models.PositiveIntegerField("授权数量", default=1)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.STANDARD)
    download_path = models.CharField("下载路径", max_length=500, blank=True, help_text="由产品管理部填写")

    class Meta:
        verbose_name = "领取产品"
        verbose_name_plural = "领取产品"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.product} {self.version}"


class WeeklyReport(models.Model):
    """项目周报 (004 §1.3): filed by the PM every Monday."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="weekly_reports", verbose_name="项目")
    week_start = models.DateField("周（周一）")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填写人"
    )
    last_week = models.TextField("上周工作")
    this_week = models.TextField("本周计划")
    coordination = models.TextField("需协调事项", blank=True)
    created_at = models.DateTimeField("填写时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目周报"
        verbose_name_plural = "项目周报"
        ordering = ["-week_start"]
        constraints = [models.UniqueConstraint(fields=["project", "week_start"], name="weekly_report_once")]
        indexes = [models.Index(fields=["week_start", "project"], name="weekly_week_project")]

    def __str__(self) -> str:
        return f"{self.project} {self.week_start:%Y-%m-%d} 周报"


class NewsItem(models.Model):
    """项目新闻: the feed the company reads; handover acceptance posts to it."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="news", verbose_name="项目"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "项目新闻"
        verbose_name_plural = "项目新闻"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
