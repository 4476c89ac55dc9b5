"""Run in a subprocess by tests/test_embedded.py against the embedded default (SQLite and the
filesystem broker) after migrate, seed_demo, load_holidays and setup_schedules: every scheduled
job once, with every deadline passed, then every daily page as the role that uses it. Prints one
line per failure and exits 1 if there was any."""

import os
import sys
import traceback
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmis.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the console's mails: not here

import bench  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_celery_beat.models import PeriodicTask  # noqa: E402

from pmis.celery import app as celery_app  # noqa: E402
from pmis.org.models import User  # noqa: E402
from projects.models import Project  # noqa: E402

failures: list[str] = []


def failed(what: str) -> None:
    """What failed, with the project's own line nearest to the error."""
    kind, error, trace = sys.exc_info()
    ours = [f for f in traceback.extract_tb(trace) if str(ROOT) in f.filename and ".venv" not in f.filename]
    where = f"（{Path(ours[-1].filename).relative_to(ROOT)}:{ours[-1].lineno}）" if ours else ""
    failures.append(f"{what}：{kind.__name__}: {error}{where}")


def jobs() -> None:
    """Each scheduled job as beat would send it, then the SLA sweep a year on (every step due)."""
    from approvals.services import tasks_sweep

    celery_app.loader.import_default_modules()
    for job in PeriodicTask.objects.filter(enabled=True).exclude(task="celery.backend_cleanup"):
        try:
            celery_app.tasks[job.task].apply(throw=True)
        except Exception:
            failed(f"定时任务 {job.name}（{job.task}）")
    try:
        tasks_sweep(now=timezone.now() + timedelta(days=365))
    except Exception:
        failed("SLA 扫描（全部到期）")


def pages() -> None:
    project = Project.objects.order_by("pk").first()
    for label, username, path in bench.PAGES:
        if path.startswith("PROJECT"):
            path = project.get_absolute_url() + ("tabs/" + path.split(":", 1)[1] + "/" if ":" in path else "")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        try:
            status = client.get(path).status_code
        except Exception:
            failed(f"{label} {path}")
            continue
        if status != 200:
            failures.append(f"{label} {path}：HTTP {status}")


if __name__ == "__main__":
    pages()
    jobs()
    pages()  # and again with every step overdue and escalated
    print("\n".join(failures) or "全部通过")
    sys.exit(1 if failures else 0)
