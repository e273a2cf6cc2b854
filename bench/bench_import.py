"""Benchmark the family roster import: N rows from dry run to committed.

    python bench/bench_import.py [--rows 10000] [--database-url postgres://user@host:5432/name]

Generates a synthetic 表一 workbook (title row, merged two-row header, valid
checksummed ID numbers), sets up a throw-away database (SQLite in a temporary
directory, or a fresh PostgreSQL database named ``<name>_bench`` that is
dropped afterwards), builds a region tree and a county officer, and times the
same service functions the page and the command use.
Target (issue 2): 10,000 rows under 30 s in total on the project machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国秀英桂兰明华志强文军丽娟海燕德福玉珍红梅小平春生永庆淑芬国强晓东春花金凤"
TOWNSHIPS, VILLAGES = 10, 20


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_workbook(rows: int, seed: int = 2026) -> bytes:
    from openpyxl import Workbook

    from guanhuai.lib.idnumber import make_id_number

    rng = random.Random(seed)
    used: set[str] = set()

    def id_number(birth_from: dt.date, span_days: int, sex: str) -> tuple[str, dt.date]:
        while True:
            birth = birth_from + dt.timedelta(days=rng.randrange(span_days))
            number = make_id_number("510104", birth, rng.randrange(1000), sex)
            if number not in used:
                used.add(number)
                return number, birth

    def date_text(day: dt.date) -> object:
        return rng.choice([day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
                           dt.datetime(day.year, day.month, day.day)])

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    group = ["序号", "乡镇", "村(居)", "户主姓名", "家庭类别", "伤残等级", "光荣证号", "纳入登记日期",
             "父亲", None, "母亲", None, "子女", None, None, "联系电话", "住址", "身体状况", "居住情况", "利益诉求"]
    sub = [None] * 8 + ["姓名", "身份证号", "姓名", "身份证号", "姓名", "身份证号", "死亡日期"] + [None] * 5
    sheet.append(["东城县计划生育特殊家庭花名册(表一)"])
    sheet.append(group)
    sheet.append(sub)
    for ref in ["A1:T1", *[f"{c}2:{c}3" for c in "ABCDEFGH"], "I2:J2", "K2:L2", "M2:O2", *[f"{c}2:{c}3" for c in "PQRST"]]:
        sheet.merged_cells.add(ref)
    for i in range(rows):
        t, v = rng.randrange(TOWNSHIPS) + 1, rng.randrange(VILLAGES) + 1
        father, _ = id_number(dt.date(1940, 1, 1), 365 * 25, "M")
        mother, _ = id_number(dt.date(1942, 1, 1), 365 * 25, "F")
        child, child_birth = id_number(dt.date(1968, 1, 1), 365 * 20, rng.choice("MF"))
        deceased = rng.random() < 0.6
        surname = _name(rng)
        death = child_birth + dt.timedelta(days=rng.randrange(365 * 10, 365 * 30))
        sheet.append([
            i + 1, f"第{t}镇", f"第{t}镇{v}村", surname, "独生子女死亡" if deceased else "独生子女伤残",
            None if deceased else rng.choice(["一级", "2级", "3", "四级"]), f"GR{i:06d}",
            date_text(dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))),
            surname, father, _name(rng), mother, _name(rng), child, date_text(death) if deceased else None,
            f"13{rng.randrange(10 ** 9):09d}", f"第{t}镇{v}村{rng.randrange(1, 20)}组",
            rng.choice(["良好", "慢性病", "重病", ""]), rng.choice(["与配偶同住", "独居", ""]),
            rng.choice(["精神慰藉", "大病治疗、养老保障", ""]),
        ])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _postgres_scratch(url: str) -> tuple[str, callable]:
    """Create ``<name>_bench`` next to the given database; return its URL and a dropper."""
    import psycopg

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "postgres"
    scratch = f"{base}_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.execute(f'CREATE DATABASE "{scratch}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

    return urlunsplit(parts._replace(path=f"/{scratch}")), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL server to use (a scratch database is created)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="guanhuai-bench-"))
    cleanup = []
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanhuai.config.settings.dev"
    os.environ["GUANHUAI_VAR_DIR"] = str(tmp)
    os.environ["DEBUG"] = "0"  # no SQL logging in the timings
    if args.database_url:
        url, drop = _postgres_scratch(args.database_url)
        os.environ["DATABASE_URL"] = url
        cleanup.append(drop)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    try:
        return _run(args.rows)
    finally:
        for step in cleanup:
            step()
        shutil.rmtree(tmp, ignore_errors=True)


def _run(rows: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from guanhuai.accounts.models import User
    from guanhuai.accounts.roles import Role
    from guanhuai.audit.models import AuditEvent
    from guanhuai.families.import_jobs import job_file_set
    from guanhuai.families.importing import import_check, import_commit
    from guanhuai.families.models import Family, ImportJob, Member
    from guanhuai.regions.codes import level_of, parent_code_of
    from guanhuai.regions.models import Region

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    codes = {"510000000000": "演示省", "510100000000": "演示市", "510104000000": "东城县"}
    for t in range(1, TOWNSHIPS + 1):
        codes[f"510104{t:03d}000"] = f"第{t}镇"
        for v in range(1, VILLAGES + 1):
            codes[f"510104{t:03d}{v:03d}"] = f"第{t}镇{v}村"
    Region.objects.bulk_create([Region(code=c, name=n, level=level_of(c), parent_id=parent_code_of(c))
                                for c, n in sorted(codes.items())])
    user = User(username="bench_county", full_name="基准测试", role=Role.COUNTY, region_id="510104000000")
    user.set_password("Bench#2026-import")
    user.save()
    data = build_workbook(rows)
    print(f"set-up: {connection.vendor}, {len(codes)} regions, workbook {len(data) / 1e6:.1f} MB "
          f"({time.perf_counter() - started:.1f} s, not timed)")

    job = ImportJob(created_by=user, region_id="510104000000", filename="bench.xlsx")
    job_file_set(job, data)
    job.save()
    t0 = time.perf_counter()
    import_check(job)
    t1 = time.perf_counter()
    if job.state != ImportJob.State.CHECKED or job.valid_rows != rows:
        print(f"dry run did not accept every row: {job.message}; first problems: {job.report[:3]}")
        return 1
    import_commit(job, user)
    t2 = time.perf_counter()
    families, members = Family.objects.count(), Member.objects.count()
    audited = AuditEvent.objects.filter(action="family.imported").count()
    print(f"written: {families} families, {members} members, {audited} audit events")
    print(f"import {rows} rows: dry run {t1 - t0:.1f} s, commit {t2 - t1:.1f} s, total {t2 - t0:.1f} s")
    return 0 if families == rows == audited else 1


if __name__ == "__main__":
    sys.exit(main())
