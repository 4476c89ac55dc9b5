"""The project's own set-up: settings modes, the compose file, the broker the tests use."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    env.update(extra)
    return env


def _settings_value(module, expression, **env):
    code = f"import django; from django.conf import settings; django.setup(); print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_env(DJANGO_SETTINGS_MODULE=module, **env),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_embedded_default_runs_on_sqlite_and_the_filesystem_broker():
    out = _settings_value(
        "pmis.settings.local",
        "settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, settings.LANGUAGE_CODE, "
        "settings.TIME_ZONE, settings.USE_TZ",
    )
    assert out == "django.db.backends.sqlite3 filesystem:// zh-hans Asia/Shanghai True"


def test_database_and_broker_urls_switch_to_postgresql_and_redis():
    out = _settings_value(
        "pmis.settings.local",
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], settings.CELERY_BROKER_URL",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/elsewhere",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/3",
    )
    assert out == "django.db.backends.postgresql elsewhere redis://127.0.0.1:6379/3"


def test_the_test_suite_itself_runs_on_postgresql_and_redis(settings):
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.django_db
def test_the_app_connections_to_postgresql_run_without_jit_compilation():
    """A search's or a queue's visibility conditions carry a planner cost in the millions, over
    jit_above_cost: with JIT on, PostgreSQL spent two seconds compiling a query that then ran in a
    millisecond. The server's default is on; the app's own connections turn it off."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    kept = _settings_value(
        "pmis.settings.local",
        "settings.DATABASES['default'].get('OPTIONS', {}).get('options')",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/elsewhere",
        PMIS_DATABASE_JIT="true",
    )
    assert kept == "None"


def test_celery_reaches_the_redis_broker():
    from pmis.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.transport.driver_type == "redis"


_CACHE_STEPS = """
import sys
import django
from django.conf import settings

django.setup()
from django.core.cache import cache

step = sys.argv[1]
if step == "write":
    cache.set("pmis:test:layout", {"inbox": 3})
    cache.add("pmis:test:count", 1)
    shown = None
elif step == "read":
    shown = (cache.get("pmis:test:layout"), cache.incr("pmis:test:count"), cache.get_many(["pmis:test:layout"]))
    cache.delete_many(["pmis:test:layout", "pmis:test:count"])
else:
    shown = cache.get("pmis:test:layout")
print(settings.CACHES["default"]["BACKEND"], shown)
"""


def test_a_redis_cache_url_gives_the_redis_cache_that_keeps_its_client():
    """Production's cache (CACHE_URL redis://…) goes through pmis.cache, and every operation
    reaches Redis: what one process writes another reads, counts on and deletes."""
    env = _clean_env(DJANGO_SETTINGS_MODULE="pmis.settings.local", CACHE_URL="redis://127.0.0.1:6379/11")

    def run(step):
        result = subprocess.run(
            [sys.executable, "-c", _CACHE_STEPS, step], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert run("write") == "pmis.cache.RedisCache None"
    assert run("read") == "pmis.cache.RedisCache ({'inbox': 3}, 2, {'pmis:test:layout': {'inbox': 3}})"
    assert run("after") == "pmis.cache.RedisCache None"  # deleted by the other process


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_clean_env(
            DJANGO_SETTINGS_MODULE="pmis.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="pmis.example.com",
            DATABASE_URL="sqlite:////tmp/pmis-deploy-check.sqlite3",
            CACHE_URL="redis://127.0.0.1:6379/1",  # required in production: one cache for every process
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_clean_env(DJANGO_SETTINGS_MODULE="pmis.settings.production", DJANGO_ALLOWED_HOSTS="x"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_env_example_documents_every_variable_the_settings_read():
    read = set()
    for path in (ROOT / "pmis" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', path.read_text()))
        read |= set(re.findall(r'os\.environ\.setdefault\(\s*"([A-Z_]+)"', path.read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "no variables found: the pattern no longer matches the settings"
    assert read - documented == set()


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services_with_their_commands(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)

    def command(name):
        cmd = services[name]["command"]
        return " ".join(cmd) if isinstance(cmd, list) else cmd

    assert "gunicorn pmis.wsgi:application" in command("web")
    assert "celery -A pmis worker" in command("worker")
    assert "celery -A pmis beat" in command("beat")
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert env["DJANGO_SETTINGS_MODULE"] == "pmis.settings.production"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert int(env["DATABASE_CONN_MAX_AGE"]) > 0  # kept connections, as the bench measures
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make run" in readme
    assert "make test" in ci
