"""Where a page's time goes, in-process, on a database `make bench` (or seed_bulk) has filled.

For each page of scripts/bench.py (or those whose label contains one of the arguments), the
median time of a few requests through the whole middleware stack, the share spent in SQL, the
query count and the slowest statement, beside the floor page measured the same way. The ratio
column is the floor's time over the page's: what `make bench` compares in throughput.

    BENCH_DB=pmis_bench .venv/bin/python scripts/bench_profile.py [label …]

Environment: BENCH_DB, BENCH_REDIS_DB as for scripts/bench.py; PROFILE_RUNS (7); PROFILE_SQL=1 to
print every statement of the median request with its time; PROFILE_PY=N to print the N functions
of one more request that took the most time of their own (cProfile, tottime)."""

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench

RUNS = int(os.environ.get("PROFILE_RUNS", "7"))


def timed(client, path: str) -> tuple[float, float, list[tuple[float, str]]]:
    from django.db import connection

    statements: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shown = sql % tuple(repr(p) for p in params) if params and not many else sql
            statements.append((time.perf_counter() - started, shown))

    started = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, sum(t for t, _ in statements), statements


def profile(username: str, path: str):
    from django.test import Client

    from pmis.org.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get(path)
    runs = [timed(client, path) for _ in range(RUNS)]
    runs.sort(key=lambda run: run[0])
    middle = runs[len(runs) // 2]
    return middle


def python_profile(username: str, path: str, top: int) -> None:
    from django.test import Client

    from pmis.org.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print("\n".join("    " + line for line in out.getvalue().splitlines() if line.strip()))


def main() -> None:
    bench.django()
    wanted = sys.argv[1:]
    floor = profile(bench.FLOOR_USER, bench.FLOOR_PATH)
    print(f"地板页 {floor[0] * 1000:.1f} ms（SQL {floor[1] * 1000:.1f} ms）")
    for name, user, path in bench.PAGES:
        if wanted and not any(w in name for w in wanted):
            continue
        total, sql, statements = profile(user, bench.page_path(path))
        slowest = max(statements, default=(0, ""))
        target = bench.target(path)
        ratio = floor[0] / total
        mark = "" if ratio >= target else " ✗"
        print(
            f"{name}: {total * 1000:.1f} ms，SQL {sql * 1000:.1f} ms / {len(statements)} 条，"
            f"比值 {ratio:.2f}（≥ {target}）{mark}；最慢 {slowest[0] * 1000:.1f} ms：{slowest[1][:160]}",
            flush=True,
        )
        if os.environ.get("PROFILE_PY"):
            python_profile(user, bench.page_path(path), int(os.environ["PROFILE_PY"]))
        if os.environ.get("PROFILE_SQL"):
            for seconds, sql_text in statements:
                print(f"    {seconds * 1000:7.1f} ms  {sql_text[:600]}")


if __name__ == "__main__":
    main()
