"""每月巡检 (004 §8.2.3): each project in maintenance has an inspection day agreed with the customer;
from that day of each month an inspection opens (a beat task, safe to run twice: one inspection per
plan and month, a database constraint) with its checklist, and the inspector records the result."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from approvals.services import task_close, task_open
from pmis.audit.services import audit_record
from projects.models import Project
from projects.models import State as ProjectState

from ..models import Inspection, InspectionPlan
from .common import can_work_operations, require_work


@transaction.atomic
def inspection_plan_set(
    *, project: Project, actor, day_of_month: int, inspector, checklist: str, agreed_with: str = ""
) -> InspectionPlan:
    require_work(actor, project, "设置巡检计划")
    if not (1 <= int(day_of_month) <= 28):
        raise DomainError("巡检日须在每月 1–28 日之间（每个月都有这一天）")
    if not [line for line in (checklist or "").splitlines() if line.strip()]:
        raise DomainError("请至少填写一项检查项")
    plan, _ = InspectionPlan.objects.update_or_create(
        project=project,
        defaults={
            "day_of_month": day_of_month,
            "inspector": inspector,
            "checklist": checklist.strip(),
            "agreed_with": (agreed_with or "").strip(),
            "active": True,
        },
    )
    audit_record(
        subject=project, action="inspection.plan", label=f"巡检计划：每月 {day_of_month} 日，{inspector}", actor=actor
    )
    return plan


def inspections_open_due(*, today: date | None = None) -> int:
    """Open this month's inspection of every active plan of a project in maintenance whose day has
    come. Safe to run twice at once: the (plan, month) constraint lets one run create it."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    plans = (
        InspectionPlan.objects.select_related("project", "inspector")
        .filter(active=True, day_of_month__lte=today.day, project__state=ProjectState.MAINTENANCE)
        .exclude(inspections__month=month)
    )
    opened = 0
    for plan in plans:
        with transaction.atomic():
            inspection, created = Inspection.objects.get_or_create(
                plan=plan,
                month=month,
                defaults={
                    "project": plan.project,
                    "scheduled_on": month.replace(day=plan.day_of_month),
                    "items": plan.items,
                },
            )
            if not created:
                continue
            audit_record(subject=inspection, action="inspection.open", label="开出本月巡检", actor=None)
            task_open(
                subject=inspection,
                step="inspection.record",
                step_label="每月巡检",
                title=f"{plan.project.name} {month:%Y年%m月}巡检",
                link=inspection.get_absolute_url(),
                assignee=plan.inspector,
                policy="inspection-record",
            )
            opened += 1
    return opened


@transaction.atomic
def inspection_record(*, inspection: Inspection, actor, results: list[dict], summary: str) -> Inspection:
    """Record each checklist item as 正常 / 异常 with a note; an 异常 needs its note."""
    inspection = (
        Inspection.objects.select_for_update(of=("self",)).select_related("project", "plan").get(pk=inspection.pk)
    )
    if not (
        actor.is_superuser or actor.pk == inspection.plan.inspector_id or can_work_operations(actor, inspection.project)
    ):
        raise PermissionDenied("只有巡检人或项目组成员可以记录巡检")
    if inspection.state != Inspection.State.OPEN:
        raise DomainError("本月巡检已记录")
    if len(results) != len(inspection.items):
        raise DomainError("请逐项填写检查结果")
    unexplained = [r["item"] for r in results if not r.get("ok") and not (r.get("note") or "").strip()]
    if unexplained:
        raise DomainError(f"异常项须说明情况：{'、'.join(unexplained)}")
    if not (summary or "").strip():
        raise DomainError("请填写巡检结论")
    inspection.record(by=actor, at=timezone.now(), results=results, summary=summary.strip())
    inspection.save(update_fields=["state", "done_by", "done_at", "results", "summary"])
    audit_record(
        subject=inspection,
        action="inspection.record",
        label=f"记录巡检（异常 {inspection.problems} 项）",
        actor=actor,
        to_state=inspection.state,
    )
    for task in open_tasks_for(inspection).filter(step="inspection.record"):
        task_close(task=task, actor=actor, outcome="done")
    return inspection
