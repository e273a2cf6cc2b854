"""Province-scale benchmark of visits and compliance (issue 3 §9), on PostgreSQL.

    python bench/bench_compliance.py --scale province   # 200,000 families, ~10 million visits
    python bench/bench_compliance.py --scale county     # 5,000 families, quick check (< 2 minutes)
        [--database-url postgres://postgres@127.0.0.1:5432/guanhuai_bench] [--keep]

It creates a throw-away database (dropped at the end unless --keep), builds a
region tree, families with members, first and second contacts, and one year of
visits that roughly follows the Sichuan profile (a phone call most weeks, a
meeting every month, a home visit every quarter, festival visits; some families
skip weeks so that worklists are not empty). Then it measures, on this machine:

  (a) recording a visit through the JSON API with 8 concurrent clients on
      loopback against gunicorn: throughput, median and p99 latency;
  (b) a contact's "my families" page: p95;
  (c) the province-level compliance overview page: p95;
  (d) ``compliance_rebuild`` for the whole province.

Targets: (a) ≥ 200 visits/s with p99 ≤ 100 ms; (b) ≤ 150 ms; (c) ≤ 1 s; (d) ≤ 10 minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCALES = {
    # cities, counties per city, townships per county, villages per township, families per village
    "province": (10, 10, 20, 20, 5),
    "county": (1, 1, 10, 10, 50),
}
PASSWORD = "Bench#2026pw"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanhuai.config.settings.dev"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("GUANHUAI_VAR_DIR", "/tmp/guanhuai-bench-var")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def build(scale: str, today: dt.date) -> dict:
    """Generate the dataset with COPY and INSERT … SELECT (the ORM would take hours at this size)."""
    from django.core.management import call_command
    from django.db import connection

    from guanhuai.accounts.models import User
    from guanhuai.lib.crypto import default_blind_index, default_cipher
    from guanhuai.lib.idnumber import make_id_number

    cities, counties, townships, villages, per_village = SCALES[scale]
    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    log("migrated")
    regions = [("510000000000", "基准省", 1, None)]
    village_codes, township_codes, county_codes = [], [], []
    for c in range(1, cities + 1):
        city = f"51{c:02d}00000000"
        regions.append((city, f"基准市{c}", 2, "510000000000"))
        for k in range(1, counties + 1):
            county = f"51{c:02d}{k:02d}000000"
            county_codes.append(county)
            regions.append((county, f"基准县{c}-{k}", 3, city))
            for t in range(1, townships + 1):
                town = f"51{c:02d}{k:02d}{t:03d}000"
                township_codes.append(town)
                regions.append((town, f"基准镇{c}-{k}-{t}", 4, county))
                for v in range(1, villages + 1):
                    code = f"51{c:02d}{k:02d}{t:03d}{v:03d}"
                    village_codes.append(code)
                    regions.append((code, f"基准村{v}", 5, town))
    with connection.cursor() as cur:
        with cur.copy("COPY regions_region (code, name, level, parent_id, hotline) FROM STDIN") as copy:
            for code, name, level, parent in regions:
                copy.write_row((code, name, level, parent, "12345"))
    log(f"{len(regions)} regions")

    cipher = default_cipher()
    year_start = today - dt.timedelta(days=365)
    registered = year_start - dt.timedelta(days=30)
    family_rows = []
    for code in village_codes:
        for _ in range(per_village):
            family_rows.append(code)
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cur:
        with cur.copy("COPY families_family (region_code, head_name, address, category, certificate_no, "
                      "registered_on, status, exit_reason, exit_note, health, mental, living, income, housing, "
                      "pension, medical, need_daily_care, need_pension, need_medical, need_comfort, need_economic, "
                      "need_other, needs_note, risk_flags, bank_name, account_holder, bank_account, "
                      "bank_account_bidx, created_at, updated_at) FROM STDIN") as copy:
            for i, code in enumerate(family_rows):
                copy.write_row((code, f"基准户{i}", "", "deceased", "", registered, "active", "", "", "good",
                                "stable", "with_spouse", "middle", "own", "resident", "resident", False, False, False,
                                False, False, False, "", "[]", "", "", "", "", now, now))
        cur.execute("SELECT id, region_code FROM families_family ORDER BY id")
        families = cur.fetchall()
    log(f"{len(families)} families")
    with connection.cursor() as cur:
        with cur.copy("COPY families_member (family_id, role, name, sex, id_number, id_number_bidx, birth_date, "
                      "is_alive, phone, phone_bidx, hukou, marital) FROM STDIN") as copy:
            for seq, (family_id, code) in enumerate(families):
                birth = dt.date(1950, 1, 1) + dt.timedelta(days=seq % 7000)
                number = make_id_number(code[:6], birth, seq, "M")
                copy.write_row((family_id, "father", f"基准户{seq}", "M", cipher.encrypt(number),
                                default_blind_index(number, kind="id_number"), birth, True, "", "", "", ""))
    log("members")

    # Contacts: a township cadre per township (first), a village cadre per village (second).
    with connection.cursor() as cur:
        with cur.copy("COPY contacts_contactperson (region_code, name, post, unit, phone, phone_bidx, kind, "
                      "is_active, created_at) FROM STDIN") as copy:
            for code in township_codes:
                copy.write_row((code, f"乡干{code}", "包村干部", "", "", "", "township_cadre", True, now))
            for code in village_codes:
                copy.write_row((code, f"村干{code}", "村委委员", "", "", "", "village_cadre", True, now))
        cur.execute("""
            INSERT INTO contacts_assignment (family_id, contact_id, slot, region_code, start_date, reason,
                end_reason, entered_at, entry_deadline, is_late)
            SELECT f.id, c.id, 'first', f.region_code, %s, '', '', now(), %s, false
            FROM families_family f JOIN contacts_contactperson c
              ON c.region_code = substr(f.region_code, 1, 9) || '000' AND c.kind = 'township_cadre'
        """, [registered, registered])
        cur.execute("""
            INSERT INTO contacts_assignment (family_id, contact_id, slot, region_code, start_date, reason,
                end_reason, entered_at, entry_deadline, is_late)
            SELECT f.id, c.id, 'second', f.region_code, %s, '', '', now(), %s, false
            FROM families_family f JOIN contacts_contactperson c
              ON c.region_code = f.region_code AND c.kind = 'village_cadre'
        """, [registered, registered])
    log("contacts and assignments")

    # One year of visits: week w of family f. Most weeks a phone call; every 4th week a meeting, every 13th a
    # home visit; the festival weeks a festival visit; 1 family in 12 skips a week in 7 (worklists not empty).
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO visits_visit (family_id, region_code, contact_id, visit_date, channel, participants,
                health_observed, mental_observed, needs_raised, policies_explained, problems_solved, referred_to,
                referral_note, follow_up, notes, entered_at, entry_date, entry_deadline,
                entry_deadline_provisional, is_late, is_backfill)
            SELECT f.id, f.region_code, a.contact_id, d.day,
                   CASE WHEN w %% 13 = 6 THEN 'home' WHEN w %% 4 = 1 THEN 'meeting'
                        WHEN w IN (8, 26, 40) THEN 'festival' ELSE 'phone' END,
                   '', '', '', '', '', '', '', '', '', '', d.day + interval '1 day', d.day + 1, d.day + 7,
                   false, (f.id %% 50 = 0), false
            FROM families_family f
            JOIN contacts_assignment a ON a.family_id = f.id AND a.slot = 'second'
            CROSS JOIN generate_series(0, 51) AS w
            CROSS JOIN LATERAL (SELECT (%s::date + (w * 7 + (f.id %% 5))::int) AS day) d
            WHERE d.day <= %s AND NOT (f.id %% 12 = 0 AND w %% 7 = 3)
        """, [year_start, today])
        cur.execute("SELECT count(*) FROM visits_visit")
        visit_count = cur.fetchone()[0]
        cur.execute("ANALYZE")
    log(f"{visit_count} visits")

    # Users: a province officer, and a village user linked to one village cadre.
    province = User(username="bench_province", full_name="省级", role="province", region_id="510000000000")
    province.set_password(PASSWORD)
    province.save()
    village_code = village_codes[len(village_codes) // 2]
    cadre = User(username="bench_village", full_name="村干", role="village", region_id=village_code)
    cadre.set_password(PASSWORD)
    cadre.save()
    from guanhuai.contacts.models import ContactPerson

    ContactPerson.objects.filter(region_id=village_code, kind="village_cadre").update(user=cadre)
    county = User(username="bench_county", full_name="县级", role="county", region_id=village_code[:6] + "000000")
    county.set_password(PASSWORD)
    county.save()
    return {"families": len(families), "visits": visit_count, "village": village_code, "setup_s": time.monotonic() - t0,
            "family_ids": [f for f, code in families if code.startswith(village_code[:6])]}


def vacuum() -> None:
    """VACUUM (ANALYZE) the database before measuring, as autovacuum would have done on a running server.

    PostgreSQL on this machine runs with autovacuum off. Without a vacuum after the bulk load (and after
    the rebuild and earlier runs' writes) no page of the visits table is marked all-visible, so reading a
    family's visits from the covering index visits the table row by row (≈ 50 heap fetches, 143 µs of
    PostgreSQL time instead of 51 µs)."""
    from django.db import connection

    started = time.monotonic()
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    connection.close()
    log(f"VACUUM (ANALYZE): {time.monotonic() - started:.1f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int, worker_class: str = "sync") -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="guanhuai.config.settings.dev", DEBUG="false",
               ALLOWED_HOSTS="127.0.0.1,localhost", DB_CONN_MAX_AGE="600")
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "guanhuai.config.wsgi", "-w", str(workers), "-k", worker_class,
         "-b", f"127.0.0.1:{port}",
         "--error-logfile", "/tmp/guanhuai-bench-gunicorn.log"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start; see /tmp/guanhuai-bench-gunicorn.log")


class Browser:
    """A logged-in session (cookies + CSRF) for page timings."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/"})
        self.opener.open(request).read()

    def get(self, path: str) -> float:
        started = time.perf_counter()
        with self.opener.open(f"{self.base}{path}") as response:
            response.read()
            if response.status != 200 or "/accounts/login" in response.url:
                raise RuntimeError(f"{path}: {response.status} {response.url}")
        return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def api_token(username: str) -> str:
    from guanhuai.accounts.models import User
    from guanhuai.accounts.services import api_token_create

    _, raw = api_token_create(user=User.objects.get(username=username), name="bench")
    return raw


WRK_SCRIPT = """
local ids = {%(ids)s}
local channels = {"phone", "meeting", "home", "online"}
math.randomseed(%(seed)d)
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local body = string.format('{"family_id": %%d, "visit_date": "%(today)s", "channel": "%%s", "needs_raised": "基准测试"}',
    ids[math.random(#ids)], channels[math.random(#channels)])
  return wrk.format(nil, "/api/visits", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %%d %%d %%d %%f %%f %%f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
"""


def _cpu_seconds(pids) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return out


def server_cpu(server: subprocess.Popen) -> dict[int, float]:
    """CPU seconds so far of the gunicorn processes and of this database's PostgreSQL backends."""
    from django.db import connection

    group = [int(p) for p in os.listdir("/proc") if p.isdigit() and _pgid(int(p)) == server.pid]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                       "pg_backend_pid()")
        backends = [row[0] for row in cursor.fetchall()]
    connection.close()
    return {("app", pid): v for pid, v in _cpu_seconds(group).items()} | {
        ("db", pid): v for pid, v in _cpu_seconds(backends).items()}


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request in the app workers and in PostgreSQL (processes seen both times)."""
    out = {"app": 0.0, "db": 0.0}
    for key, value in after.items():
        if key in before:
            out[key[0]] += value - before[key]
    return {f"{k}_cpu_ms": v * 1000 / max(requests, 1) for k, v in out.items()}


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far, from /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal."""
    with open("/proc/stat", encoding="ascii") as f:
        return [int(x) for x in f.readline().split()[1:9]]


def machine_share(before: list[int], after: list[int]) -> dict[str, float]:
    """How the machine's CPU time went while measuring: busy, idle (incl. I/O wait) and stolen.

    This machine's cores are shared with others: time the host gives elsewhere ("steal") is time the
    benchmark did not have, and the same code has measured up to 40 % slower while it was high."""
    d = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(d) or 1
    return {"busy_pct": 100 * (d[0] + d[1] + d[2] + d[5] + d[6]) / total, "idle_pct": 100 * (d[3] + d[4]) / total,
            "steal_pct": 100 * d[7] / total}


def measure_record_visits(base: str, token: str, family_ids: list[int], today: dt.date, *, clients: int,
                          seconds: float) -> dict:
    """8 keep-alive clients from wrk (a C load generator, so the clients take little of the 2 cores);
    without wrk, Python threads (which take a good share of the CPU themselves)."""
    if shutil.which("wrk"):
        return _measure_with_wrk(base, token, family_ids, today, clients=clients, seconds=seconds)
    return _measure_with_threads(base, token, family_ids, today, clients=clients, seconds=seconds)


def _measure_with_wrk(base: str, token: str, family_ids: list[int], today: dt.date, *, clients: int,
                      seconds: float) -> dict:
    from django.db import connection

    from guanhuai.visits.models import Visit

    before = Visit.objects.count()
    connection.close()
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT % {"ids": ",".join(map(str, family_ids)), "seed": 1, "token": token,
                                    "today": today.isoformat()}, encoding="utf-8")
    try:
        out = subprocess.run(["wrk", "-t", "2", "-c", str(clients), "-d", f"{int(seconds)}s", "--timeout", "30s",
                              "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    finally:
        script.unlink()
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    requests, bad_status, socket_errors, duration, median, p99 = line.split()[1:]
    stored = Visit.objects.count() - before
    connection.close()
    ok = int(requests) - int(bad_status)
    return {"client": "wrk", "visits": ok, "stored": stored, "errors": int(bad_status) + int(socket_errors),
            "first_error": "", "per_s": ok / float(duration), "median_ms": float(median), "p99_ms": float(p99)}


def _measure_with_threads(base: str, token: str, family_ids: list[int], today: dt.date, *, clients: int,
                          seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    channels = ["phone", "meeting", "home", "online"]

    def client(n: int) -> None:
        rng = random.Random(n)
        while time.monotonic() < stop:
            body = json.dumps({"family_id": rng.choice(family_ids), "visit_date": today.isoformat(),
                               "channel": rng.choice(channels), "needs_raised": "基准测试"}).encode()
            request = urllib.request.Request(f"{base}/api/visits", data=body, method="POST", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 201
            except urllib.error.HTTPError as exc:
                ok = False
                with lock:
                    errors.append(f"{exc.code} {exc.read()[:200]!r}")
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    return {"client": "python-threads", "visits": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else "",
            "per_s": len(latencies) / wall, "median_ms": statistics.median(latencies) * 1000,
            "p99_ms": pct(latencies, 0.99) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/guanhuai_bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a database kept by an earlier --keep run")
    parser.add_argument("--skip-rebuild", action="store_true", help="with --reuse: skip (d)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    # 2 sync workers on this 2-core machine: measured 199/s against 174/s with 3 and 156/s with 4
    # (more processes than cores only add context switches while PostgreSQL needs half a core).
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"],
                        help="gunicorn worker class (gthread keeps connections alive)")
    args = parser.parse_args()
    today = dt.date.today()
    if not args.reuse:
        recreate_database(args.database_url)
    setup_django(args.database_url)
    results: dict = {"scale": args.scale}
    try:
        if args.reuse:
            from django.core.management import call_command

            from guanhuai.accounts.models import User
            from guanhuai.families.models import Family
            from guanhuai.visits.models import Visit

            call_command("migrate", verbosity=0)  # the kept database may predate the code's latest migrations
            village = User.objects.get(username="bench_village").region_id
            info = {"families": Family.objects.count(), "visits": Visit.objects.count(), "village": village,
                    "setup_s": 0.0, "family_ids": list(Family.objects.filter(
                        region__code__startswith=village[:6]).values_list("id", flat=True))}
        else:
            info = build(args.scale, today)
        results.update(families=info["families"], visits=info["visits"], setup_s=round(info["setup_s"], 1))
        log(f"dataset ready: {info['families']} families, {info['visits']} visits")

        from django.core.management import call_command

        if not args.skip_rebuild:
            started = time.monotonic()
            call_command("compliance_rebuild", verbosity=0)
            results["d_rebuild_s"] = round(time.monotonic() - started, 1)
            log(f"(d) compliance_rebuild: {results['d_rebuild_s']} s")
        vacuum()

        port = free_port()
        server = start_server(args.database_url, port, args.workers, args.worker_class)
        base = f"http://127.0.0.1:{port}"
        try:
            province = Browser(base, "bench_province")
            province.get("/compliance/region/")  # warm up
            timings = [province.get("/compliance/region/") for _ in range(20)]
            results["c_overview_p95_ms"] = round(pct(timings, 0.95) * 1000, 1)
            log(f"(c) province overview p95: {results['c_overview_p95_ms']} ms")

            cadre = Browser(base, "bench_village")
            cadre.get("/compliance/mine/")
            timings = [cadre.get("/compliance/mine/") for _ in range(50)]
            results["b_my_families_p95_ms"] = round(pct(timings, 0.95) * 1000, 1)
            log(f"(b) my families p95: {results['b_my_families_p95_ms']} ms")

            token = api_token("bench_county")
            ticks_before = cpu_ticks()
            cpu_before = server_cpu(server)
            record = measure_record_visits(base, token, info["family_ids"], today, clients=args.clients,
                                           seconds=args.seconds)
            record |= cpu_per_request(cpu_before, server_cpu(server), record["visits"])
            record |= machine_share(ticks_before, cpu_ticks())
            results["a_record_visit"] = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in record.items()}
            log(f"(a) record visit: {record['per_s']:.0f}/s, median {record['median_ms']:.1f} ms, "
                f"p99 {record['p99_ms']:.1f} ms; CPU per visit: app {record['app_cpu_ms']:.1f} ms, "
                f"PostgreSQL {record['db_cpu_ms']:.1f} ms; errors {record['errors']} {record['first_error']}")
            log(f"    the machine meanwhile: {record['busy_pct']:.0f} % busy, {record['idle_pct']:.0f} % idle, "
                f"{record['steal_pct']:.0f} % taken by the host (steal)")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    main()
