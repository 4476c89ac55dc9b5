"""The first set-up command of the README runs the app on the embedded default: SQLite and the
filesystem broker, with the demo data. Everything else in the suite runs on PostgreSQL, as
production does; here the embedded default is built as `make run` builds it, its scheduled jobs
are run with every deadline passed, and every daily page is opened as the role that uses it. A
statement only PostgreSQL understands fails here rather than on a newcomer's first page."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_setup import _clean_env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(900)  # four commands and a walk through every page on SQLite: about 90 s here
def test_the_embedded_default_serves_every_daily_page_and_runs_every_scheduled_job(tmp_path):
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="pmis.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'pmis.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONWARNINGS="ignore",
    )

    def run(*command):
        result = subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, f"{' '.join(command)}：\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        return result.stdout

    for command in (("migrate", "--noinput"), ("seed_demo",), ("load_holidays",), ("setup_schedules",)):
        run("manage.py", *command)
    assert run("tests/embedded_walk.py").strip().endswith("全部通过")
