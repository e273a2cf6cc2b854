"""Province-scale benchmark of the annual statistics (issue 4 §8), on PostgreSQL.

    python bench/bench_statistics.py [--database-url postgres://postgres@127.0.0.1:5432/guanhuai_bench]
        [--year Y] [--repeat 3]

It reads the province dataset left by ``bench/bench_compliance.py --scale province --keep`` (200,000 families,
≈10 million visits), applies the ``reports`` migrations if they are missing (new tables only) and times
``statistics_compute`` for the whole province — the eight standard tables, one GROUP BY
substr(region_code, 1, 4) query each — printing every table's time and the total. It only reads case data:
no existing row is inserted, changed or deleted, so others can benchmark on the same database.

Target: the whole province's annual statistics in ≤ 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/guanhuai_bench"
TARGET_SECONDS = 10.0


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanhuai.config.settings.dev"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ.setdefault("GUANHUAI_VAR_DIR", "/tmp/guanhuai-bench-var")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--year", type=int, help="statistical year (default: the year of the latest visit)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the first one is also reported)")
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.models import Max

    from guanhuai.families.models import Family
    from guanhuai.regions.codes import PROVINCE
    from guanhuai.regions.models import Region
    from guanhuai.reports.statistics import TABLES, statistics_compute
    from guanhuai.visits.models import Visit

    if connection.vendor != "postgresql":
        print("this benchmark is meant for PostgreSQL", file=sys.stderr)
    executor = MigrationExecutor(connection)
    pending = [m for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes("reports"))]
    if pending:
        print(f"applying {len(pending)} reports migration(s): {', '.join(m.name for m in pending)}")
        call_command("migrate", "reports", verbosity=0)

    province = Region.objects.filter(level=PROVINCE).order_by("code").first()
    if province is None:
        print("no province in this database: build it with bench/bench_compliance.py --scale province --keep",
              file=sys.stderr)
        return 2
    year = args.year or Visit.objects.aggregate(d=Max("visit_date"))["d"].year
    families = Family.objects.filter(region__code__startswith=province.prefix).count()
    visits = Visit.objects.filter(region__code__startswith=province.prefix, visit_date__year=year).count()
    print(f"{province.name} ({province.code}), year {year}: {families:,} families, {visits:,} visits in the year, "
          f"{Region.objects.filter(parent=province).count()} cities")

    totals = []
    for run in range(1, args.repeat + 1):
        per_table = []
        start = time.perf_counter()
        for builder in TABLES:
            t0 = time.perf_counter()
            statistics_compute(province, year, tables=[builder])
            per_table.append((builder.title, time.perf_counter() - t0))
        total = time.perf_counter() - start
        totals.append(total)
        detail = ", ".join(f"{title.split(' ')[0]} {seconds:.2f}s" for title, seconds in per_table)
        print(f"run {run}: {total:.2f} s  ({detail})")
    # One call computing all tables together, as a submission does.
    t0 = time.perf_counter()
    snapshot = statistics_compute(province, year)
    whole = time.perf_counter() - t0
    visit_total = next(t for t in snapshot["tables"] if t["key"] == "visits")["total"]
    print(f"statistics_compute (all {len(TABLES)} tables in one call): {whole:.2f} s; "
          f"visits counted {sum(visit_total[:6]):,}")
    best, median = min(totals + [whole]), statistics.median(totals + [whole])
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    print(f"whole province's annual statistics: median {median:.2f} s, best {best:.2f} s "
          f"(target ≤ {TARGET_SECONDS:.0f} s: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
