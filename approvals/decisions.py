"""One way for every decision view to answer the person who pressed second.

Two people decide one step: the first wins. The second must read “该环节已由 X 于 … 处理” whatever
the timing — also when he presses after the first has committed and the first decision has taken
the record out of his sight (an approver sees a registration only while it waits on him). So a
decision view locks the record *before* its visibility check, compares the state the page showed
(the form's hidden `seen_state`) with the state now, and when the step has moved on answers with
who moved it and when, instead of a 404 or a refusal without a name."""

from functools import wraps

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from pmis.audit.models import AuditEntry

from .models import Task
from .selectors import _region_ids

SEEN_FIELD = "seen_state"
OUTCOMES = {"approve": "通过", "return": "退回", "reject": "驳回", "cancelled": "取消"}


def task_was_for(user, task: Task) -> bool:
    """Whether a step waited on this user (open or not, claimed or not): who may be told how it
    ended. 代理审批 counts both ways: the delegate of someone it waited on (while the delegation
    runs), and whoever decided it or was stood in for."""
    if not user.is_authenticated or task.exclude_user_id == user.pk:
        return False
    if user.pk in (task.closed_by_id, task.on_behalf_of_id):
        return True
    if _was_for_self(user, task):
        return True
    from .selectors import active_delegations_to

    return any(
        delegation.covers(task.step) and _was_for_self(delegation.delegator, task)
        for delegation in active_delegations_to(user)
    )


def _was_for_self(user, task: Task) -> bool:
    if task.exclude_user_id == user.pk:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    if task.group_id is None or not user.groups.filter(pk=task.group_id).exists():
        return False
    if task.department_id is not None and task.department_id != user.department_id:
        return False
    return task.region_id is None or task.region_id in _region_ids(user)


def _waited_on(user, record) -> bool:
    tasks = Task.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    return any(task_was_for(user, task) for task in tasks.exclude(state=Task.State.OPEN))


def last_decision(record) -> tuple[str, object, str] | None:
    """(who, when, what) of the latest decision on a record: its latest audit row or closed step."""
    content_type = ContentType.objects.get_for_model(record)
    entry = (
        AuditEntry.objects.filter(content_type=content_type, object_id=record.pk)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    task = (
        Task.objects.filter(content_type=content_type, object_id=record.pk)
        .exclude(state=Task.State.OPEN)
        .select_related("closed_by")
        .order_by("-closed_at", "-id")
        .first()
    )
    found = []
    if entry is not None:
        found.append((entry.at, str(entry.actor or "系统"), entry.action_label))
    if task is not None and task.closed_at is not None:
        what = f"{task.step_label}{OUTCOMES.get(task.outcome, '')}"
        found.append((task.closed_at, str(task.closed_by or "系统"), what))
    if not found:
        return None
    at, who, what = max(found, key=lambda row: row[0])
    return who, at, what


def decided_message(record) -> str:
    decision = last_decision(record)
    state = record.get_state_display() if hasattr(record, "get_state_display") else ""
    now = f"，当前状态：{state}" if state else ""
    if decision is None:
        return f"该环节已被处理{now}，请刷新页面查看最新状态"
    who, at, what = decision
    return f"该环节已由 {who} 于 {timezone.localtime(at):%Y-%m-%d %H:%M} 处理（{what}）{now}，无需重复操作"


def decision_view(model, *, can_view, fallback: str, pk_kwarg: str = "pk", url=None):
    """Wrap a decision view (POST): lock the record, and if the step the page showed has been
    decided meanwhile, say by whom and when — before any visibility check the decision changed.
    The lock is held through the view, so the view's own checks and its service see one state.

    `can_view(user, record)` says whether the user may still open the record (then he is sent
    back to it, else to `fallback`); `url(record)` where the record is shown."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            with transaction.atomic():
                record = model._default_manager.select_for_update(of=("self",)).filter(pk=kwargs[pk_kwarg]).first()
                if record is None:
                    raise Http404
                seen = request.POST.get(SEEN_FIELD, "")
                if seen and seen != record.state:
                    answer = _answer(request, record, can_view=can_view, fallback=fallback, url=url)
                    if answer is not None:
                        return answer
                try:
                    return view(request, *args, **kwargs)
                except Http404:
                    # a page without seen_state: out of sight because the step that waited on
                    # him has been decided
                    if can_view(request.user, record):
                        raise
                    answer = _answer(request, record, can_view=can_view, fallback=fallback, url=url)
                    if answer is None:
                        raise
                    return answer

        return wrapped

    return decorate


def _answer(request, record, *, can_view, fallback: str, url):
    visible = can_view(request.user, record)
    if not visible and not _waited_on(request.user, record):
        return None  # not his to know: the view's own answer (a 404) stands
    messages.error(request, decided_message(record))
    if visible:
        return redirect(url(record) if url else record.get_absolute_url())
    return redirect(fallback)
