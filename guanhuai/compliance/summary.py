"""Per-village roll-ups (``VillageSummary`` / ``VillageObligationSummary``).

Recomputed for the villages touched whenever family state is refreshed (a
visit, an assignment or register change, the daily refresh, a rebuild), so a
province dashboard sums ~villages rows. The figures follow the definitions in
``selectors`` (a test checks they equal ``rates_for``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q

from guanhuai.contacts.models import Assignment, Slot
from guanhuai.families.models import Family, Status
from guanhuai.lib.rows import shared_cursor
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit

from .engine import EXITED, NOT_JUDGED, OVERDUE
from .models import ObligationState, VillageObligationSummary, VillageSummary

FIELDS = ("judged", "overdue", "last_judged", "last_met")


def new_bucket() -> dict[str, int]:
    return dict.fromkeys(FIELDS, 0)


def tally(bucket: dict[str, int], kind: str, base_status: str, prev_met: bool | None, n: int = 1) -> None:
    """Add ``n`` state rows of one obligation to a bucket — the one counting rule behind every rate.

    Exited or not-judged rows do not count; every overdue row counts as overdue; a festival row counts
    its last completed window (last_judged / last_met); any other row counts as judged.
    """
    if base_status in (NOT_JUDGED, EXITED):
        return
    if base_status == OVERDUE:
        bucket["overdue"] += n
    if kind == "festival":
        if prev_met is not None:
            bucket["last_judged"] += n
            bucket["last_met"] += n if prev_met else 0
    else:
        bucket["judged"] += n


def villages_refresh(codes: set[str] | list[str], day: dt.date) -> None:
    codes = sorted(set(codes))
    if not codes:
        return
    year_start = dt.date(day.year, 1, 1)
    in_register = (Family.objects.filter(region_id__in=codes, registered_on__lte=day)
                   .filter(Q(status=Status.ACTIVE) | Q(exit_date__gt=day)))

    def active(slot):
        return Exists(Assignment.objects.filter(family=OuterRef("pk"), slot=slot, end_date__isnull=True))

    families = dict(in_register.values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    covered = dict(in_register.filter(active(Slot.FIRST), active(Slot.SECOND)).values("region_id")
                   .annotate(n=Count("id")).values_list("region_id", "n"))
    visits = {r["region_id"]: r for r in Visit.objects.filter(
        region_id__in=codes, is_backfill=False, entry_date__gte=year_start, entry_date__lte=day)
        .values("region_id").annotate(total=Count("id"), late=Count("id", filter=Q(is_late=True)))}
    obligations: dict[tuple[str, str, str], dict] = defaultdict(lambda: {**new_bucket(), "valid_until": dt.date.max})
    rows = (ObligationState.objects.filter(region_id__in=codes)
            .values("region_id", "kind", "period", "base_status", "prev_met")
            .annotate(n=Count("id"), valid=Min("valid_until")))
    for row in rows:
        if row["base_status"] in (NOT_JUDGED, EXITED):
            continue
        bucket = obligations[(row["region_id"], row["kind"], row["period"])]
        bucket["valid_until"] = min(bucket["valid_until"], row["valid"])
        tally(bucket, row["kind"], row["base_status"], row["prev_met"], row["n"])
    with transaction.atomic():
        # Two visits in one village at once would both delete and re-insert: serialise per village
        # (codes sorted, so concurrent refreshes lock in the same order).
        list(Region.objects.select_for_update().filter(code__in=codes).order_by("code").values_list("code"))
        VillageSummary.objects.filter(region_id__in=codes).delete()
        VillageSummary.objects.bulk_create([
            VillageSummary(region_id=code, computed_on=day, families=families.get(code, 0),
                           covered=covered.get(code, 0), year=day.year,
                           visits_year=visits.get(code, {}).get("total", 0),
                           late_year=visits.get(code, {}).get("late", 0))
            for code in codes])
        VillageObligationSummary.objects.filter(region_id__in=codes).delete()
        VillageObligationSummary.objects.bulk_create([
            VillageObligationSummary(region_id=code, kind=kind, period=period, **values)
            for (code, kind, period), values in obligations.items()], batch_size=5000)


def _contributions(rows) -> dict[tuple[str, str], dict[str, int]]:
    """Rows are ``(kind, period, base_status, prev_met)`` tuples."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(new_bucket)
    for kind, period, base_status, prev_met in rows:
        if base_status not in (NOT_JUDGED, EXITED):
            tally(out[(kind, period)], kind, base_status, prev_met)
    return out


# The hot path of recording a visit runs these two statements for every visit, so they are
# written once as SQL (the ORM spent more time compiling a CASE update than the database
# spent running it). Both are plain SQL that SQLite ≥ 3.33 and PostgreSQL accept.
_SUMMARY_BUMP = (
    "UPDATE compliance_villagesummary SET visits_year = visits_year + %s, late_year = late_year + %s "
    "WHERE region_code = %s AND computed_on = %s AND year = %s")
# (VALUES …) AS d names its columns column1…column6 in both databases; the statement must start with
# UPDATE, not WITH, or Python's sqlite3 reports no row count.
_OBLIGATION_BUMP = (
    "UPDATE compliance_villageobligationsummary SET judged = judged + d.column3, overdue = overdue + d.column4, "
    "last_judged = last_judged + d.column5, last_met = last_met + d.column6 FROM (VALUES {rows}) AS d "
    "WHERE region_code = %s AND kind = d.column1 AND period = d.column2")
_DELTA_ROW = "(CAST(%s AS VARCHAR(20)), CAST(%s AS VARCHAR(10)), " + ", ".join(["CAST(%s AS INTEGER)"] * 4) + ")"


def village_apply_visit_delta(code: str, old_rows, new_rows, day: dt.date, *, visits: int, late: int) -> bool:
    """Fast path after a visit write: adjust the village's counters by this family's change.

    ``old_rows`` / ``new_rows`` are the family's state rows before and after, as
    ``(kind, period, base_status, prev_met)``. Returns False (and changes nothing) when the village
    summary is missing or from another day, so the caller falls back to ``villages_refresh``.
    Call inside the write's transaction: the first UPDATE also locks the village's summary row, so
    two visits in one village apply their deltas one after the other.
    """

    old, new = _contributions(old_rows), _contributions(new_rows)
    deltas = {}
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, new_bucket()), new.get(key, new_bucket())
        change = [after[f] - before[f] for f in FIELDS]
        if any(change):
            deltas[key] = change
    with shared_cursor() as cursor:
        cursor.execute(_SUMMARY_BUMP, [visits, late, code, day, day.year])
        if cursor.rowcount != 1:
            return False
        if deltas:
            params: list = []
            for (kind, period), change in deltas.items():
                params += [kind, period, *change]
            cursor.execute(_OBLIGATION_BUMP.format(rows=", ".join([_DELTA_ROW] * len(deltas))), [*params, code])
            if cursor.rowcount != len(deltas):
                return False  # a row is missing: the caller recounts the village (same transaction)
    return True
