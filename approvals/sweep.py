"""The SLA sweep (时限预警与超时升级), once a minute: warn the open tasks past their warning point,
escalate those past their due time — each exactly once — and tell each person once per run.

Its cost follows what is due, never what is open: the candidates come from the partial indexes
task_to_warn / task_to_escalate, and a batch of them costs a constant number of statements
whatever its size — one locking SELECT, one UPDATE of the markers, one INSERT of the ledger
(notify.ScheduledSend, one row per task and deadline, so a redelivered run or a lost marker
sends nothing twice), one INSERT of the audit rows, and a query per role group not yet seen.
The whole run is one transaction: the markers, the ledger, the audit rows and the digests
commit together, and a second sweep running at the same time skips the rows this one holds."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from pmis.audit.services import audit_record_many
from pmis.notify.models import ScheduledSend
from pmis.notify.services import Message, notify_many
from pmis.org.models import Region, User
from pmis.org.selectors import users_in_role

from .models import Task

# How many tasks one run handles per kind at most; what is left is the next minute's.
SWEEP_LIMIT = 50_000
# How many tasks a digest lists by name; the rest are counted.
DIGEST_LINES = 20


@dataclass(frozen=True)
class Phase:
    job: str  # the ScheduledSend job, also the notification kind
    due_field: str
    done_field: str
    action: str
    label: str


ESCALATE = Phase("sla_escalation", "due_at", "escalated_at", "task.escalate", "超时升级")
WARN = Phase("sla_warning", "warn_at", "warned_at", "task.warn", "时限预警")


def sweep_candidates(*, now: datetime, due_field: str, done_field: str) -> models.QuerySet[Task]:
    """Open tasks whose `due_field` has passed and whose `done_field` is unset, soonest first:
    the shape the partial indexes task_to_warn / task_to_escalate serve."""
    return Task.objects.filter(
        state=Task.State.OPEN, **{f"{done_field}__isnull": True, f"{due_field}__lte": now}
    ).order_by(due_field)


# What the sweep reads of a task: the columns the UPDATE returns, not a model instance each.
DUE_COLUMNS = (
    "id", "step", "step_label", "title", "link", "group_id", "region_id", "department_id", "assignee_id",
    "claimed_by_id", "exclude_user_id", "escalate_to_id", "due_at", "warn_at",
)  # fmt: skip


@dataclass(slots=True)
class Due:
    id: int
    step: str
    step_label: str
    title: str
    link: str
    group_id: int | None
    region_id: int | None
    department_id: int | None
    assignee_id: int | None
    claimed_by_id: int | None
    exclude_user_id: int | None
    escalate_to_id: int | None
    due_at: datetime | None
    warn_at: datetime | None

    @property
    def pk(self) -> int:
        return self.id


def _take_batch(phase: Phase, now: datetime, batch: int) -> list[Due]:
    """Lock a batch of candidates and set their marker in one statement. Rows another sweeper
    holds are skipped (FOR UPDATE SKIP LOCKED), so concurrent sweeps never handle a task twice."""
    candidates = sweep_candidates(now=now, due_field=phase.due_field, done_field=phase.done_field)
    locked, params = (
        candidates.select_for_update(skip_locked=True, of=("self",)).values("pk")[:batch].query.sql_with_params()
    )
    table = connection.ops.quote_name(Task._meta.db_table)
    if phase is ESCALATE:
        # a breach says more than the warning it replaces: no late warning follows
        marker, marker_params = "escalated_at = %s, warned_at = COALESCE(warned_at, %s)", [now, now]
    else:
        marker, marker_params = "warned_at = %s", [now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {marker} WHERE id IN ({locked}) RETURNING {', '.join(DUE_COLUMNS)}",
            [*marker_params, *params],
        )
        rows = [Due(*row) for row in cursor.fetchall()]
    if connection.vendor != "postgresql":
        for row in rows:  # SQLite's driver hands back its stored UTC times without their zone
            row.due_at, row.warn_at = _aware(row.due_at), _aware(row.warn_at)
    rows.sort(key=lambda t: (getattr(t, phase.due_field), t.id))
    return rows


def _aware(moment: datetime | None) -> datetime | None:
    return timezone.make_aware(moment, UTC) if moment is not None and timezone.is_naive(moment) else moment


def _claim(phase: Phase, tasks: list[Due], content_type: ContentType) -> set[int]:
    """Record each task's notice for its deadline in the ledger with one INSERT … ON CONFLICT DO
    NOTHING; return the tasks not told before (a lost marker, a restored row: nothing twice)."""
    periods: dict[datetime | None, str] = {}
    for task in tasks:
        moment = getattr(task, phase.due_field)
        if moment not in periods:
            periods[moment] = timezone.localtime(moment).isoformat() if moment else ""
    table = connection.ops.quote_name(ScheduledSend._meta.db_table)
    if connection.vendor != "postgresql":
        # the embedded default (SQLite) has no arrays to unnest: one row at a time, same ledger
        claimed = set()
        with connection.cursor() as cursor:
            for task in tasks:
                cursor.execute(
                    f"INSERT INTO {table} (job, period, recipient_id, content_type_id, object_id, sent_at) "
                    "VALUES (%s, %s, NULL, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING object_id",
                    [phase.job, periods[getattr(task, phase.due_field)], content_type.pk, task.id, timezone.now()],
                )
                claimed.update(int(row[0]) for row in cursor.fetchall())
        return claimed
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job, period, recipient_id, content_type_id, object_id, sent_at) "
            "SELECT %s, p, NULL, %s, o, %s FROM unnest(%s::varchar[], %s::bigint[]) AS t(p, o) "
            "ON CONFLICT DO NOTHING RETURNING object_id",
            [
                phase.job, content_type.pk, timezone.now(),
                [periods[getattr(t, phase.due_field)] for t in tasks], [t.id for t in tasks],
            ],
        )  # fmt: skip
        return {row[0] for row in cursor.fetchall()}


@dataclass
class People:
    """Who is waiting on a task, read once per sweep per role group, region and team, and once
    per batch for named people (assignees, claimers)."""

    groups: dict[int, str] = field(default_factory=dict)
    regions: dict[int, Region] = field(default_factory=dict)
    members: dict[tuple, list[User]] = field(default_factory=dict)
    named: dict[int, User] = field(default_factory=dict)

    def load(self, tasks: list[Due], phase: Phase) -> None:
        named = {pk for t in tasks for pk in (t.assignee_id, t.claimed_by_id) if pk} - self.named.keys()
        if named:
            self.named.update(User.objects.in_bulk(named))
        group_ids = {t.group_id for t in tasks if t.group_id} | {
            t.escalate_to_id for t in tasks if phase is ESCALATE and t.escalate_to_id
        }
        if missing := group_ids - self.groups.keys():
            self.groups.update(Group.objects.filter(pk__in=missing).values_list("pk", "name"))
        if missing := {t.region_id for t in tasks if t.region_id} - self.regions.keys():
            self.regions.update(Region.objects.in_bulk(missing))

    def _group(self, group_id: int, region_id: int | None, department_id: int | None) -> list[User]:
        key = (group_id, region_id, department_id)
        if key not in self.members:
            users = users_in_role(self.groups[group_id], region=self.regions.get(region_id) if region_id else None)
            if department_id is not None:
                users = users.filter(department_id=department_id)
            self.members[key] = list(users)
        return self.members[key]

    def waiting(self, task: Due) -> list[User]:
        """The same people approvals.services.waiting_users names."""
        if task.assignee_id:
            return [self.named[task.assignee_id]]
        if task.claimed_by_id:
            return [self.named[task.claimed_by_id]]
        members = self._group(task.group_id, task.region_id, task.department_id)
        return [u for u in members if u.pk != task.exclude_user_id]

    def escalation(self, task: Due) -> list[User]:
        return self._group(task.escalate_to_id, None, None) if task.escalate_to_id else []


@dataclass
class Digest:
    escalated: list[Due] = field(default_factory=list)
    warned: list[Due] = field(default_factory=list)


def tasks_sweep(*, now: datetime | None = None, batch: int = 2000, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Escalate tasks past their due time and warn those past their warning point, each once, and
    send each person one digest of what concerns them. Returns how many were escalated and warned."""
    now = now or timezone.now()
    counts = {"escalated": 0, "warned": 0}
    people = People()
    digests: dict[int, Digest] = defaultdict(Digest)
    users: dict[int, User] = {}
    # read before the loop, so that a run with nothing due warms it like any other
    content_type = ContentType.objects.get_for_model(Task)
    with transaction.atomic():
        for phase, key in ((ESCALATE, "escalated"), (WARN, "warned")):
            while counts[key] < limit:
                tasks = _take_batch(phase, now, min(batch, limit - counts[key]))
                if not tasks:
                    break
                fresh = _claim(phase, tasks, content_type)
                told = [t for t in tasks if t.id in fresh]
                audit_record_many(model=Task, object_ids=[t.id for t in told], action=phase.action, label=phase.label)
                people.load(told, phase)
                for task in told:
                    recipients = people.waiting(task)
                    if phase is ESCALATE:
                        recipients = recipients + people.escalation(task)
                    for user in recipients:
                        users[user.pk] = user
                        digest = digests[user.pk]
                        listed = digest.escalated if phase is ESCALATE else digest.warned
                        if not listed or listed[-1] is not task:  # a person both waiting and escalated to
                            listed.append(task)
                counts[key] += len(tasks)
                if len(tasks) < batch:
                    break
        inbox = reverse("approvals:inbox")
        notify_many(_digest_message(users[pk], digest, now, inbox) for pk, digest in digests.items())
    return counts


def _single(phase: Phase, task: Due, now: datetime) -> tuple[str, str]:
    due = timezone.localtime(task.due_at) if task.due_at else None
    if phase is ESCALATE:
        return f"已超时：{task.step_label} · {task.title}", f"该待办已于 {due:%Y-%m-%d %H:%M} 超过处理时限。"
    left = task.due_at - now if task.due_at else None
    hours = max(int(left.total_seconds() // 3600), 0) if left else 0
    when = f"{due:%Y-%m-%d %H:%M}" if due else "—"
    return f"即将超时：{task.step_label} · {task.title}", f"该待办将于 {when} 到期（约剩 {hours} 小时），请尽快处理。"


def _digest_message(user: User, digest: Digest, now: datetime, inbox: str) -> Message:
    """One notice per person per sweep. A single task reads as before (and is about the task, so
    closing it marks the notice read); several read “您有 N 条待办已超时”, list the first ones
    with their links and point to the inbox, which lists the overdue first."""
    items = [(ESCALATE, t) for t in digest.escalated] + [(WARN, t) for t in digest.warned]
    kind = ESCALATE.job if digest.escalated else WARN.job
    if len(items) == 1:
        phase, task = items[0]
        title, body = _single(phase, task, now)
        return Message(recipient=user, title=title, body=body, link=task.link, subject=Task(pk=task.id), kind=kind)
    parts = []
    if digest.escalated:
        parts.append(f"{len(digest.escalated)} 条待办已超时")
    if digest.warned:
        parts.append(f"{len(digest.warned)} 条{'待办' if not digest.escalated else ''}即将超时")
    title = "您有 " + "，".join(parts)
    base = settings.PMIS_BASE_URL.rstrip("/")
    lines = []
    for phase, task in items[:DIGEST_LINES]:
        due = timezone.localtime(task.due_at) if task.due_at else None
        state = "已超时" if phase is ESCALATE else "即将超时"
        when = f"，{due:%m-%d %H:%M} 到期" if due else ""
        lines.append(f"· 【{state}】{task.step_label} · {task.title}{when}：{base}{task.link}")
    if len(items) > DIGEST_LINES:
        lines.append(f"……另有 {len(items) - DIGEST_LINES} 条未列出，请在“我的待办”中按截止时间查看。")
    return Message(recipient=user, title=title, body="\n".join(lines), link=inbox, subject=None, kind=kind)
