"""Customer training (002 用户培训): the PM authorises a qualified person, who makes the 客户培训计划
and the 培训通知单; sessions are held with their attendees, who sign the 客户培训签到表."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from projects import workspace
from projects.models import Project
from projects.services import can_manage

from ..models import TrainingAttendee, TrainingPlan, TrainingSession
from .common import is_member, lock_project, require


def can_edit_plan(user, plan: TrainingPlan) -> bool:
    return plan.trainer_id == user.pk or can_manage(user, plan.project)


@transaction.atomic
def training_plan_create(*, project: Project, actor, title: str, audience: str, content: str, trainer) -> TrainingPlan:
    project = lock_project(project)
    require(can_manage(actor, project), "只有项目经理可以授权人员制定客户培训计划")
    if not (title.strip() and audience.strip() and content.strip()):
        raise DomainError("请填写培训主题、培训对象与培训内容")
    if trainer is None or not is_member(trainer, project):
        raise DomainError("培训负责人须是本项目组成员")
    plan = TrainingPlan.objects.create(
        project=project, title=title.strip(), audience=audience.strip(), content=content.strip(), trainer=trainer,
        created_by=actor,
    )  # fmt: skip
    audit_record(subject=project, action="training.plan", label=f"制定客户培训计划：{plan.title}", actor=actor)
    if trainer.pk != actor.pk:
        notify(
            recipients=[trainer],
            title=f"您被授权负责客户培训：{project.name}",
            body=f"{actor} 授权您负责“{plan.title}”，请制作培训通知单并组织培训。",
            link=workspace.tab_url(project, "training"),
            subject=project,
            kind="training_plan",
        )
    return plan


@transaction.atomic
def training_notice_issue(*, plan: TrainingPlan, actor, notice: str) -> TrainingPlan:
    plan = TrainingPlan.objects.select_for_update(of=("self",)).select_related("project").get(pk=plan.pk)
    require(can_edit_plan(actor, plan), "只有培训负责人或项目经理可以发出培训通知单")
    if not notice.strip():
        raise DomainError("请填写培训通知单内容")
    if not plan.sessions.exists():
        raise DomainError("请先安排培训场次，再发出培训通知单")
    plan.notice, plan.notice_sent_at = notice.strip(), timezone.now()
    plan.save(update_fields=["notice", "notice_sent_at"])
    audit_record(subject=plan.project, action="training.notice", label=f"发出培训通知单：{plan.title}", actor=actor)
    return plan


@transaction.atomic
def training_session_add(
    *, plan: TrainingPlan, actor, starts_at: datetime, location: str, topic: str, attendees: list[dict]
) -> TrainingSession:
    """A session with the customer's people expected at it (name, 单位, 职务, 电话)."""
    plan = TrainingPlan.objects.select_related("project").get(pk=plan.pk)
    require(can_edit_plan(actor, plan), "只有培训负责人或项目经理可以安排培训场次")
    if starts_at is None or not location.strip() or not topic.strip():
        raise DomainError("请填写培训时间、地点与本场内容")
    people = [a for a in attendees if (a.get("name") or "").strip()]
    if not people:
        raise DomainError("请至少填写一名参加培训的人员")
    session = TrainingSession.objects.create(
        plan=plan, starts_at=starts_at, location=location.strip(), topic=topic.strip()
    )
    TrainingAttendee.objects.bulk_create(
        TrainingAttendee(
            session=session,
            name=a["name"].strip(),
            organisation=(a.get("organisation") or "").strip(),
            position=(a.get("position") or "").strip(),
            phone=(a.get("phone") or "").strip(),
        )
        for a in people
    )
    audit_record(subject=plan.project, action="training.session", label=f"安排培训：{session}", actor=actor)
    return session


@transaction.atomic
def training_session_complete(*, session: TrainingSession, actor, signed_ids: list[int]) -> TrainingSession:
    """The session was held: who signed the sheet. Only a session someone signed counts as held."""
    session = TrainingSession.objects.select_for_update(of=("self",)).select_related("plan__project").get(pk=session.pk)
    require(can_edit_plan(actor, session.plan), "只有培训负责人或项目经理可以登记签到")
    if session.held:
        raise DomainError("该场培训已登记完成")
    attendees = session.attendees.all()
    signed = set(attendees.filter(pk__in=signed_ids).values_list("pk", flat=True))
    if not signed:
        raise DomainError("请勾选已签到的人员：无人签到的培训不能登记为完成")
    attendees.filter(pk__in=signed).update(signed=True)
    session.held = True
    session.save(update_fields=["held"])
    audit_record(
        subject=session.plan.project,
        action="training.held",
        label=f"培训完成：{session}（签到 {len(signed)} 人）",
        actor=actor,
    )
    return session
