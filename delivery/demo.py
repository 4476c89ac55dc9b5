"""Demo delivery work: a kickoff whose action item waits on the implementer, a requirement list
waiting on the director, an acceptance report waiting on the CM engineer (with an issue left for
客户服务部), a rejected trial run waiting on the executives, and customer satisfaction answers
recorded by 市场部 for the director's dashboard and 市场部's survey list."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from pmis.catalog.models import DocumentType
from pmis.documents.pdf import render_pdf
from pmis.documents.services import attachment_add
from pmis.org.models import Region, User
from projects import services as projects
from projects.gates import ACCEPTANCE_DOCUMENTS
from projects.models import Project, State
from projects.team import grant_groups, grant_user

from .services import acceptance, meetings, reviews, satisfaction, training

DEMO_CODES = ("PJ2026-0921", "PJ2026-0922", "PJ2026-0923")


def _attach(project, codes, actor) -> None:
    content = render_pdf("pdf/form.html", {"title": "演示文件", "rows": [("说明", "演示文件")]})
    types = {t.code: t for t in DocumentType.objects.filter(code__in=codes)}
    for code in codes:
        attachment_add(
            subject=project, doc_type=types[code], upload=SimpleUploadedFile(f"{types[code].name}.pdf", content),
            actor=actor, check_permission=False,
        )  # fmt: skip


def demo_acceptance_complete(project: Project, *, cm: User, service: User, size: str = Project.Size.SMALL) -> None:
    """A demo project in acceptance made ready to hand over: its size, the acceptance documents
    for it, and its acceptance report approved by the CM engineer and 客户服务部."""
    project = acceptance.project_size_set(project=project, actor=project.pm, size=size)
    _attach(project, (*ACCEPTANCE_DOCUMENTS, *acceptance.required_documents(project)), project.pm)
    approval = acceptance.acceptance_submit(project=project, actor=project.pm, note="验收资料齐全")
    approval = acceptance.acceptance_decide(approval=approval, actor=cm, approve=True)
    acceptance.acceptance_decide(approval=approval, actor=service, approve=True, comment="同意")


def _project(code, name, customer, state, users) -> Project:
    pm = users["regional_pm"]
    project = Project.objects.create(
        code=code, name=name, kind=Project.Kind.LOCAL, customer_name=customer, region=Region.objects.get(code="north"),
        pm=pm, state=state, basis="历史项目", size=Project.Size.LARGE,
    )  # fmt: skip
    grant_user(project, pm, "manage_project")
    grant_user(project, users["implementer"], "implement_project")
    grant_groups(project)
    return project


@transaction.atomic
def demo_delivery_seed() -> int:
    if Project.objects.filter(code=DEMO_CODES[0]).exists():
        return 0
    names = ("regional_pm", "implementer", "project_director", "cm_engineer", "executive", "aftersales", "marketing")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    pm, today = users["regional_pm"], timezone.localdate()

    # 1. requirements: the kickoff held (the project's official start), an action item for the
    #    implementer, and the requirement list with a custom item waiting on the director
    first = _project(DEMO_CODES[0], "郑州某地铁电子签章项目", "郑州某地铁集团有限公司", State.REQUIREMENTS, users)
    kickoff = meetings.meeting_create(
        project=first, actor=pm, kind="kickoff", held_on=today - timedelta(days=2),
        data={"attendees": "客户信息中心张主任、我方项目组全体、销售王晓明", "objectives": "三个月内完成签章平台上线",
              "strategy": "先总部后分公司，分两批上线",
              "plan": "第 1 月部署与联调，第 2 月试运行与培训，第 3 月上线验收",
              "rules": "每周一上午例会，周一前发送周报"},
    )  # fmt: skip
    meetings.meeting_action_add(
        meeting=kickoff, actor=pm, title="向客户索取测试环境账号与网络开通单", owner=users["implementer"],
        due_date=today + timedelta(days=3),
    )  # fmt: skip
    meetings.meeting_end(meeting=kickoff, actor=pm, minutes="已宣布项目目标、实施策略、计划与管理规程，项目正式启动。")
    projects.requirement_add(project=first, actor=pm, title="对接客户 OA 审批流", classification="custom_in_contract")
    reviews.requirements_review_request(project=first, actor=pm, note="一项合同内定制：OA 审批流对接")

    # 2. acceptance: training held, the acceptance report waiting on the CM engineer, an issue left
    second = _project(DEMO_CODES[1], "洛阳某医院电子病历签名项目", "洛阳某医院", State.ACCEPTANCE, users)
    plan = training.training_plan_create(
        project=second, actor=pm, title="电子签名系统操作培训", audience="医务处、信息科", content="签名流程、证书管理",
        trainer=users["implementer"],
    )  # fmt: skip
    session = training.training_session_add(
        plan=plan, actor=pm, starts_at=timezone.now() - timedelta(days=10), location="医院行政楼三楼会议室",
        topic="签名流程",
        attendees=[{"name": "刘医生", "organisation": "医务处"}, {"name": "陈工", "organisation": "信息科"}],
    )  # fmt: skip
    training.training_session_complete(
        session=session, actor=pm, signed_ids=list(session.attendees.values_list("pk", flat=True))
    )
    _attach(second, acceptance.required_documents(second), pm)
    acceptance.acceptance_submit(project=second, actor=pm, note="系统已上线运行正常，验收报告已填写")
    acceptance.acceptance_issue_add(
        project=second, actor=pm, title="移动端签名偶发超时", description="客户同意验收后跟踪"
    )

    # 3. a trial run the customer rejected: the executives decide what follows
    third = _project(DEMO_CODES[2], "开封某税务电子印章项目", "开封某税务局", State.TRIAL_RUN, users)
    _attach(third, ("trial-run-analysis",), pm)
    projects.project_transition(
        project=third, actor=pm, action="terminate_after_trial", comment="客户认为批量签章性能不达标，分析报告已上传"
    )

    # 4. customer satisfaction, run by 市场部 (002) on the projects handed over: answered in the
    #    north and the south; the projects whose acceptance report the dashboards demo approved
    #    wait in 市场部's inbox for their survey (发送满意度调查)
    marketing = users["marketing"]
    for code, scores in (("PJ2026-0904", (5, 4, 5, 4)), ("PJ2026-0905", (4, 3, 4, 3))):
        project = Project.objects.filter(code=code).first()
        if project is None:
            continue
        survey = satisfaction.survey_send(project=project, actor=marketing, contact="客户信息中心负责人")
        answer = dict(zip(satisfaction.SCORES, scores, strict=True))
        satisfaction.survey_record(survey=survey, actor=marketing, scores=answer, comment="实施团队专业、响应及时")
    return len(DEMO_CODES)
