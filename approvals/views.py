from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pmis.lists import export_response, list_result, row_url

from . import robots
from .actions import can_decide_here, stale_message, task_return_to, tasks_bulk_approve
from .addsign import task_add_signer
from .chains import earlier_steps
from .copies import copied_to, copies_add, copies_can_add
from .decisions import task_was_for
from .delegations import delegation_cancel, delegation_set, delegations_visible
from .errors import DomainError
from .forms import (
    AddSignerForm,
    BulkApproveForm,
    CopyForm,
    DelegationForm,
    ReassignForm,
    ReturnForm,
    ReturnToForm,
    UrgeForm,
)
from .links import link_act, link_check
from .lists import COPIED, INBOX
from .models import Task
from .rows import csrf_input, inbox_rows, waiting_label
from .selectors import InboxIds, acting_for, inbox_for, inbox_rows_by_id, reassign_candidates, task_can_act
from .services import task_claim, task_reassign, task_release
from .urging import task_can_urge, task_urge


@login_required
def inbox(request, bulk_form=None):
    user = request.user
    mine = request.GET.get("mine") == "1"
    narrow = (lambda tasks: tasks.filter(claimed_by=user)) if mine else None
    result = list_result(
        request,
        # the whole inbox's conditions, built only for a keyword or an export: a page is read
        # branch by branch (InboxIds)
        lambda: narrow(inbox_for(user)) if narrow is not None else inbox_for(user),
        INBOX,
        scope="我认领的" if mine else "",
        page_ids=InboxIds(user, narrow=narrow, narrow_key=("mine",) if mine else None),
        rows=inbox_rows_by_id(),
    )
    if result.exporting:
        return export_response(result)
    page = result.page()
    if not mine and not result.keyword:
        # the inbox was just counted for paging (up to past the badge's limit at least): the side
        # bar's badge reuses that count
        request.pmis_inbox_count = page.paginator.count
    now = timezone.now()
    claim, release, reassign = row_url("approvals:claim"), row_url("approvals:release"), row_url("approvals:reassign")
    for task in page.object_list:
        # what each row shows, prepared here: no reverse, filter or lookup per row in the template
        task.claim_url, task.release_url, task.reassign_url = claim(task.pk), release(task.pk), reassign(task.pk)
        task.waiting_label = waiting_label(task)
        task.overdue = task.is_overdue(now)
        task.warning = not task.overdue and task.warn_at is not None and task.warn_at <= now
        task.bulk_ok = can_decide_here(task)
        principal = acting_for(request.user, task) if getattr(request.user, "_pmis_delegations", None) else None
        task.for_whom = principal if principal is not None and principal.pk != request.user.pk else None
    context = {
        "list": result,
        "page": page,
        "mine": mine,
        "now": now,
        "bulk_form": bulk_form or BulkApproveForm(),
        "any_bulk": bulk_form is not None or any(t.bulk_ok for t in page.object_list),
        "rows": inbox_rows(page.object_list, user_pk=request.user.pk, csrf_input=csrf_input(request)),
    }
    return render(request, "approvals/inbox.html", context, status=result.status)


def _task_action(request, pk: int, action, done: str):
    task = get_object_or_404(Task, pk=pk)
    try:
        action(task=task, actor=request.user)
    except (PermissionDenied, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{done}：{task.title}")
    return redirect("approvals:inbox")


@login_required
@require_POST
def claim(request, pk: int):
    return _task_action(request, pk, task_claim, "已认领")


@login_required
@require_POST
def release(request, pk: int):
    return _task_action(request, pk, task_release, "已释放")


@login_required
def reassign(request, pk: int):
    """转交: hand a waiting task to a colleague of the same role, with a reason."""
    task = get_object_or_404(Task.objects.select_related("group", "region", "assignee", "claimed_by"), pk=pk)
    if not (request.user.is_superuser or task_can_act(request.user, task)):
        raise Http404
    form = ReassignForm(request.POST or None, candidates=reassign_candidates(task), current=request.user, task=task)
    if request.method == "POST" and form.is_valid():
        try:
            task_reassign(
                task=task, actor=request.user, to_user=form.cleaned_data["to_user"], reason=form.cleaned_data["reason"]
            )
        except (PermissionDenied, DomainError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已转交给 {form.cleaned_data['to_user']}")
            return redirect("approvals:inbox")
    return render(request, "approvals/reassign.html", {"task": task, "form": form})


# ---------------------------------------------------------------------------------------------
# 代理审批


@login_required
def delegations(request):
    """代理审批: the delegations one gave, took or set, and the form to set one."""
    initial = {"delegator": request.user.pk, "starts_on": timezone.localdate(), "ends_on": timezone.localdate()}
    form = DelegationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation_set(
                actor=request.user,
                delegator=data["delegator"],
                delegate=data["delegate"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                step_kinds=data["step_kinds"],
                reason=data["reason"],
            )
        except (PermissionDenied, DomainError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已设置：{data['delegate']} 代 {data['delegator']} 审批")
            return redirect("approvals:delegations")
    today = timezone.localdate()
    rows = list(delegations_visible(request.user)[:200])
    for row in rows:
        row.running = row.cancelled_at is None and row.starts_on <= today <= row.ends_on
        row.over = row.cancelled_at is not None or row.ends_on < today
    return render(request, "approvals/delegations.html", {"form": form, "rows": rows})


@login_required
@require_POST
def delegation_end(request, pk: int):
    delegation = get_object_or_404(delegations_visible(request.user), pk=pk)
    try:
        delegation_cancel(delegation=delegation, actor=request.user)
    except (PermissionDenied, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤销：{delegation}")
    return redirect("approvals:delegations")


# ---------------------------------------------------------------------------------------------
# 催办 and 抄送


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def urge(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    if not (task_can_urge(request.user, task) or task_can_act(request.user, task)):
        raise Http404
    form = UrgeForm(request.POST)
    form.is_valid()
    try:
        task_urge(task=task, actor=request.user, note=form.cleaned_data.get("note", ""))
    except (PermissionDenied, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已催办：{task.step_label}")
    return _back(request, "approvals:inbox")


def _record(content_type_id: int, pk: int):
    ct = get_object_or_404(ContentType, pk=content_type_id)
    model = ct.model_class()
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


@login_required
def copy(request, content_type_id: int, pk: int):
    """抄送: copy people on a record (the applicant, or whoever a step of it waits on)."""
    record = _record(content_type_id, pk)
    if not copies_can_add(request.user, record):
        raise Http404
    link = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = copies_add(
                record=record,
                users=form.cleaned_data["users"],
                actor=request.user,
                title=str(record),
                link=link,
                note=form.cleaned_data["note"],
            )
        except (PermissionDenied, DomainError) as exc:
            form.add_error(None, str(exc))
        else:
            names = "、".join(str(c.user) for c in added)
            messages.success(request, f"已抄送：{names}" if added else "所选人员均已在抄送名单中")
            return _back(request, link or "approvals:copied")
    return render(
        request,
        "approvals/copy.html",
        {"form": form, "record": record, "link": link, "next": request.POST.get("next", link)},
    )


@login_required
def copied(request):
    """抄送我的."""
    result = list_result(request, copied_to(request.user), COPIED)
    if result.exporting:
        return export_response(result)
    return render(request, "approvals/copied.html", {"list": result, "page": result.page()}, status=result.status)


# ---------------------------------------------------------------------------------------------
# 批量审批


@login_required
@require_POST
def bulk_approve(request):
    form = BulkApproveForm(request.POST)
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()]
    if not ids:
        messages.error(request, "请先勾选要批量通过的待办")
        return inbox(request, bulk_form=form)
    form.is_valid()
    rows = tasks_bulk_approve(task_ids=ids, actor=request.user, comment=form.cleaned_data.get("comment", ""))
    done = sum(1 for r in rows if r.done)
    return render(
        request,
        "approvals/bulk_result.html",
        {"rows": rows, "done": done, "refused": len(rows) - done, "comment": form.cleaned_data.get("comment", "")},
    )


# ---------------------------------------------------------------------------------------------
# 一键审批 from a notification (approvals.links)


def act(request, token: str):
    """A 通过 / 退回 link from a notification: shows what it will do and asks to confirm (and,
    for a return, the reason); a stale link says who handled the step and when."""
    viewer = request.user if request.user.is_authenticated else None
    check = link_check(token, viewer=viewer)
    form = ReturnForm(request.POST or None) if check.outcome == "return" else None
    done = False
    if request.method == "POST" and not check.problem and (form is None or form.is_valid()):
        try:
            link_act(token, comment=form.cleaned_data["comment"] if form else "同意", viewer=viewer)
        except (PermissionDenied, DomainError) as exc:
            check = link_check(token, viewer=viewer)
            check.problem = check.problem or str(exc)
        else:
            done = True
    return render(request, "approvals/act.html", {"check": check, "form": form, "done": done, "token": token})


# ---------------------------------------------------------------------------------------------
# 钉钉 / 飞书 / 企业微信 card buttons (approvals.robots)


@csrf_exempt
@require_POST
def im_callback(request, platform: str):
    """The platforms call this; it is signed by them, not by a browser session."""
    answer = robots.im_callback(platform=platform, headers=request.headers, body=request.body, params=request.GET)
    return JsonResponse({"ok": answer.status == 200, "message": answer.message}, status=answer.status)


# ---------------------------------------------------------------------------------------------
# 加签 and 退回到指定环节


class _Decided(Exception):
    def __init__(self, task: Task):
        self.task = task


def _acting_task(request, pk: int) -> Task:
    """The task this person may answer; one decided meanwhile by someone else (his principal,
    his delegate, a countersigner of his step) answers “已由 X 于 … 处理” instead of a 404."""
    task = get_object_or_404(Task.objects.select_related("group", "region", "closed_by", "on_behalf_of"), pk=pk)
    if not task_can_act(request.user, task):
        if task.state != Task.State.OPEN and task_was_for(request.user, task):
            raise _Decided(task)
        raise Http404
    return task


def _decided_answer(request, task: Task):
    messages.error(request, stale_message(task))
    return redirect(task.link)


@login_required
def add_signer(request, pk: int):
    try:
        task = _acting_task(request, pk)
    except _Decided as decided:
        return _decided_answer(request, decided.task)
    form = AddSignerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task_add_signer(
                task=task, actor=request.user, signer=data["signer"], position=data["position"], reason=data["reason"]
            )
        except (PermissionDenied, DomainError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已加签：{data['signer']}")
            return redirect(task.link)
    return render(
        request, "approvals/task_form.html", {"task": task, "form": form, "heading": "加签", "button": "加签"}
    )


@login_required
def return_to(request, pk: int):
    try:
        task = _acting_task(request, pk)
    except _Decided as decided:
        return _decided_answer(request, decided.task)
    steps = earlier_steps(task.subject, task.step)
    form = ReturnToForm(request.POST or None, steps=steps)
    if request.method == "POST" and form.is_valid():
        try:
            task_return_to(
                task=task, actor=request.user, step_code=form.cleaned_data["step"], comment=form.cleaned_data["reason"]
            )
        except (PermissionDenied, DomainError) as exc:
            form.add_error(None, str(exc))
        else:
            label = dict(form.fields["step"].choices)[form.cleaned_data["step"]]
            messages.success(request, f"已退回到“{label}”")
            return redirect(task.link)
    context = {"task": task, "form": form, "heading": "退回到指定环节", "button": "退回", "danger": True}
    return render(request, "approvals/task_form.html", context)
