"""Province dashboard (统计看板) timings on an existing PostgreSQL dataset (issue 4 §8).

    python bench/bench_dashboard.py [--database-url postgres://postgres@127.0.0.1:5432/guanhuai_bench]
        [--requests 30] [--workers 2] [--user bench_province]

Needs a dataset kept by ``bench/bench_compliance.py --scale province --keep`` (200,000 families, ~10 million
visits, compliance state rebuilt, migrated: the migration that adds the visit counters fills them). It only reads that data: the one row it writes is its own session (inserted
at the start, deleted at the end), so others can benchmark on the same database at the same time.

It prints, as JSON:
  * each data source of the province dashboard timed in-process, uncached (what a cold request costs);
  * the province dashboard page through gunicorn: p95 / median (the page never waits for the family counts;
    its visit chart sums the township visit counters);
  * the request its script makes for the family charts: the first calls (cold cache in each worker), then
    p95 / median of every chart-data request once cached (JSON API, every chart's xlsx);
  * p95 / median of a county dashboard (reached by drilling down twice; never cached).

Target: the province dashboard page ≤ 1 s p95.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compliance import free_port, log, pct, setup_django, start_server  # noqa: E402


class Session:
    """A session row of our own (no login: a login would update the user and append to the audit chain)."""

    def __init__(self, username: str):
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        from guanhuai.accounts.middleware import LAST_SEEN_KEY
        from guanhuai.accounts.models import User

        user = User.objects.get(username=username)
        self.store = SessionStore()
        self.store[SESSION_KEY] = str(user.pk)
        self.store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        self.store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        self.store[LAST_SEEN_KEY] = int(time.time())
        self.store.create()
        self.user = user

    def delete(self) -> None:
        self.store.delete()


class Browser:
    def __init__(self, base: str, session_key: str):
        self.base = base
        self.opener = urllib.request.build_opener()
        self.opener.addheaders = [("Cookie", f"sessionid={session_key}")]

    def get(self, path: str) -> float:
        started = time.perf_counter()
        with self.opener.open(f"{self.base}{path}", timeout=120) as response:
            body = response.read()
            if response.status != 200 or "/accounts/login" in response.url:
                raise RuntimeError(f"{path}: {response.status} {response.url}")
        elapsed = time.perf_counter() - started
        if not body:
            raise RuntimeError(f"{path}: empty response")
        return elapsed


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p95_ms": round(pct(values, 0.95) * 1000, 1),
            "median_ms": round(statistics.median(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


def time_sources(code: str) -> dict:
    """Each source of the dashboard, uncached, in this process."""
    from django.core.cache import cache
    from django.db import connection

    from guanhuai.regions.models import Region
    from guanhuai.reports.dashboards import Dashboard

    cache.clear()
    board = Dashboard(Region.objects.get(code=code))
    out = {}
    for name in ("children", "summaries", "obligations", "events", "families", "visits"):
        started = time.perf_counter()
        getattr(board, name)
        out[name] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    board.charts()
    out["charts_from_sources"] = round((time.perf_counter() - started) * 1000, 1)
    cache.clear()
    connection.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/guanhuai_bench")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--user", default="bench_province")
    args = parser.parse_args()
    setup_django(args.database_url)

    from guanhuai.compliance.models import VillageSummary
    from guanhuai.families.models import Family
    from guanhuai.regions.models import Region
    from guanhuai.reports.dashboards import CHART_TITLES, SLOW_SOURCES
    from guanhuai.visits.models import Visit

    session = Session(args.user)
    province = session.user.region
    results: dict = {"database": args.database_url.rsplit("/", 1)[-1], "region": province.name,
                     "families": Family.objects.filter(region__code__startswith=province.prefix).count(),
                     "visits": Visit.objects.filter(region__code__startswith=province.prefix).count(),
                     "village_summaries": VillageSummary.objects.count()}
    if not results["village_summaries"]:
        raise SystemExit("没有村级汇总:请先在该数据库上运行 compliance_rebuild(本脚本不写入数据)")
    log(f"dataset: {results['families']} families, {results['visits']} visits")
    city = Region.objects.filter(parent=province).order_by("code").first()
    county = Region.objects.filter(parent=city).order_by("code").first()
    results["sources_ms"] = time_sources(province.code)
    log(f"sources (uncached, in process): {results['sources_ms']}")

    port = free_port()
    server = start_server(args.database_url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        browser = Browser(base, session.store.session_key)
        page = "/reports/dashboard/"
        pages = [browser.get(page) for _ in range(args.requests)]
        results["province_page"] = summary(pages)
        results["province_page"]["first_ms"] = round(pages[0] * 1000, 1)
        log(f"province page: {results['province_page']}")
        # What the page's script fetches while the family counts are not cached: the first call
        # in each gunicorn worker counts them (cold), the others read the worker's cache.
        slow = f"/api/reports/dashboards/{province.code}?chart=" + ",".join(
            key for keys in SLOW_SOURCES.values() for key in keys)
        cold = [browser.get(slow) for _ in range(args.workers * 2)]
        results["slow_charts_first_calls_ms"] = [round(t * 1000, 1) for t in cold]
        log(f"family charts, first calls (cold per worker): {results['slow_charts_first_calls_ms']}")
        chart_requests = [slow, f"/api/reports/dashboards/{province.code}"] + [
            f"/reports/dashboard/{province.code}/xlsx/?chart={key}" for key in CHART_TITLES]
        data = [browser.get(path) for _ in range(max(1, args.requests // 10)) for path in chart_requests]
        results["chart_data_requests"] = summary(data)
        results["page_and_chart_data"] = summary(pages + data)
        log(f"chart data (API + {len(CHART_TITLES)} xlsx), cached: {results['chart_data_requests']}")
        county_page = f"/reports/dashboard/{county.code}/"
        browser.get(county_page)
        results["county_page"] = summary([browser.get(county_page) for _ in range(args.requests)])
        log(f"county page ({county.name}, live): {results['county_page']}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        session.delete()
        from django.db import connections

        connections.close_all()
    results["target"] = "province page p95 ≤ 1000 ms"
    results["met"] = results["province_page"]["p95_ms"] <= 1000
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    main()
