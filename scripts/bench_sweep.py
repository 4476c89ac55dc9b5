"""The SLA sweep at scale, for `make bench`: an ordinary minute (a handful due) among a million
open tasks, and twenty thousand due at once. Each measurement writes its tasks with one
INSERT … SELECT generate_series inside a transaction that is rolled back, so the database is left
as it was. Needs the demo roles (seed_demo).

    python scripts/bench_sweep.py            # both, against DATABASE_URL
    from scripts.bench_sweep import sla_sweep_minute_seconds, sla_sweep_due_seconds
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmis.settings.local")
    import django

    django.setup()


def _insert_tasks(count: int, *, due_from_minutes: int, due_span_minutes: int, label: str) -> None:
    """`count` open tasks waiting on the business approvers, due between `due_from_minutes` and
    `due_from_minutes + due_span_minutes` from now (negative: already due)."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from approvals.models import Task

    group = Group.objects.get(name="business_approver")
    escalate_to = Group.objects.get(name="aftersales_manager")
    content_type = ContentType.objects.get_for_model(Group)
    table = connection.ops.quote_name(Task._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_id, step, step_label, title, link, group_id, "
            "escalate_to_id, routing_note, created_at, due_at, warn_at, state, outcome) "
            "SELECT %s, i, 'bench.sweep', '商务审批', %s || i, '/approvals/inbox/', %s, %s, '', now(), "
            "now() + make_interval(mins => %s + (i %% %s)), "
            "now() + make_interval(mins => %s + (i %% %s) - 120), 'open', '' "
            "FROM generate_series(1, %s) AS i",
            [
                content_type.pk, label, group.pk, escalate_to.pk,
                due_from_minutes, max(due_span_minutes, 1), due_from_minutes, max(due_span_minutes, 1), count,
            ],
        )  # fmt: skip
        cursor.execute(f"ANALYZE {table}")


def _timed_sweep() -> tuple[float, int, dict]:
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from approvals.services import tasks_sweep

    reverse("approvals:inbox")  # a worker has resolved its URLs long before
    tasks_sweep(now=timezone.now() - timedelta(days=3650))  # nothing due then: warms the lookups
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        counts = tasks_sweep()
        elapsed = time.monotonic() - started
    return elapsed, len(queries.captured_queries), counts


def sla_sweep_minute_seconds(open_tasks: int = 1_000_000, due: int = 5) -> dict:
    """An ordinary minute: `due` tasks due among `open_tasks` open ones due in the coming month,
    after a sweep that caught up with whatever was due before. Returns {"open", "due", "seconds",
    "queries"}; rolled back afterwards."""
    from django.db import transaction

    from approvals.models import Task
    from approvals.services import tasks_sweep

    with transaction.atomic():
        # The minutes before this one swept what was already due: a filled database holds
        # thousands of open tasks past their deadlines that no sweep has marked (seed_bulk writes
        # them, and every other measurement here rolls its sweep back), and marking those is the
        # burst measured by sla_sweep_due_seconds, not an ordinary minute.
        tasks_sweep()
        _insert_tasks(open_tasks, due_from_minutes=60 * 24, due_span_minutes=60 * 24 * 30, label="待办 ")
        _insert_tasks(due, due_from_minutes=-5, due_span_minutes=1, label="已到期 ")
        total_open = Task.objects.filter(state="open").count()
        elapsed, queries, counts = _timed_sweep()
        transaction.set_rollback(True)
    return {"open": total_open, "due": counts["escalated"] + counts["warned"], "seconds": elapsed, "queries": queries}


def sla_sweep_due_seconds(due: int = 20_000) -> dict:
    """`due` tasks due at once (each escalated, one digest per person). Rolled back afterwards."""
    from django.db import transaction

    with transaction.atomic():
        _insert_tasks(due, due_from_minutes=-60, due_span_minutes=50, label="已到期 ")
        elapsed, queries, counts = _timed_sweep()
        transaction.set_rollback(True)
    return {"due": counts["escalated"] + counts["warned"], "seconds": elapsed, "queries": queries}


def main() -> None:
    _django()
    open_tasks = int(os.environ.get("BENCH_SWEEP_OPEN", "1000000"))
    burst = sla_sweep_due_seconds()
    print(f"SLA 扫描：{burst['due']} 条同时到期，用时 {burst['seconds']:.2f} 秒，{burst['queries']} 条 SQL")
    minute = sla_sweep_minute_seconds(open_tasks=open_tasks)
    print(
        f"SLA 扫描（平常一分钟）：{minute['open']} 条未关闭待办中 {minute['due']} 条到期，"
        f"用时 {minute['seconds'] * 1000:.0f} 毫秒，{minute['queries']} 条 SQL"
    )


if __name__ == "__main__":
    main()
