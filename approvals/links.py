"""One-click 通过 / 退回 from a notification (mail or an IM card).

As Frappe's workflow-action mails do, the link is signed, carries the state it was made for, and
opening it shows a confirmation page first (mail scanners that fetch links act on nothing); a
link whose step has moved on opens “已由 X 于 … 处理” instead of acting. Beyond that, a link here
is bound to one user, one task and the task's version (who it waits on), expires after the
policy `approval-link-valid`, and acts once (ActionLinkUse). A return still asks for its reason.
The action itself goes through the step's own service (approvals.actions)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from pmis import reference
from pmis.org.models import User

from .actions import DECISIONS, stale_message, task_decide
from .errors import DomainError
from .models import ActionLinkUse, Task

SALT = "approvals.action-link"
LINK_POLICY = "approval-link-valid"
LINK_OUTCOMES = {"approve": "通过", "return": "退回"}


def link_lifetime() -> timedelta:
    policy = reference.policy(LINK_POLICY)
    return timedelta(minutes=policy.duration_minutes) if policy else timedelta(hours=72)


def task_version(task: Task) -> str:
    """Changes when the step is answered or handed to someone else: an older link is stale."""
    raw = f"{task.state}:{task.assignee_id}:{task.group_id}:{task.region_id}:{task.department_id}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def action_token(*, task: Task, user: User, outcome: str) -> str:
    if outcome not in LINK_OUTCOMES:
        raise ValueError(outcome)
    payload = {"t": task.pk, "u": user.pk, "v": task_version(task), "o": outcome, "n": secrets.token_hex(8)}
    return signing.dumps(payload, salt=SALT, compress=True)


def action_url(*, task: Task, user: User, outcome: str) -> str:
    return reverse("approvals:act", args=[action_token(task=task, user=user, outcome=outcome)])


@dataclass
class LinkCheck:
    task: Task | None
    user: User | None
    outcome: str
    nonce: str
    problem: str = ""  # why it cannot act, in Chinese; empty when it can

    @property
    def outcome_label(self) -> str:
        return LINK_OUTCOMES.get(self.outcome, "")


def link_check(token: str, *, viewer=None) -> LinkCheck:
    """Read a link: its task, user and action, and what stops it acting now (expired, used,
    another person's, or a step that has moved on)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        return LinkCheck(None, None, "", "", "该链接已过期，请登录系统在“我的待办”中处理")
    except signing.BadSignature:
        return LinkCheck(None, None, "", "", "链接无效（签名不符），请登录系统在“我的待办”中处理")
    task = Task.objects.select_related("closed_by", "on_behalf_of").filter(pk=data.get("t")).first()
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    check = LinkCheck(task, user, data.get("o", ""), data.get("n", ""))
    if task is None or user is None or check.outcome not in LINK_OUTCOMES:
        check.problem = "链接无效，请登录系统在“我的待办”中处理"
    elif viewer is not None and viewer.is_authenticated and viewer.pk != user.pk:
        check.problem = f"该链接是发给 {user} 的，请以本人账号处理"
    elif task.state != Task.State.OPEN:
        check.problem = stale_message(task)
    elif ActionLinkUse.objects.filter(nonce=check.nonce).exists():
        check.problem = "该链接已使用过，请登录系统查看处理结果"
    elif data.get("v") != task_version(task):
        check.problem = "该待办已转交或改由他人处理，链接已失效"
    elif task.step not in DECISIONS:
        check.problem = f"“{task.step_label}”需在记录页面办理"
    return check


def link_act(token: str, *, comment: str = "", viewer=None, channel: str = "mail") -> LinkCheck:
    """Act on a link once: record its use and answer the step through its service, in one
    transaction (a refusal frees the link again)."""
    check = link_check(token, viewer=viewer)
    if check.problem:
        raise DomainError(check.problem)
    if check.outcome == "return" and not (comment or "").strip():
        raise DomainError("退回必须填写原因")
    try:
        with transaction.atomic():
            ActionLinkUse.objects.create(
                nonce=check.nonce, task=check.task, user=check.user, outcome=check.outcome, channel=channel
            )
            task_decide(task=check.task, actor=check.user, outcome=check.outcome, comment=comment)
    except IntegrityError:
        raise DomainError("该链接已使用过，请登录系统查看处理结果") from None
    return check


def links_text(task: Task, user: User) -> str:
    """The 通过 / 退回 lines a notification about a decision step carries for its recipient."""
    from django.conf import settings

    if task.step not in DECISIONS:
        return ""
    base = settings.PMIS_BASE_URL.rstrip("/")
    approve = base + action_url(task=task, user=user, outcome="approve")
    send_back = base + action_url(task=task, user=user, outcome="return")
    hours = int(link_lifetime().total_seconds() // 3600)
    return f"\n\n一键处理（{hours} 小时内有效，仅限本人使用一次）：\n通过：{approve}\n退回（需填写原因）：{send_back}"
