"""What each phase needs (002 and 000 §3.3.10) and the gates between phases (DESIGN.md §2.2)."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from pmis.catalog.models import DocumentType
from pmis.documents.models import Attachment

from .models import (
    NO_NEW_WORK_STATES,
    CustomisationRequest,
    DeliveryTask,
    ProductRequest,
    ProductRequestItem,
    Project,
    RequirementItem,
    State,
)

# 000 §3.3.10: only with these seven may the project be handed over
ACCEPTANCE_DOCUMENTS = (
    "product-request",
    "customer-service-form",
    "user-acceptance-report",
    "implementation-plan",
    "new-requirement-list",
    "issue-summary",
    "basic-info-form",
)

# per phase, the forms of 001 / 002 that belong to it (shown as a checklist on the project page)
PHASE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    State.INITIATED: ("handover-meeting-minutes", "implementation-plan"),
    State.REQUIREMENTS: ("requirement-confirmation", "requirement-list"),
    State.IMPLEMENTING: ("product-request", "install-debug-report", "customer-service-form", "basic-info-form"),
    State.TRIAL_RUN: ("trial-run-confirmation", "training-plan", "training-notice", "training-attendance"),
    State.LIVE: ("change-request",),
    State.ACCEPTANCE: (
        "system-acceptance-report",
        "technical-archive",
        "function-test-sheet",
        "handover-material-list",
        "service-promise-card",
        "summary-report",
        "user-acceptance-report",
        "new-requirement-list",
        "issue-summary",
    ),
}


def present_documents(project: Project) -> set[str]:
    """Document types the project has: on itself, on its delivery tasks, and a received product
    request counts as its 产品领取单, a training session held with its sign-in sheet signed as its
    客户培训签到表. One statement, written out: most workspace tabs ask it (the header's gate), and
    the ORM's union of Exists() cost twice what the query does."""
    from delivery.models import TrainingAttendee, TrainingPlan, TrainingSession

    cts = ContentType.objects.get_for_models(Project, DeliveryTask)
    table = {model: model._meta.db_table for model in (Attachment, DocumentType, DeliveryTask, ProductRequest)}
    training = {model: model._meta.db_table for model in (TrainingSession, TrainingAttendee, TrainingPlan)}
    issued = (ProductRequest.State.ISSUED.value, ProductRequest.State.RECEIVED.value)
    sql = (
        f"SELECT d.code FROM {table[Attachment]} a JOIN {table[DocumentType]} d ON a.doc_type_id = d.id"
        " WHERE (a.content_type_id = %s AND a.object_id = %s) OR (a.content_type_id = %s AND a.object_id IN"
        f" (SELECT t.id FROM {table[DeliveryTask]} t WHERE t.project_id = %s))"
        " UNION SELECT 'product-request' WHERE EXISTS"
        f" (SELECT 1 FROM {table[ProductRequest]} r WHERE r.project_id = %s AND r.state IN (%s, %s))"
        " UNION SELECT 'training-attendance' WHERE EXISTS"
        f" (SELECT 1 FROM {training[TrainingSession]} s JOIN {training[TrainingPlan]} p ON s.plan_id = p.id"
        f" JOIN {training[TrainingAttendee]} e ON e.session_id = s.id"
        " WHERE p.project_id = %s AND s.held AND e.signed)"
    )
    params = [cts[Project].pk, project.pk, cts[DeliveryTask].pk, project.pk, project.pk, *issued, project.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {code for (code,) in cursor.fetchall()}


class DocumentNames:
    """Every document type's name by its code, read once on first use: a page that names
    documents in several places (the gate, its checklist, the phase checklist) passes one."""

    def __init__(self):
        self._names: dict[str, str] | None = None

    def get(self, code: str, default: str | None = None) -> str | None:
        if self._names is None:
            self._names = dict(DocumentType.objects.values_list("code", "name"))
        return self._names.get(code, default)


def _names(codes, names: DocumentNames | None = None) -> list[str]:
    names = names or DocumentNames()
    return [f"《{names.get(code, code)}》" for code in codes]


def gate_missing(
    project: Project, action: str, *, present: set[str] | None = None, names: DocumentNames | None = None
) -> list[str]:
    """What still stands in the way of `action`, in Chinese; empty when the gate is open. A page
    that asks about several gates passes the project's present documents, read once, and the
    document names it reads once."""
    missing: list[str] = []

    def documents() -> set[str]:
        nonlocal present
        if present is None:
            present = present_documents(project)
        return present

    if action == "start_implementation":
        if project.requirements_confirmed_at is None:
            missing.append("需求确认单尚未确认（上传《需求确认单》后由项目经理确认需求）")
        # the project's open items read once: (title, classification, customisation state, updated)
        items = list(
            RequirementItem.objects.filter(project=project)
            .exclude(status=RequirementItem.Status.CANCELLED)
            .values_list("title", "classification", "customisation__state", "updated_at")
        )
        unclassified = [title for title, kind, _, _ in items if kind == RequirementItem.Classification.UNCLASSIFIED]
        if unclassified:
            missing.append(f"需求条目尚未分类：{'、'.join(unclassified[:5])}")
        out_of_contract = [i for i in items if i[1] == RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT]
        uncovered = [title for title, _, state, _ in out_of_contract if state is None]
        if uncovered:
            missing.append(f"合同外定制需求缺少定制化申请：{'、'.join(uncovered[:5])}")
        # 000 §3.3.2: an out-of-contract item goes ahead only once sales has filed its customisation task
        unfiled = [
            (title, state)
            for title, _, state, _ in out_of_contract
            if state is not None and state != CustomisationRequest.State.FILED
        ]
        if unfiled:
            labels = dict(CustomisationRequest.State.choices)
            titles = "、".join(f"{title}（{labels.get(state, state)}）" for title, state in unfiled[:5])
            missing.append(f"合同外定制需求须由责任销售发起定制化任务申请，或重新分类：{titles}")
        # 000 §3.3.2: the director reviews the 需求清单及跟进表 before the final plan is agreed
        from delivery.services.reviews import CUSTOM, requirements_review_missing

        custom_updated = [updated for _, kind, _, updated in items if kind in CUSTOM]
        review = requirements_review_missing(project, custom_updated=custom_updated)
        if review:
            missing.append(review)
    elif action == "go_live":
        if "trial-run-confirmation" not in documents():
            missing.append("缺少《项目试运行确认单》")
        # 002: 用户培训 comes after the trial run and before 系统正式上线
        if "training-attendance" not in documents():
            missing.append("客户培训尚未完成：须有已签到的培训场次或上传《客户培训签到表》")
    elif action == "terminate_after_trial":
        if "trial-run-analysis" not in documents():
            missing.append("客户不认可试运行结果时须先上传《试运行分析报告》")
    elif action == "submit_handover":
        from delivery.models import AcceptanceApproval
        from delivery.services.acceptance import required_documents

        if not project.size:
            missing.append("项目规模（大 / 小）尚未设定，不能确定验收文档")
        wanted = (*ACCEPTANCE_DOCUMENTS, *(c for c in required_documents(project) if c not in ACCEPTANCE_DOCUMENTS))
        absent = [code for code in wanted if code not in documents()]
        if absent:
            missing.append("验收资料不全，缺少：" + "、".join(_names(absent, names)))
        if not project.acceptance_approvals.filter(state=AcceptanceApproval.State.APPROVED).exists():
            missing.append("验收报告尚未经 CM 工程师和客户服务部审批通过")
    return missing


# the requirements of each gate as the checklist names them, each with how gate_missing's message
# for it begins: gate_missing stays the one place a gate is decided, the checklist only reads it
GATE_REQUIREMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "start_implementation": (
        ("需求确认单已确认", "需求确认单尚未确认"),
        ("需求条目均已分类", "需求条目尚未分类"),
        ("合同外定制需求均已提交定制化申请", "合同外定制需求缺少定制化申请"),
        ("合同外定制需求已由责任销售发起定制化任务", "合同外定制需求须由责任销售发起定制化任务申请"),
    ),
    "go_live": (("《项目试运行确认单》已上传", "缺少《项目试运行确认单》"),),
    "terminate_after_trial": (("《试运行分析报告》已上传", "客户不认可试运行结果时须先上传《试运行分析报告》"),),
}


def gate_checklist(
    project: Project,
    action: str,
    *,
    present: set[str] | None = None,
    missing: list[str] | None = None,
    names: DocumentNames | None = None,
) -> list[dict]:
    """Each requirement of the gate before `action`, done or not, as the project page lists it:
    `{"label", "done", "detail"}` where `detail` is gate_missing's Chinese reason. A requirement
    gate_missing refuses that has no row of its own is listed too, so the checklist never shows a
    gate open that the service keeps shut. `missing` is gate_missing's answer when the page has it."""
    names = names or DocumentNames()
    if missing is None:
        missing = gate_missing(project, action, present=present, names=names)
    rows, used = [], set()
    for label, prefix in GATE_REQUIREMENTS.get(action, ()):
        reason = next((m for m in missing if m.startswith(prefix)), "")
        used.add(reason)
        rows.append({"label": label, "done": not reason, "detail": reason})
    if action == "submit_handover":
        # one row per acceptance document: its name in the refusal means it is missing
        from delivery.services.acceptance import required_documents

        documents = next((m for m in missing if m.startswith("验收资料不全")), "")
        used.add(documents)
        by_size = (c for c in required_documents(project) if c not in ACCEPTANCE_DOCUMENTS)
        for name in _names((*ACCEPTANCE_DOCUMENTS, *by_size), names):
            rows.append({"label": f"{name}已上传", "done": name not in documents, "detail": ""})
    rows += [{"label": m, "done": False, "detail": ""} for m in missing if m not in used]
    return rows


def phase_checklist(
    project: Project, *, present: set[str] | None = None, names: DocumentNames | None = None
) -> list[dict]:
    present = present_documents(project) if present is None else present
    rows = []
    names = names or DocumentNames()
    for phase, codes in PHASE_DOCUMENTS.items():
        rows.append(
            {
                "phase": State(phase).label,
                "current": phase == project.state,
                "documents": [{"name": names.get(c, c), "present": c in present} for c in codes],
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# what new work a project takes


def new_work_refusal(project: Project) -> str:
    """Why a project takes no new work (delivery tasks, product requests) at all; '' when it does."""
    if project.state in NO_NEW_WORK_STATES:
        return f"项目{project.get_state_display()}，不再接受新的实施任务与产品领取单"
    return ""


# 000 §3.3.3: implementers are assigned once the customer's requirements are clear. Before the
# 需求确认单 is confirmed only product verification may start (000 §3.3.6: verify the product
# versions against the customer's environment), with the standard products it needs.
EARLY_TASK_TYPES = (DeliveryTask.Type.VERIFICATION,)
EARLY_RULE = "需求确认单确认前，只能指派“产品验证”任务，并为其领取标准产品"


def delivery_task_refusal(project: Project, task_type: str | None = None) -> str:
    """Why this kind of delivery task cannot be assigned now; '' when it can."""
    refusal = new_work_refusal(project)
    if refusal:
        return refusal
    if project.requirements_confirmed_at is None and task_type not in EARLY_TASK_TYPES:
        label = DeliveryTask.Type(task_type).label if task_type in DeliveryTask.Type.values else "该类"
        return f"需求尚未确认，不能指派“{label}”任务：{EARLY_RULE}"
    return ""


def product_request_refusal(project: Project, kinds=None) -> str:
    """Why a product request cannot be filed now; '' when it can. `kinds` are the item kinds
    (standard / custom) when known."""
    refusal = new_work_refusal(project)
    if refusal:
        return refusal
    if project.requirements_confirmed_at is None:
        verification = DeliveryTask.objects.filter(project=project, type__in=EARLY_TASK_TYPES).exclude(
            state=DeliveryTask.State.CANCELLED
        )
        if not verification.exists():
            return f"需求尚未确认，且项目没有“产品验证”任务，不能提交产品领取单：{EARLY_RULE}"
        if kinds and any(kind != ProductRequestItem.Kind.STANDARD for kind in kinds):
            return f"需求尚未确认，不能领取定制产品：{EARLY_RULE}"
    return ""
