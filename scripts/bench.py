"""make bench: every page people use all day, at a tenth of the data and at the full scale.

Runs against PostgreSQL (database pmis_bench) and the app under gunicorn on loopback, drives it
with wrk, and prints one table: requests per second, p50 / p95 latency, the SQL query count of
one request, and each page's throughput as a ratio to a bare Django view answering from the same
server in the same run. Also times the SLA sweep over all open tasks and one PDF render."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
DURATION = os.environ.get("BENCH_SECONDS", "8")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DB = os.environ.get("BENCH_DB", "pmis_bench")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "pmis.settings.local",
    "DJANGO_DEBUG": "false",
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "60",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
}
PYTHON = sys.executable

# (label, demo user, path or a callable that finds the path)
PAGES = [
    ("我的待办", "business_approver", "/approvals/inbox/"),
    ("抄送我的", "presales", "/approvals/copies/"),
    ("代理审批", "special_approver", "/approvals/delegations/"),
    ("登记审批·待我审批", "business_approver", "/registrations/queue/"),
    ("登记审批·我已审批", "business_approver", "/registrations/queue/?tab=decided"),
    ("特批审批队列", "special_approver", "/registrations/queue/"),
    ("我的登记", "sales", "/registrations/"),
    ("全部项目", "project_director", "/projects/all/"),
    ("全部项目·筛选", "project_director", "/projects/all/?state=maintenance&kind=local"),
    ("我的项目", "regional_pm", "/projects/"),
    ("项目页", "project_director", "PROJECT"),
    # the project workspace's tabs ("PROJECT:<slug>"); the htmx fragments cost no more
    ("项目·需求", "project_director", "PROJECT:requirements"),
    ("项目·任务", "project_director", "PROJECT:tasks"),
    ("项目·产品领取", "project_director", "PROJECT:product-requests"),
    ("项目·文档", "project_director", "PROJECT:documents"),
    ("项目·周报", "project_director", "PROJECT:weekly"),
    ("项目·项目组", "project_director", "PROJECT:team"),
    ("项目·历史", "project_director", "PROJECT:history"),
    ("项目计划（甘特图）", "project_director", "PROJECT:plan"),
    ("项目风险", "project_director", "PROJECT:risks"),
    ("项目页·会议", "project_director", "PROJECT:meetings"),
    ("项目页·培训", "project_director", "PROJECT:training"),
    ("项目页·验收", "project_director", "PROJECT:acceptance"),
    ("项目页·满意度", "project_director", "PROJECT:satisfaction"),
    ("满意度调查", "marketing", "/delivery/surveys/"),
    ("售后问题·我的", "aftersales", "/aftersales/tickets/?queue=mine"),
    ("售后问题·已超时", "aftersales", "/aftersales/tickets/?queue=breached"),
    ("SLA 指标", "aftersales_manager", "/aftersales/metrics/"),
    ("云产品下单", "business_approver", "/success/orders/"),
    ("运营客服组", "cs_ops", "/success/ops/"),
    ("售后支持组", "cs_support", "/success/support/"),
    ("授权台账·60 天内到期", "cs_ops", "/success/licences/?within=60"),
    ("平台运维部·云端部署", "platform_ops", "/platform/deployments/"),
    ("BUG 清单（上月）", "project_director", "/changes/bugs/monthly/"),
    ("通讯录", "sales", "/org/directory/"),
    ("项目新闻", "sales", "/projects/news/"),
    ("周报缺报", "project_director", "/projects/weekly/missing/"),
    ("工作台·项目总监看板", "project_director", "/"),
    ("工作台·特批看板", "special_approver", "/"),
    ("工作台·商务看板", "business_approver", "/"),
    ("工作台·售后看板", "aftersales_manager", "/"),
    ("工作台·客户成功看板", "cs_head", "/"),
    ("突发事件", "emergency", "/operations/incidents/"),
    ("知识库", "aftersales", "/knowledge/"),
]


def manage(*args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} 失败：\n{result.stderr[-3000:]}")
    return result.stdout


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True, capture_output=True)


def django():
    os.environ.update(ENV)
    import django as dj

    dj.setup()


def sessions() -> dict[str, str]:
    """A logged-in session cookie per demo user, made the way the login view makes them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from pmis.org.models import User

    cookies = {}
    for user in User.objects.filter(username__in={p[1] for p in PAGES}):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[user.username] = store.session_key
    return cookies


def project_path() -> str:
    from projects.models import Project

    project = Project.objects.filter(code__startswith="BK").order_by("-pk").first()
    return project.get_absolute_url()


def _page_path(path: str) -> str:
    """ "PROJECT" is a bulk project's page, "PROJECT:<tab>" one of its workspace tabs."""
    if path == "PROJECT":
        return project_path()
    if path.startswith("PROJECT:"):
        return project_path() + "tabs/" + path.split(":", 1)[1] + "/"
    return path


def query_count(username: str, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pmis.org.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def wrk(path: str, cookie: str | None) -> dict:
    command = ["wrk", "-t2", "-c8", f"-d{DURATION}s", "--latency", "-s", str(ROOT / "scripts" / "wrk_report.lua")]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run([*command, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, check=True)
    line = next(line for line in output.stdout.splitlines() if line.startswith("{"))
    result = json.loads(line)
    result["rps"] = result["requests"] / result["seconds"]
    return result


def start_server():
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "pmis.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers", "2",
         "--log-level", "warning"],
        cwd=ROOT, env=ENV, start_new_session=True,
    )  # fmt: skip
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn 未能启动")


def measure(label: str) -> dict:
    from django.db import connections

    connections.close_all()
    cookies = sessions()
    paths = {name: _page_path(path) for name, _user, path in PAGES}
    server = start_server()
    try:
        baseline = wrk("/healthz", None)
        rows = {}
        for name, user, _path in PAGES:
            result = wrk(paths[name], cookies[user])
            result["queries"] = query_count(user, paths[name])
            result["ratio"] = result["rps"] / baseline["rps"]
            rows[name] = result
            print(
                f"  [{label}] {name}: {result['rps']:.0f} req/s, p95 {result['p95'] / 1000:.0f} ms, {result['queries']} 条 SQL",
                flush=True,
            )
        return {"baseline": baseline, "rows": rows}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def sla_sweep_seconds() -> tuple[float, int]:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from approvals.models import Task
    from approvals.services import tasks_sweep

    open_count = Task.objects.filter(state="open").count()
    with transaction.atomic():
        started = time.monotonic()
        tasks_sweep(now=timezone.now() + timedelta(days=365))
        elapsed = time.monotonic() - started
        transaction.set_rollback(True)
    return elapsed, open_count


def pdf_seconds() -> float:
    from django.test import Client

    from pmis.org.models import User
    from registrations.models import Registration

    registration = Registration.objects.filter(number__startswith="SD").order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="sales"))
    started = time.monotonic()
    response = client.get(f"/registrations/{registration.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    return time.monotonic() - started


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("需要 wrk（apt-get install wrk）")
    print(f"准备数据库 {DB}，规模 {SCALE}")
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    manage("migrate", "--noinput")
    manage("seed_demo", "--quiet-accounts")
    started = time.monotonic()
    manage("seed_bulk", "--scale", str(SCALE / 10))
    tenth_seed = time.monotonic() - started
    django()
    tenth = measure("1/10")
    started = time.monotonic()
    manage("seed_bulk", "--scale", str(SCALE * 9 / 10))
    rest_seed = time.monotonic() - started
    full = measure("全量")
    sweep, open_tasks = sla_sweep_seconds()
    pdf = pdf_seconds()

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registrations_registration")
        registrations = cursor.fetchone()[0]

    lines = [
        f"规模 {SCALE}（{registrations} 条登记）；数据生成：1/10 用时 {tenth_seed:.0f} 秒，其余 {rest_seed:.0f} 秒；"
        f"wrk 2 线程 8 连接 {DURATION} 秒；gunicorn 2 进程",
        "",
        "| 页面 | 角色 | SQL 数（1/10 → 全量） | req/s（1/10 → 全量） | p50 ms | p95 ms（1/10 → 全量） | p95 增长 | 吞吐/基线（全量） |",
        "|---|---|---|---|---|---|---|---|",
    ]
    failures = []
    for name, user, _path in PAGES:
        a, b = tenth["rows"][name], full["rows"][name]
        growth = b["p95"] / max(a["p95"], 1)
        lines.append(
            f"| {name} | {user} | {a['queries']} → {b['queries']} | {a['rps']:.0f} → {b['rps']:.0f} | "
            f"{b['p50'] / 1000:.0f} | {a['p95'] / 1000:.0f} → {b['p95'] / 1000:.0f} | {growth:.1f}× | {b['ratio']:.3f} |"
        )
        if a["queries"] != b["queries"]:
            failures.append(f"{name}：SQL 数随数据增长（{a['queries']} → {b['queries']}）")
        if growth > 4:
            failures.append(f"{name}：p95 超过 1/10 数据时的 4 倍（{growth:.1f}×）")
        if a["errors"] or b["errors"]:
            failures.append(f"{name}：有错误响应")
    base = full["baseline"]
    lines += [
        f"| 基线（裸 Django 视图） | — | 0 | {tenth['baseline']['rps']:.0f} → {base['rps']:.0f} | {base['p50'] / 1000:.1f} | "
        f"{tenth['baseline']['p95'] / 1000:.1f} → {base['p95'] / 1000:.1f} | — | 1.000 |",
        "",
        f"SLA 扫描：{open_tasks} 条未关闭待办，一次扫描（全部到期）用时 {sweep:.2f} 秒；PDF（项目实施登记表）一次渲染 {pdf:.2f} 秒。",
    ]
    report = "\n".join(lines)
    print("\n" + report)
    out = ROOT / "test-artifacts" / "bench.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")
    if failures:
        print("\n未达标：\n" + "\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
