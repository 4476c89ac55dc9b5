"""make bench: every page people use all day, at a tenth of the data and at the full scale.

Runs against PostgreSQL (database BENCH_DB, default pmis_bench) and the app under gunicorn on
loopback (pmis.settings.bench: the site plus the floor page), drives it with wrk, and prints one
table: requests per second, p50 / p95 latency, the SQL query count of one request, and each page's
throughput as a ratio to the floor (the least a list page can do on this stack, pmis/bench_urls.py)
and to a bare Django view, both measured in the same run. Also times the SLA sweep, an ordinary
sweep minute and a registration PDF (first render and cached second download), and writes
test-artifacts/bench.md and test-artifacts/bench.json.

Targets: every daily page at least 0.5× the floor at full scale, the project workspace's tabs at
least 0.3×; the run fails if a page misses its target, its SQL count grows with the data, its p95
passes four times its tenth-data value, or it answers with an error.

Environment: BENCH_SCALE (1), BENCH_SECONDS (8), BENCH_PORT (8765), BENCH_DB (pmis_bench),
BENCH_REDIS_DB (13: the cache and broker of the run; its cache entries, prefixed with the
database's name, are emptied when the run starts)."""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
DURATION = os.environ.get("BENCH_SECONDS", "8")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DB = os.environ.get("BENCH_DB", "pmis_bench")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "pmis.settings.bench",
    "DJANGO_DEBUG": "false",
    "DATABASE_URL": DATABASE_URL,
    "DATABASE_CONN_MAX_AGE": "60",
    "CELERY_BROKER_URL": REDIS_URL,
    # the cache as in production (one Redis for every web process), not a per-process memory
    "CACHE_URL": REDIS_URL,
}
PYTHON = sys.executable
ARTIFACTS = ROOT / "test-artifacts"

# The floor page (pmis/bench_urls.py) and who opens it.
FLOOR_PATH = "/bench/floor/"
FLOOR_USER = "project_director"
# Throughput a page must reach, as a share of the floor's, at full scale.
DAILY_TARGET = 0.5
WORKSPACE_TARGET = 0.3

# (label, demo user, path). "PROJECT" is a bulk project's workspace, "PROJECT:<slug>" one of its
# tabs (every tab registered in projects/workspace.py; the htmx fragment costs no more). The
# fast test tests/test_bench.py checks that these cover every side-bar entry of every role.
PAGES = [
    # 工作
    ("工作台·项目总监看板", "project_director", "/"),
    ("工作台·特批看板", "special_approver", "/"),
    ("工作台·商务看板", "business_approver", "/"),
    ("工作台·售后看板", "aftersales_manager", "/"),
    ("工作台·客户成功看板", "cs_head", "/"),
    ("工作台·销售", "sales", "/"),
    ("我的待办", "business_approver", "/approvals/inbox/"),
    ("我的待办·项目总监", "project_director", "/approvals/inbox/"),
    ("抄送我的", "presales", "/approvals/copies/"),
    ("代理审批", "special_approver", "/approvals/delegations/"),
    ("通知", "business_approver", "/notifications/"),
    ("搜索", "project_director", "/search/?q=批量客户"),
    ("搜索·联想", "project_director", "/search/suggest/?q=批量"),
    # 实施登记
    ("新建登记", "sales", "/registrations/new/"),
    ("我的登记", "sales", "/registrations/"),
    ("登记审批·待我审批", "business_approver", "/registrations/queue/"),
    ("登记审批·我已审批", "business_approver", "/registrations/queue/?tab=decided"),
    ("特批审批队列", "special_approver", "/registrations/queue/"),
    # 项目
    ("全部项目", "project_director", "/projects/all/"),
    ("全部项目·筛选", "project_director", "/projects/all/?state=maintenance&kind=local"),
    ("我的项目", "regional_pm", "/projects/"),
    ("周报缺报", "project_director", "/projects/weekly/missing/"),
    ("项目新闻", "sales", "/projects/news/"),
    ("项目页·概览", "project_director", "PROJECT"),
    ("项目·需求", "project_director", "PROJECT:requirements"),
    ("项目·任务", "project_director", "PROJECT:tasks"),
    ("项目·产品领取", "project_director", "PROJECT:product-requests"),
    ("项目·文档", "project_director", "PROJECT:documents"),
    ("项目·周报", "project_director", "PROJECT:weekly"),
    ("项目·项目组", "project_director", "PROJECT:team"),
    ("项目·历史", "project_director", "PROJECT:history"),
    ("项目·需求变更", "project_director", "PROJECT:changes"),
    ("项目·BUG", "project_director", "PROJECT:bugs"),
    ("项目·版本发布", "project_director", "PROJECT:releases"),
    ("项目·突发事件", "project_director", "PROJECT:incidents"),
    ("项目·现场服务", "project_director", "PROJECT:onsite"),
    ("项目·每月巡检", "project_director", "PROJECT:inspections"),
    ("项目计划（甘特图）", "project_director", "PROJECT:plan"),
    ("项目·风险", "project_director", "PROJECT:risks"),
    ("项目·责任矩阵", "project_director", "PROJECT:raci"),
    ("项目·报告", "project_director", "PROJECT:reports"),
    ("项目·会议", "project_director", "PROJECT:meetings"),
    ("项目·培训", "project_director", "PROJECT:training"),
    ("项目·验收", "project_director", "PROJECT:acceptance"),
    ("项目·满意度", "project_director", "PROJECT:satisfaction"),
    ("项目·云产品与服务", "project_director", "PROJECT:orders"),
    ("项目·授权", "project_director", "PROJECT:licences"),
    ("项目·云端部署", "project_director", "PROJECT:deployments"),
    ("满意度调查", "marketing", "/delivery/surveys/"),
    # 售后
    ("售后问题·我的", "aftersales", "/aftersales/tickets/?queue=mine"),
    ("售后问题·已超时", "aftersales", "/aftersales/tickets/?queue=breached"),
    ("登记问题", "aftersales", "/aftersales/tickets/new/"),
    ("SLA 指标", "aftersales_manager", "/aftersales/metrics/"),
    ("突发事件", "emergency", "/operations/incidents/"),
    ("长假值班", "emergency", "/operations/duty/"),
    ("知识库", "aftersales", "/knowledge/"),
    ("BUG 清单（上月）", "project_director", "/changes/bugs/monthly/"),
    # 部门
    ("部门·商务管理部", "business_approver", "/approvals/departments/business/"),
    ("部门·产品管理部", "product_dept", "/approvals/departments/product/"),
    ("部门·研发", "rd_expert", "/approvals/departments/rd/"),
    # 客户成功
    ("云产品下单", "business_approver", "/success/orders/"),
    ("运营客服组", "cs_ops", "/success/ops/"),
    ("售后支持组", "cs_support", "/success/support/"),
    ("授权台账·60 天内到期", "cs_ops", "/success/licences/?within=60"),
    # 平台运维
    ("平台运维部·云端部署", "platform_ops", "/platform/deployments/"),
    # 目录
    ("产品目录", "sales", "/catalog/products/"),
    ("表单目录", "sales", "/catalog/document-types/"),
    ("通讯录", "sales", "/org/directory/"),
    ("接口令牌", "sales", "/api/tokens/"),
    # 管理
    ("产品目录维护", "product_dept", "/catalog/products/maintain/"),
]


def manage(*args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} 失败：\n{result.stderr[-3000:]}")
    return result.stdout


def psql(sql: str, database: str = "postgres") -> None:
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-c", sql]
    subprocess.run(command, check=True, capture_output=True)


def settle() -> None:
    """What autovacuum does for a live database before anyone reads its new rows: the planner's
    statistics and the visibility map brought up to date. Measured straight after seeding, the
    planner would still see a tenth of the data (or none) and choose plans no running site does."""
    psql("VACUUM ANALYZE", DB)


def django():
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))  # this checkout's code, not whichever one the virtualenv installed
    import django as dj

    dj.setup()


def clear_cache() -> None:
    """Empty this run's cache entries (pmis.settings.bench prefixes them with the database's name),
    leaving those of runs on other databases that share the Redis database."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{DB}:*", count=1000):
        client.delete(key)


def is_workspace(path: str) -> bool:
    return path == "PROJECT" or path.startswith("PROJECT:")


def target(path: str) -> float:
    return WORKSPACE_TARGET if is_workspace(path) else DAILY_TARGET


def sessions() -> dict[str, str]:
    """A logged-in session cookie per demo user, made the way the login view makes them."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from pmis.org.models import User

    cookies = {}
    for user in User.objects.filter(username__in={p[1] for p in PAGES} | {FLOOR_USER}):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies[user.username] = store.session_key
    return cookies


def project_path() -> str:
    """A bulk project after go-live, so that every workspace tab is there (the operations tabs
    only show on a live project)."""
    from changes.services.common import AFTER_GO_LIVE
    from projects.models import Project

    bulk = Project.objects.filter(code__startswith="BK").order_by("-pk")
    project = bulk.filter(state__in=AFTER_GO_LIVE).first() or bulk.first()
    return project.get_absolute_url()


def page_path(path: str) -> str:
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
    # a page's kept statements are built on its first visit and, on a kept connection, prepared
    # on its second: the count is of the visits after, as a person's day is
    client.get(path)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def wrk(path: str, cookie: str | None) -> dict:
    command = ["wrk", "-t2", "-c8", f"-d{DURATION}s", "--latency", "-s", str(ROOT / "scripts" / "wrk_report.lua")]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    url = f"http://127.0.0.1:{PORT}{quote(path, safe='/?=&')}"  # wrk takes ASCII only (搜索's query)
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True)
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


def _mean(first: dict, last: dict) -> dict:
    """The floor and the bare view are measured before and after the pages (the machine is shared:
    its load drifts during a run); the ratio divides by their mean."""
    return {
        "rps": (first["rps"] + last["rps"]) / 2,
        "p50": (first["p50"] + last["p50"]) / 2,
        "p95": (first["p95"] + last["p95"]) / 2,
        "errors": first["errors"] + last["errors"],
        "rps_before": first["rps"],
        "rps_after": last["rps"],
    }


def measure(label: str) -> dict:
    from django.db import connections

    connections.close_all()
    cookies = sessions()
    paths = {name: page_path(path) for name, _user, path in PAGES}
    server = start_server()
    try:
        bare_before = wrk("/healthz", None)
        floor_before = wrk(FLOOR_PATH, cookies[FLOOR_USER])
        rows = {}
        for name, user, _path in PAGES:
            result = wrk(paths[name], cookies[user])
            result["queries"] = query_count(user, paths[name])
            rows[name] = result
            print(
                f"  [{label}] {name}: {result['rps']:.0f} req/s, p95 {result['p95'] / 1000:.0f} ms, {result['queries']} 条 SQL",
                flush=True,
            )
        floor = _mean(floor_before, wrk(FLOOR_PATH, cookies[FLOOR_USER]))
        floor["queries"] = query_count(FLOOR_USER, FLOOR_PATH)
        bare = _mean(bare_before, wrk("/healthz", None))
        for result in rows.values():
            result["ratio_floor"] = result["rps"] / floor["rps"]
            result["ratio_bare"] = result["rps"] / bare["rps"]
        print(
            f"  [{label}] 地板页：{floor['rps_before']:.0f} / {floor['rps_after']:.0f} req/s（页面前 / 后），"
            f"{floor['queries']} 条 SQL；裸视图：{bare['rps_before']:.0f} / {bare['rps_after']:.0f} req/s",
            flush=True,
        )
        return {"bare": bare, "floor": floor, "rows": rows, "paths": paths}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


def sla_sweep_seconds() -> tuple[float, int]:
    """One sweep with every open task past its due time (a year from now); rolled back."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from approvals.models import Task
    from approvals.services import tasks_sweep

    due = Task.objects.filter(state="open").count()
    with transaction.atomic():
        started = time.monotonic()
        tasks_sweep(now=timezone.now() + timedelta(days=365))
        elapsed = time.monotonic() - started
        transaction.set_rollback(True)
    return elapsed, due


def sweep_minute_seconds() -> tuple[float, int]:
    """An ordinary minute of the SLA sweep: a handful due among a million open tasks
    (scripts/bench_sweep.py, rolled back)."""
    from bench_sweep import sla_sweep_minute_seconds  # scripts/ is on the path when this file runs

    result = sla_sweep_minute_seconds()
    return result["seconds"], result["open"]


def pdf_seconds() -> tuple[float, float]:
    """A registration form's PDF: the first download in a web process that has just started (the
    fonts are subset and loaded as pmis/wsgi.py does, the PDF cache holds nothing), then a second
    download of the unchanged record (pmis/documents/pdf.py cached_pdf)."""
    from django.test import Client

    from pmis.documents.pdf import warm
    from pmis.org.models import User
    from registrations.models import Registration

    warm()
    clear_cache()
    registration = Registration.objects.filter(number__startswith="SD").order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="sales"))
    url = f"/registrations/{registration.pk}/pdf/"
    timings = []
    for _ in range(2):
        started = time.monotonic()
        response = client.get(url)
        timings.append(time.monotonic() - started)
        assert response["Content-Type"] == "application/pdf", response.status_code
    return timings[0], timings[1]


def _role(username: str) -> str:
    from pmis.org.demo import DEMO_USERS

    return next((spec.role for spec in DEMO_USERS if spec.username == username), username)


def results(tenth: dict, full: dict, extra: dict) -> dict:
    """What bench.json holds: one row per page (full-scale figures unless named _small), the
    floor and bare view, the sweep and the PDF timings (`extra`), and which pages missed a target."""
    pages = []
    for name, user, path in PAGES:
        a, b = tenth["rows"][name], full["rows"][name]
        pages.append(
            {
                "label": name,
                "role": _role(user),
                "user": user,
                "path": full["paths"][name],
                "queries_small": a["queries"],
                "queries_full": b["queries"],
                "rps_small": round(a["rps"], 1),
                "rps_full": round(b["rps"], 1),
                "p50_ms": round(b["p50"] / 1000, 1),
                "p95_ms": round(b["p95"] / 1000, 1),
                "p95_small_ms": round(a["p95"] / 1000, 1),
                "ratio_floor": round(b["ratio_floor"], 3),
                "ratio_bare": round(b["ratio_bare"], 4),
                "target_floor": target(path),
                "errors": a["errors"] + b["errors"],
            }
        )
    return {
        "pages": pages,
        "floor_rps": round(full["floor"]["rps"], 1),
        "floor_rps_small": round(tenth["floor"]["rps"], 1),
        "floor_queries": full["floor"]["queries"],
        "bare_rps": round(full["bare"]["rps"], 1),
        "bare_rps_small": round(tenth["bare"]["rps"], 1),
        "bare_p50_ms": round(full["bare"]["p50"] / 1000, 1),
        "floor_p50_ms": round(full["floor"]["p50"] / 1000, 1),
        "sweep_s": round(extra["sweep_s"], 3),
        "sweep_due": extra["sweep_due"],
        "sweep_minute_s": round(extra["sweep_minute_s"], 4),
        "sweep_minute_open": extra["sweep_minute_open"],
        "pdf_first_s": round(extra["pdf_first_s"], 3),
        "pdf_cached_s": round(extra["pdf_cached_s"], 4),
        "misses": [p["label"] for p in pages if p["ratio_floor"] < p["target_floor"]],
        "scale": extra.get("scale", SCALE),
        "date": extra.get("date", datetime.date.today().isoformat()),
    }


def failures(data: dict) -> list[str]:
    found = []
    for page in data["pages"]:
        name = page["label"]
        if page["queries_small"] != page["queries_full"]:
            found.append(f"{name}：SQL 数随数据增长（{page['queries_small']} → {page['queries_full']}）")
        growth = page["p95_ms"] / max(page["p95_small_ms"], 1)
        if growth > 4:
            found.append(f"{name}：p95 超过 1/10 数据时的 4 倍（{growth:.1f}×）")
        if page["errors"]:
            found.append(f"{name}：有错误响应")
        if page["ratio_floor"] < page["target_floor"]:
            found.append(f"{name}：吞吐为地板页的 {page['ratio_floor']:.2f} 倍，目标 ≥ {page['target_floor']}")
    return found


def markdown(data: dict, header: str = "") -> str:
    lines = [header, ""] if header else []
    lines += [
        "| 页面 | 角色 | SQL 数（1/10 → 全量） | req/s（1/10 → 全量） | p50 ms | p95 ms（1/10 → 全量） "
        "| 吞吐/地板（目标） | 吞吐/裸视图 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page in data["pages"]:
        mark = "" if page["ratio_floor"] >= page["target_floor"] else " ✗"
        lines.append(
            f"| {page['label']} | {page['user']} | {page['queries_small']} → {page['queries_full']} | "
            f"{page['rps_small']:.0f} → {page['rps_full']:.0f} | {page['p50_ms']:.0f} | "
            f"{page['p95_small_ms']:.0f} → {page['p95_ms']:.0f} | "
            f"{page['ratio_floor']:.2f}（≥ {page['target_floor']}）{mark} | {page['ratio_bare']:.3f} |"
        )
    lines += [
        f"| 地板页（25 行操作记录） | — | {data['floor_queries']} | {data['floor_rps_small']:.0f} → "
        f"{data['floor_rps']:.0f} | {data['floor_p50_ms']:.0f} | — | 1.00 | {data['floor_rps'] / data['bare_rps']:.3f} |",
        f"| 裸 Django 视图 | — | 0 | {data['bare_rps_small']:.0f} → {data['bare_rps']:.0f} | "
        f"{data['bare_p50_ms']:.1f} | — | — | 1.000 |",
        "",
        f"SLA 扫描：{data['sweep_due']} 条待办同时到期，一次扫描用时 {data['sweep_s']:.2f} 秒；"
        f"平常的一分钟（{_open_label(data['sweep_minute_open'])}）{data['sweep_minute_s'] * 1000:.0f} 毫秒。"
        f"PDF（项目实施登记表）：首次渲染 {data['pdf_first_s']:.2f} 秒，未改动再次下载 "
        f"{data['pdf_cached_s'] * 1000:.0f} 毫秒。",
        "",
        "未达目标：" + ("、".join(data["misses"]) if data["misses"] else "无"),
    ]
    return "\n".join(lines)


def _open_label(open_tasks: int) -> str:
    return "未关闭待办数未报告" if open_tasks < 0 else f"{open_tasks} 条未关闭待办"


def write(data: dict, report: str, folder: Path = ARTIFACTS) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "bench.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    (folder / "bench.md").write_text(report + "\n")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("需要 wrk（apt-get install wrk）")
    print(f"准备数据库 {DB}，规模 {SCALE}；Redis 库 {REDIS_DB}（缓存，先清空）；端口 {PORT}")
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    manage("migrate", "--noinput")
    manage("seed_demo", "--quiet-accounts")
    started = time.monotonic()
    manage("seed_bulk", "--scale", str(SCALE / 10))
    tenth_seed = time.monotonic() - started
    settle()
    django()

    clear_cache()  # a new database: nothing a previous run cached holds
    tenth = measure("1/10")
    started = time.monotonic()
    manage("seed_bulk", "--scale", str(SCALE * 9 / 10))
    rest_seed = time.monotonic() - started
    settle()
    full = measure("全量")
    sweep, due = sla_sweep_seconds()
    minute, minute_open = sweep_minute_seconds()
    pdf_first, pdf_cached = pdf_seconds()

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registrations_registration")
        registrations = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM audit_auditentry")
        audit_rows = cursor.fetchone()[0]

    data = results(
        tenth,
        full,
        {
            "sweep_s": sweep,
            "sweep_due": due,
            "sweep_minute_s": minute,
            "sweep_minute_open": minute_open,
            "pdf_first_s": pdf_first,
            "pdf_cached_s": pdf_cached,
        },
    )
    header = (
        f"规模 {SCALE}（{registrations} 条登记，{audit_rows} 条操作记录）；数据生成：1/10 用时 {tenth_seed:.0f} 秒，"
        f"其余 {rest_seed:.0f} 秒；wrk 2 线程 8 连接 {DURATION} 秒；gunicorn 2 进程；缓存 Redis"
    )
    report = markdown(data, header)
    print("\n" + report)
    write(data, report)
    found = failures(data)
    if found:
        print("\n未达标：\n" + "\n".join(found))
        sys.exit(1)


if __name__ == "__main__":
    main()
