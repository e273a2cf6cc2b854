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
    from guanhuai.reports.statistics import (
        TABLES,
        Scope,
        as_of_for,
        child_prefix_length,
        plain_aggregates,
        statistics_compute,
    )
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
        t0 = time.perf_counter()
        snapshot = statistics_compute(province, year)
        totals.append(time.perf_counter() - t0)
        print(f"run {run}: statistics_compute, all {len(TABLES)} tables: {totals[-1]:.2f} s")
    # Where the time goes: the same queries one table at a time (the family tables share one scan).
    scope = Scope(region=province, year=year, as_of=as_of_for(year), k=child_prefix_length(province))
    parts = []
    with plain_aggregates():
        for builder in TABLES:
            t0 = time.perf_counter()
            builder.compute(scope)
            parts.append(f"{builder.title.split(' ')[0]} {time.perf_counter() - t0:.2f}s")
    print("per table: " + ", ".join(parts))
    visit_total = next(t for t in snapshot["tables"] if t["key"] == "visits")["total"]
    print(f"visits counted: {sum(visit_total[:6]):,}")
    median = statistics.median(totals)
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    load = os.getloadavg()[0]
    print(f"whole province's annual statistics: median {median:.2f} s, best {min(totals):.2f} s over {len(totals)} "
          f"runs (target ≤ {TARGET_SECONDS:.0f} s: {verdict}); load average {load:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
