"""Visits per township, month and channel (``VisitMonthCount``), exact at every commit.

Every visit write adjusts the counters in its own transaction — recorded +1, deleted −1, an edit that
changes the month or the channel moves one, an import adds its batch — with a single upsert statement;
``rebuild`` recomputes them from the visits with one INSERT … SELECT, and a test checks both agree.

A visit counts in the township of the village it was recorded in (``Visit.region``, which a family's move
does not change), so a township's counters always equal a live count of its villages' visits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Value
from django.db.models.functions import Concat, Substr, TruncMonth

from guanhuai.lib.rows import shared_cursor
from guanhuai.regions.codes import PREFIX_LENGTH, TOWNSHIP, ancestor_code

# Plain SQL, accepted by SQLite ≥ 3.24 and PostgreSQL (the hot path of recording a visit runs it; see
# summary._SUMMARY_BUMP). The existing row is named by its table: bare ``visits`` is ambiguous in PostgreSQL.
_UPSERT = (
    "INSERT INTO compliance_visitmonthcount (region_code, month, channel, visits) VALUES {rows} "
    "ON CONFLICT (region_code, month, channel) "
    "DO UPDATE SET visits = compliance_visitmonthcount.visits + excluded.visits")
_ROW = "(%s, %s, %s, %s)"
_BATCH = 500  # keys per statement (4 parameters each)

Change = tuple[str, dt.date, str, int]  # (visit region code, visit date, channel, +n / −n)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def visit_counts_add(changes: Iterable[Change]) -> None:
    """Apply visit changes to the counters (call inside the write's transaction).

    Changes are grouped by (township, month, channel) first: one statement per batch of keys, in key order
    so concurrent writers lock the counter rows in the same order.
    """
    grouped: dict[tuple[str, dt.date, str], int] = defaultdict(int)
    for region_code, day, channel, n in changes:
        grouped[(ancestor_code(region_code, TOWNSHIP), month_of(day), channel)] += n
    keys = sorted(key for key, n in grouped.items() if n)
    with shared_cursor() as cursor:
        for start in range(0, len(keys), _BATCH):
            batch = keys[start:start + _BATCH]
            cursor.execute(_UPSERT.format(rows=", ".join([_ROW] * len(batch))),
                           [value for key in batch for value in (*key, grouped[key])])


def visit_counted(region_code: str, day: dt.date, channel: str) -> None:
    """A visit was recorded: +1 at its township, month and channel (one statement)."""
    visit_counts_add([(region_code, day, channel, 1)])


def visit_count_moved(region_code: str, before: tuple[dt.date, str], after: tuple[dt.date, str]) -> None:
    """A visit's date or channel was edited: move it when its month or channel changed."""
    (old_day, old_channel), (new_day, new_channel) = before, after
    if (month_of(old_day), old_channel) != (month_of(new_day), new_channel):
        visit_counts_add([(region_code, old_day, old_channel, -1), (region_code, new_day, new_channel, 1)])


def visit_uncounted(region_code: str, day: dt.date, channel: str) -> None:
    """A visit was deleted: −1."""
    visit_counts_add([(region_code, day, channel, -1)])


def rebuild(prefix: str = "") -> None:
    """Recompute the counters of the townships under ``prefix`` from the visits (one INSERT … SELECT).

    A village prefix widens to its township (a township row counts all its villages).
    """
    from guanhuai.visits.models import Visit

    from .models import VisitMonthCount

    prefix = prefix[:PREFIX_LENGTH[TOWNSHIP]]
    VisitMonthCount.objects.filter(region__code__startswith=prefix).delete()
    insert_counts_of(Visit.objects.filter(region__code__startswith=prefix))


def insert_counts_of(visits) -> None:
    """INSERT … SELECT the counts of a queryset of visits (also the migration that adds the table, with the
    historical model) into an empty range of counters."""
    query = (visits.values("channel", township=Concat(Substr("region_id", 1, PREFIX_LENGTH[TOWNSHIP]), Value("000")),
                           month_start=TruncMonth("visit_date"))
             .annotate(n=Count("id")).order_by())
    # The SELECT lists model fields before annotations, in the order given: channel, township, month, n.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO compliance_visitmonthcount (channel, region_code, month, visits) {sql}", params)
