"""钉钉 / 飞书 / 企业微信 group robots: outbound messages signed the way each platform documents, and
the inbound callback of a card's 通过 / 退回 button.

Outbound (RobotMessage rows, sent by the Celery task approvals.robot_send with retries):
  钉钉     POST {webhook}&timestamp={ms}&sign={urlencoded base64(HmacSHA256(key=secret, "{ms}\\n{secret}"))}
  飞书     POST {webhook}, body {"timestamp": "{s}", "sign": base64(HmacSHA256(key="{s}\\n{secret}", b"")), ...}
  企业微信 POST {webhook} — the key in the URL is the credential; group robots have no signature.

Inbound (/approvals/im/<platform>/callback/): the platform's own signature is checked first, then
the button's value — our signed one-click link (approvals.links), bound to one user — and the IM
user who pressed it must be that user (ImIdentity). A repeated delivery of the same callback acts
once and answers as the first did."""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import ImIdentity, Platform, Robot, RobotMessage, Task

CALLBACK_WINDOW_SECONDS = 3600  # 钉钉 documents one hour for the timestamp of a callback
SEND_TIMEOUT_SECONDS = 10


# ---------------------------------------------------------------------------------------------
# signatures


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_callback_signature(encrypt_key: str, timestamp: str, nonce: str, body: bytes) -> str:
    """X-Lark-Signature of an event callback: sha256(timestamp + nonce + encrypt_key + body)."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def wecom_callback_signature(token: str, timestamp: str, nonce: str, payload: str) -> str:
    """msg_signature of a 企业微信 callback: sha1 of the sorted token, timestamp, nonce and payload."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, payload])).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# outbound


def robot_request(robot: Robot, *, title: str, text: str, now: float | None = None) -> tuple[str, bytes]:
    """The URL and body one message is posted with, signed for the robot's platform."""
    now = time.time() if now is None else now
    if robot.platform == Platform.DINGTALK:
        body = {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n\n{text}"}}
        url = robot.webhook
        if robot.secret:
            ms = int(now * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(robot.secret, ms))
            url += f"{'&' if '?' in url else '?'}timestamp={ms}&sign={sign}"
    elif robot.platform == Platform.FEISHU:
        body = {"msg_type": "text", "content": {"text": f"{title}\n{text}"}}
        url = robot.webhook
        if robot.secret:
            seconds = int(now)
            body = {"timestamp": str(seconds), "sign": feishu_sign(robot.secret, seconds), **body}
    else:
        body = {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
        url = robot.webhook
    return url, json.dumps(body, ensure_ascii=False).encode()


def robots_for(task: Task) -> list[Robot]:
    """The robots of the department the step waits in, of the project it belongs to, and those
    set for the whole company (neither)."""
    from django.db.models import Q

    if not Robot.objects.filter(active=True).exists():
        return []
    scope = Q(department__isnull=True, project__isnull=True)
    if task.department_id:
        scope |= Q(department_id=task.department_id)
    subject = task.subject
    project_id = getattr(subject, "project_id", None)
    if subject is not None and subject._meta.label == "projects.Project":
        project_id = subject.pk
    if project_id:
        scope |= Q(project_id=project_id)
    return list(Robot.objects.filter(scope, active=True))


def robots_tell_task(task: Task, recipients: list) -> list[RobotMessage]:
    """Queue a message about a new step to its robots: what waits, on whom, and each waiting
    person's own 通过 / 退回 link (bound to him; he confirms on our page)."""
    from django.conf import settings

    from .actions import DECISIONS
    from .links import LINK_OUTCOMES, action_url

    robots = robots_for(task)
    if not robots:
        return []
    base = settings.PMIS_BASE_URL.rstrip("/")
    lines = [f"{task.title}（{task.step_label}）", f"查看：{base}{task.link}"]
    if task.step in DECISIONS:
        for user in recipients:
            links = " | ".join(
                f"[{label}]({base}{action_url(task=task, user=user, outcome=code)})"
                for code, label in LINK_OUTCOMES.items()
            )
            lines.append(f"{user}：{links}")
    title = f"新的待办：{task.step_label}"
    messages = [RobotMessage.objects.create(robot=r, title=title, text="\n\n".join(lines)) for r in robots]
    ids = [m.pk for m in messages]
    transaction.on_commit(lambda: _publish(ids))
    return messages


def _publish(ids: list[int]) -> None:
    from .tasks import robot_send

    for message_id in ids:
        try:
            robot_send.apply_async((message_id,), retry=False)
        except Exception:  # the broker is down: the rows stay pending for the next attempt
            return


class RobotRefused(Exception):
    pass


def robot_message_send(*, message_id: int, now: float | None = None) -> str:
    """Post one message. Safe to run twice: a sent message is not sent again (the row is locked
    while it is posted). A failure is written down and raised, so Celery retries."""
    error = None
    with transaction.atomic():
        message = RobotMessage.objects.select_for_update().select_related("robot").filter(pk=message_id).first()
        if message is None or message.state == RobotMessage.State.SENT:
            return "skipped"
        message.attempts += 1
        url, body = robot_request(message.robot, title=message.title, text=message.text, now=now)
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read() or b"{}")
            code = answer.get("errcode", answer.get("code", 0))
            if code not in (0, None):
                raise RobotRefused(f"平台返回错误 {code}：{answer.get('errmsg') or answer.get('msg') or ''}")
        except Exception as exc:
            error = exc
            message.last_error = str(exc)[:500]
            message.state = RobotMessage.State.FAILED
            message.save(update_fields=["attempts", "last_error", "state"])
        else:
            message.state, message.sent_at, message.last_error = RobotMessage.State.SENT, timezone.now(), ""
            message.save(update_fields=["attempts", "state", "sent_at", "last_error"])
    if error is not None:
        raise error
    return "sent"


# ---------------------------------------------------------------------------------------------
# inbound


@dataclass
class CallbackAnswer:
    status: int
    message: str


def _verify(platform: str, headers, body: bytes, params, now: float) -> bool:
    """The platform's own signature on a callback, against the secrets of its robots."""
    secrets_ = [
        s for s in Robot.objects.filter(platform=platform, active=True).values_list("callback_secret", flat=True) if s
    ]
    if platform == Platform.DINGTALK:
        timestamp, sign = headers.get("timestamp", ""), headers.get("sign", "")
        if not timestamp.isdigit() or abs(now * 1000 - int(timestamp)) > CALLBACK_WINDOW_SECONDS * 1000:
            return False
        return any(hmac.compare_digest(dingtalk_sign(s, int(timestamp)), sign) for s in secrets_)
    if platform == Platform.FEISHU:
        timestamp = headers.get("X-Lark-Request-Timestamp", "")
        nonce = headers.get("X-Lark-Request-Nonce", "")
        sign = headers.get("X-Lark-Signature", "")
        if not timestamp.isdigit() or abs(now - int(timestamp)) > CALLBACK_WINDOW_SECONDS:
            return False
        return any(hmac.compare_digest(feishu_callback_signature(s, timestamp, nonce, body), sign) for s in secrets_)
    if platform == Platform.WECOM:
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
        sign = params.get("msg_signature", "")
        if not timestamp.isdigit() or abs(now - int(timestamp)) > CALLBACK_WINDOW_SECONDS:
            return False
        payload = body.decode("utf-8", "replace")
        return any(hmac.compare_digest(wecom_callback_signature(s, timestamp, nonce, payload), sign) for s in secrets_)
    return False


def im_callback(*, platform: str, headers, body: bytes, params, now: float | None = None) -> CallbackAnswer:
    """A card button pressed: {"user": IM user id, "token": our link token, "comment": reason}."""
    from .errors import DomainError
    from .links import link_act, link_check

    now = time.time() if now is None else now
    if platform not in Platform.values or not _verify(platform, headers, body, params, now):
        return CallbackAnswer(403, "签名校验失败")
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return CallbackAnswer(400, "消息格式错误")
    identity = (
        ImIdentity.objects.select_related("user")
        .filter(platform=platform, im_user_id=str(data.get("user", "")))
        .first()
    )
    if identity is None:
        return CallbackAnswer(403, "未绑定系统账号，请由管理员在“IM 账号”中登记")
    token = str(data.get("token", ""))
    check = link_check(token, viewer=identity.user)
    if check.problem:
        # a repeated delivery of a callback that already acted answers as before, acting on nothing
        from .models import ActionLinkUse

        if check.nonce and ActionLinkUse.objects.filter(nonce=check.nonce, user=identity.user).exists():
            return CallbackAnswer(200, f"已{check.outcome_label}（重复的回调已忽略）")
        stale = check.task is not None and check.task.state != Task.State.OPEN
        return CallbackAnswer(409 if stale else 403, check.problem)
    try:
        link_act(token, comment=str(data.get("comment", "")), viewer=identity.user, channel=platform)
    except DomainError as exc:
        return CallbackAnswer(409, str(exc))
    except Exception as exc:  # PermissionDenied from the step's service
        return CallbackAnswer(403, str(exc))
    return CallbackAnswer(200, f"已{check.outcome_label}")
