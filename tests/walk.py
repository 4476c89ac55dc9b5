"""Walking a project through its phases in tests: the trial run, the customer training that comes
before go-live, acceptance with the documents for the project's size, and the acceptance report's
approval by the CM engineer and 客户服务部 — what a handover needs."""

from django.utils import timezone

from delivery.services import acceptance, training
from projects import services as project_services
from projects.gates import ACCEPTANCE_DOCUMENTS

TO_TRIAL = ("start_requirements", "start_implementation", "start_trial_run")


def hold_training(project, pm):
    """One training session held with a signed 客户培训签到表."""
    plan = training.training_plan_create(
        project=project, actor=pm, title="系统操作培训", audience="信息中心", content="签章管理", trainer=pm
    )
    session = training.training_session_add(
        plan=plan, actor=pm, starts_at=timezone.now(), location="客户会议室", topic="签章",
        attendees=[{"name": "张三", "organisation": "信息中心"}],
    )  # fmt: skip
    return training.training_session_complete(
        session=session, actor=pm, signed_ids=list(session.attendees.values_list("pk", flat=True))
    )


def acceptance_documents(project) -> tuple[str, ...]:
    extra = tuple(code for code in acceptance.required_documents(project) if code not in ACCEPTANCE_DOCUMENTS)
    return (*ACCEPTANCE_DOCUMENTS, *extra)


def to_acceptance(org, project, upload, *, pm=None, size="small", skip=()):
    """From 需求确认 (requirements confirmed by the caller) to 验收 with every acceptance document
    of the project's size but those in `skip`; the report is not yet approved."""
    pm = pm or org["regional_pm"]
    upload(project, "trial-run-confirmation")
    for action in TO_TRIAL:
        project = project_services.project_transition(project=project, actor=pm, action=action)
    hold_training(project, pm)
    for action in ("go_live", "start_acceptance"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    project = acceptance.project_size_set(project=project, actor=pm, size=size)
    for code in acceptance_documents(project):
        if code not in skip:
            upload(project, code)
    return project


def approve_acceptance(org, project, *, pm=None):
    approval = acceptance.acceptance_submit(project=project, actor=pm or org["regional_pm"])
    approval = acceptance.acceptance_decide(approval=approval, actor=org["cm_engineer"], approve=True)
    return acceptance.acceptance_decide(approval=approval, actor=org["aftersales"], approve=True)


def ready_for_handover(org, project, upload, *, pm=None, size="small", skip=()):
    project = to_acceptance(org, project, upload, pm=pm, size=size, skip=skip)
    approve_acceptance(org, project, pm=pm)
    return project
