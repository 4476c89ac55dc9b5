"""The responsibility matrix (003 责任矩阵): activities × parties (客户 / 我方项目组 / 第三方) with
R / A / S / C / I. The company keeps a template (seeded from 003's 需求管理责任分工); a project
takes a copy and adjusts it. It is used: an activity's A and R on our side hear its notices."""

from __future__ import annotations

from django.db import transaction

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from projects import team
from projects.models import Project

from .access import require_edit
from .models import RACI_LETTERS, ProjectRaci, RaciTemplateRow, Side

# 003 需求管理责任分工 (its rows 1–4, 7–12), then the plan activities this system notifies for.
DEFAULT_TEMPLATE: tuple[tuple[str, str, str, str, str], ...] = (
    ("req-plan-draft", "编制需求工作方案", "C", "R", "S"),
    ("req-plan-approve", "审批需求工作方案", "R", "S", "I"),
    ("req-plan-publish", "发布需求工作方案", "R", "S", "I"),
    ("req-coordinate", "组织与协调推进", "R", "S", "S"),
    ("biz-model-draft", "编制业务模型", "S", "R", "S"),
    ("biz-model-review", "审核业务模型", "R", "S", "S"),
    ("biz-model-publish", "发布业务模型", "R", "S", "S"),
    ("srs-draft", "编制需求规格说明书", "S", "R", "S"),
    ("srs-review", "审核需求规格说明书", "R", "S", "S"),
    ("srs-publish", "发布需求规格说明书", "R", "S", "S"),
    ("schedule-control", "交付进度计划与跟踪", "A", "R", "S"),
    ("risk-control", "风险识别与跟踪", "C", "R", "S"),
)


def raci_template_seed() -> int:
    created = 0
    for seq, (code, activity, customer, ours, third) in enumerate(DEFAULT_TEMPLATE, start=1):
        _, was = RaciTemplateRow.objects.get_or_create(
            code=code,
            defaults={"seq": seq, "activity": activity, "customer": customer, "ours": ours, "third": third},
        )
        created += was
    return created


def project_raci(project: Project) -> list[ProjectRaci]:
    return list(ProjectRaci.objects.filter(project=project).select_related("ours_person").order_by("seq", "id"))


@transaction.atomic
def raci_from_template(*, project: Project, actor) -> int:
    """Copy the company template's active rows the project does not have yet."""
    require_edit(actor, project, "责任矩阵")
    have = set(ProjectRaci.objects.filter(project=project).values_list("code", flat=True))
    rows = [
        ProjectRaci(
            project=project,
            code=t.code,
            seq=t.seq,
            activity=t.activity,
            customer=t.customer,
            ours=t.ours,
            third=t.third,
        )
        for t in RaciTemplateRow.objects.filter(active=True).order_by("seq", "id")
        if t.code not in have
    ]
    ProjectRaci.objects.bulk_create(rows)
    if rows:
        audit_record(
            subject=project, action="raci.from_template", label=f"按公司模板生成责任矩阵（{len(rows)} 项）", actor=actor
        )
    return len(rows)


@transaction.atomic
def raci_update(*, row: ProjectRaci, actor, customer: str, ours: str, third: str, ours_person=None) -> ProjectRaci:
    require_edit(actor, row.project, "责任矩阵")
    row = ProjectRaci.objects.select_for_update().get(pk=row.pk)
    letters = {"customer": customer.strip().upper(), "ours": ours.strip().upper(), "third": third.strip().upper()}
    for value in letters.values():
        if value and value not in RACI_LETTERS:
            raise DomainError("责任只能填 R / A / S / C / I 之一，或留空")
    if "A" in letters.values() and list(letters.values()).count("A") > 1:
        raise DomainError(f"「{row.activity}」只能有一方审批（A）")
    before = {k: getattr(row, k) for k in letters}
    for name, value in letters.items():
        setattr(row, name, value)
    row.ours_person = ours_person
    row.save()
    audit_record(
        subject=row.project,
        action="raci.update",
        label=f"修改责任矩阵「{row.activity}」",
        actor=actor,
        details={"before": before, "after": letters},
    )
    return row


def team_implementers(project: Project) -> list:
    return team.users_with_role(project, "implement_project")


def recipients_of(project: Project, ours: str, person, implementers: list) -> list:
    if ours not in ("R", "A"):
        return []
    people = [person or project.pm, *(implementers if ours == "R" else [])]
    seen, result = set(), []
    for user in people:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def raci_recipients(project: Project, activity_code: str) -> list:
    """Who on our side is told about an activity: when our team is its R or A, the person the
    matrix names for it (the PM if none), and for R also the implementers who do the work. The
    customer's and third parties' letters name no account here; they are reached outside."""
    row = ProjectRaci.objects.filter(project=project, code=activity_code).select_related("ours_person").first()
    if row is None:
        template = RaciTemplateRow.objects.filter(code=activity_code, active=True).first()
        ours, person = (template.ours if template else ""), None
    else:
        ours, person = row.ours, row.ours_person
    return recipients_of(project, ours, person, team_implementers(project) if ours == "R" else [])


PARTY_LABELS = [(Side.CUSTOMER, "customer"), (Side.OURS, "ours"), (Side.THIRD, "third")]
