"""Links in e-mails point at the configured site address (PMIS_BASE_URL), not a fixed one."""

import os
import subprocess
import sys

import pytest
from django.core import mail
from django.test import override_settings

from pmis.notify.models import Notification
from pmis.notify.services import notification_deliver, notify

pytestmark = pytest.mark.django_db


@override_settings(PMIS_BASE_URL="https://pmis.example.cn:8443/")
def test_the_email_link_uses_the_configured_site_address(demo):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        (note,) = notify(recipients=[demo["sales"]], title="实施登记已通过商务审批", link="/r/1/")
    assert notification_deliver(notification_id=note.pk) == "sent"
    assert Notification.objects.get(pk=note.pk).email_state == Notification.EmailState.SENT
    (message,) = mail.outbox
    assert "查看：https://pmis.example.cn:8443/r/1/" in message.body
    assert "127.0.0.1:8000" not in message.body


def _setting(**environment):
    env = {k: v for k, v in os.environ.items() if k not in ("PMIS_BASE_URL", "PMIS_SITE_URL")}
    env.update(environment, DJANGO_SETTINGS_MODULE="pmis.settings.local")
    code = "import django; django.setup(); from django.conf import settings; print(settings.PMIS_BASE_URL)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_the_older_setting_name_still_sets_the_site_address():
    assert _setting(PMIS_SITE_URL="http://pmis.old.example") == "http://pmis.old.example"
    assert _setting(PMIS_BASE_URL="http://127.0.0.1:8123", PMIS_SITE_URL="http://ignored") == "http://127.0.0.1:8123"


def test_make_run_gives_every_process_the_address_of_the_port_it_runs_on():
    """`make run` starts Procfile.dev: web, worker (which sends the e-mails) and beat all see
    PMIS_BASE_URL at the port the site runs on, unless it was set explicitly."""
    from django.conf import settings

    lines = (settings.BASE_DIR / "Procfile.dev").read_text(encoding="utf-8").splitlines()
    processes = dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))
    assert set(processes) == {"web", "worker", "beat"}
    base = {k: v for k, v in os.environ.items() if k not in ("PMIS_BASE_URL", "PMIS_SITE_URL", "PMIS_HOST")}
    for name, command in processes.items():
        shown = command[: command.rindex("exec ")] + "exec printenv PMIS_BASE_URL'"
        out = subprocess.run(shown, shell=True, env={**base, "PMIS_PORT": "8123"}, capture_output=True, text=True)
        assert out.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123", name
        chosen = {**base, "PMIS_PORT": "8123", "PMIS_BASE_URL": "https://pmis.example.cn"}
        out = subprocess.run(shown, shell=True, env=chosen, capture_output=True, text=True)
        assert out.stdout.strip().splitlines()[-1] == "https://pmis.example.cn", name
