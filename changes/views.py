"""Pages of the three flows: filing forms, record pages with the steps the viewer may act on, and
the monthly BUG list. Views parse, call one service, redirect; a refusal re-renders what was typed."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from aftersales.models import Ticket
from approvals.errors import DomainError
from pmis.audit.selectors import audit_for
from pmis.catalog.models import DocumentType
from pmis.documents.selectors import attachments_for
from pmis.forms import filter_errors
from pmis.lists import export_response, list_result
from projects import workspace
from projects.selectors import project_can_view
from projects.services import can_manage

from . import forms, services
from .lists import BUG_MONTH, bug_month_rows
from .models import Bug, ChangeRequest, Release
from .selectors import DOC_TYPES, my_steps, project_for, record_can_attach, record_for
from .services.bugs import bugs_of_month, previous_month
from .services.change_requests import OPEN_WORK
from .services.common import can_file
from .services.releases import next_windows


@dataclass
class Action:
    name: str
    label: str
    form: type
    call: object  # (record, actor, cleaned data) -> record
    step: str = ""  # the open step it answers; "" for the PM's delay notice


CHANGE_ACTIONS = {
    a.name: a
    for a in (
        Action("review", "登记用户方初审", forms.ReviewForm, lambda r, u, d: services.change_request_review(
            change=r, actor=u, approved=d["approved"], answer=d["answer"]), "change.review"),
        Action("evaluate", "评估需求变更", forms.EvaluateForm, lambda r, u, d: services.change_request_evaluate(
            change=r, actor=u, impact=d["impact"], person_days=d["person_days"], size=d["size"],
            needs_meeting=d["needs_meeting"], planned_date=d["planned_date"]), "change.evaluate"),
        Action("discuss", "记录需求讨论纪要", forms.MinutesForm, lambda r, u, d: services.change_request_discuss(
            change=r, actor=u, minutes=d["minutes"]), "change.discuss"),
        Action("work", "完成设计与实施，提交质量验证", forms.WorkForm,
               lambda r, u, d: services.change_request_work_done(change=r, actor=u, design_note=d["design_note"]),
               "change.work"),
        Action("verify", "质量验证", forms.VerifyForm, lambda r, u, d: services.change_request_verify(
            change=r, actor=u, passed=d["passed"], note=d["note"]), "change.verify"),
        Action("delay", "登记延期告知客户", forms.DelayForm, lambda r, u, d: services.change_request_delay_notice(
            change=r, actor=u, reason=d["reason"], new_date=d["new_date"])),
    )
}  # fmt: skip
BUG_ACTIONS = {
    a.name: a
    for a in (
        Action("confirm", "确认是否修复", forms.BugConfirmForm, lambda r, u, d: services.bug_confirm(
            bug=r, actor=u, decision=d["decision"], note=d["note"]), "bug.confirm"),
        Action("product_verify", "产品管理部核实", forms.ProductVerifyForm, lambda r, u, d: services.bug_product_verify(
            bug=r, actor=u, is_product=d["is_product"], note=d["note"]), "bug.product_verify"),
        Action("rd_fix", "研发修复", forms.RdFixForm, lambda r, u, d: services.bug_rd_fix(
            bug=r, actor=u, version=d["version"], note=d["note"]), "bug.rd_fix"),
        Action("product_review", "产品管理部测试与评审", forms.ProductReviewForm,
               lambda r, u, d: services.bug_product_review(
                   bug=r, actor=u, passed=d["passed"], note=d["note"], download_path=d["download_path"],
                   product=d["product"]),
               "bug.product_review"),
        Action("fix", "登记修复", forms.FixForm, lambda r, u, d: services.bug_project_fix(
            bug=r, actor=u, note=d["note"], version=d["version"]), "bug.fix"),
        Action("feedback", "登记用户方反馈", forms.FeedbackForm, lambda r, u, d: services.bug_feedback(
            bug=r, actor=u, feedback=d["feedback"]), "bug.feedback"),
        Action("check", "核查修复", forms.CheckForm, lambda r, u, d: services.bug_check(
            bug=r, actor=u, passed=d["passed"], note=d["note"]), "bug.check"),
    )
}  # fmt: skip
RELEASE_ACTIONS = {
    a.name: a
    for a in (
        Action("director", "项目总监审批", forms.DirectorForm, lambda r, u, d: services.release_director_decide(
            release=r, actor=u, approve=d["approve"], comment=d["comment"]), "release.director"),
        Action("assign", "指派测试人员", forms.AssignForm, lambda r, u, d: services.release_assign_tester(
            release=r, actor=u, tester=d["tester"]), "release.assign"),
        Action("test", "登记测试结果", forms.TestForm, lambda r, u, d: services.release_test(
            release=r, actor=u, passed=d["passed"], result=d["result"]), "release.test"),
        Action("signoff", "项目经理签字", forms.SignOffForm, lambda r, u, d: services.release_sign_off(
            release=r, actor=u, approve=d["approve"], comment=d["comment"]), "release.signoff"),
        Action("consent", "登记用户方意见", forms.ConsentForm, lambda r, u, d: services.release_consent(
            release=r, actor=u, agreed=d["agreed"], answer=d["answer"]), "release.consent"),
        Action("perform", "发布版本并公告变更说明", forms.EmptyForm, lambda r, u, d: services.release_perform(
            release=r, actor=u), "release.perform"),
        Action("verification", "登记现网验证", forms.VerificationForm, lambda r, u, d: services.release_verify(
            release=r, actor=u, result=d["result"]), "release.watch"),
        Action("watch", "结束留守观察", forms.WatchForm, lambda r, u, d: services.release_watch_done(
            release=r, actor=u, note=d["note"]), "release.watch"),
        Action("rollback", "发现问题，回滚", forms.RollbackForm, lambda r, u, d: services.release_rollback(
            release=r, actor=u, note=d["note"]), "release.watch"),
        Action("confirm", "确认发布结果", forms.EmptyForm, lambda r, u, d: services.release_confirm(
            release=r, actor=u), "release.confirm"),
    )
}  # fmt: skip
KINDS = {
    "change": (ChangeRequest, CHANGE_ACTIONS, "需求变更", "changes"),
    "bug": (Bug, BUG_ACTIONS, "BUG", "bugs"),
    "release": (Release, RELEASE_ACTIONS, "版本发布", "releases"),
}


def _available(request, kind: str, record, bound: tuple[str, object] | None = None) -> list[dict]:
    _model, actions, _label, _tab = KINDS[kind]
    steps = {t.step for t in my_steps(request.user, record)}
    shown = []
    for action in actions.values():
        if action.step:
            if action.step not in steps:
                continue
            if action.name == "verification" and record.verified_at is not None:
                continue
        elif not (kind == "change" and record.state in OPEN_WORK and can_manage(request.user, record.project)):
            continue
        form = bound[1] if bound and bound[0] == action.name else action.form(prefix=action.name)
        shown.append({"name": action.name, "label": action.label, "form": form})
    return shown


def _steps(record) -> list:
    """The record's steps, each with whom it waits on as people read it (a person or a role)."""
    from pmis.org.roles import role_label

    steps = list(record.tasks.select_related("group", "assignee", "closed_by").order_by("created_at", "id"))
    for step in steps:
        step.waiting_on = str(step.assignee) if step.assignee_id else role_label(step.group.name)
    return steps


def _record_page(request, kind: str, record, bound=None, status=200):
    _model, _actions, label, tab = KINDS[kind]
    context = {
        "kind": kind,
        "kind_label": label,
        "r": record,
        "p": record.project,
        "tab_url": workspace.tab_url(record.project, tab),
        "can_open_project": project_can_view(request.user, record.project),
        "actions": _available(request, kind, record, bound),
        "steps": _steps(record),
        "history": audit_for(record),
        "documents": attachments_for(record),
        "upload_types": DocumentType.objects.filter(code__in=DOC_TYPES[kind]),
        "can_upload": record_can_attach(request.user, record),
        "content_type_id": ContentType.objects.get_for_model(record).pk,
        "now": timezone.now(),
    }
    if kind == "change":
        context["release_link"] = "change.release_request" in {t.step for t in my_steps(request.user, record)}
        context["releases"] = list(record.releases.all())
    if kind == "bug":
        context["releases"] = list(record.releases.all())
    return render(request, f"changes/{kind}.html", context, status=status)


@login_required
def record_detail(request, kind: str, pk: int):
    model = KINDS[kind][0]
    return _record_page(request, kind, record_for(request.user, model, pk))


@login_required
@require_POST
def record_action(request, kind: str, pk: int, action: str):
    model, actions, _label, _tab = KINDS[kind]
    record = record_for(request.user, model, pk)
    spec = actions.get(action)
    if spec is None:
        raise Http404
    form = spec.form(request.POST, prefix=action)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(f"{form.fields[k].label}：{e[0]}" if k in form.fields else e[0] for k, e in form.errors.items()),
        )
        return _record_page(request, kind, record, bound=(action, form))
    try:
        spec.call(record, request.user, form.cleaned_data)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _record_page(request, kind, record, bound=(action, form))
    messages.success(request, f"已{spec.label}")
    return redirect(record.get_absolute_url())


def _ticket(request, project):
    pk = request.GET.get("ticket") or request.POST.get("ticket")
    if not (pk and str(pk).isdigit()):
        return None
    return Ticket.objects.filter(pk=int(pk), project=project).first()


def _new(request, project_pk: int, kind: str, form_class, call):
    project = project_for(request.user, project_pk)
    if not can_file(request.user, project):
        raise PermissionDenied("只有项目组成员可以提交")
    ticket = _ticket(request, project)
    extra = {}
    if kind == "release":
        extra = _release_sources(request, project)
    form = form_class(request.POST or None, initial=_initial(kind, ticket, extra))
    if request.method == "POST" and form.is_valid():
        try:
            record = call(project, request.user, form.cleaned_data, ticket, extra)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已提交 {record.number}")
            return redirect(record.get_absolute_url())
    elif request.method == "POST":
        messages.error(request, "请检查标红的字段")
    context = {
        "p": project, "form": form, "kind": kind, "kind_label": KINDS[kind][2], "ticket": ticket,
        "tab_url": workspace.tab_url(project, KINDS[kind][3]), **extra,
        "can_open_project": project_can_view(request.user, project),
    }  # fmt: skip
    if kind == "release":
        context["windows"] = next_windows(timezone.now())
    return render(request, "changes/new.html", context)


def _initial(kind, ticket, extra) -> dict:
    if kind == "release" and extra.get("source_change"):
        cr = extra["source_change"]
        return {"reason": f"需求变更 {cr.number}：{cr.title}", "problems_solved": cr.title}
    if kind == "release" and extra.get("source_bug"):
        bug = extra["source_bug"]
        return {"reason": f"修复 BUG {bug.number}", "problems_solved": bug.title, "version": bug.fixed_version}
    if ticket is None:
        return {}
    return {"title": ticket.subject, "description": ticket.description}


def _release_sources(request, project) -> dict:
    def pick(name, model):
        pk = request.GET.get(name) or request.POST.get(name)
        return model.objects.filter(pk=int(pk), project=project).first() if pk and str(pk).isdigit() else None

    return {"source_change": pick("change", ChangeRequest), "source_bug": pick("bug", Bug)}


@login_required
def change_new(request, project_pk: int):
    return _new(request, project_pk, "change", forms.ChangeForm, lambda p, u, d, t, _e: services.change_request_submit(
        project=p, actor=u, data=d, ticket=t))  # fmt: skip


@login_required
def bug_new(request, project_pk: int):
    return _new(request, project_pk, "bug", forms.BugForm, lambda p, u, d, t, _e: services.bug_file(
        project=p, actor=u, data=d, ticket=t))  # fmt: skip


@login_required
def release_new(request, project_pk: int):
    return _new(request, project_pk, "release", forms.ReleaseForm, lambda p, u, d, t, e: services.release_request(
        project=p, actor=u, data=d, change=e["source_change"], bug=e["source_bug"]))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the monthly BUG list (每月第一周提交上月清单)


@login_required
def bug_month(request):
    form = forms.MonthForm(request.GET or None)
    month = previous_month(timezone.localdate())
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
    elif form.is_bound and form.cleaned_data.get("month"):
        month = form.cleaned_data["month"]
    bugs = bugs_of_month(user=request.user, month=month)
    result = list_result(request, bugs, BUG_MONTH, filter_form=form, scope=f"{month:%Y 年 %m 月}")
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    context = {"list": result, "page": page, "rows": bug_month_rows(page.object_list), "form": form, "month": month}
    return render(request, "changes/bug_month.html", context)
