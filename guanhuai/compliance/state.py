"""Keeping ``ObligationState`` current: per family (in the visit's transaction),
for stale rows (daily), and for everything (rebuild). All three call the same
``compute_states`` so they cannot disagree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable

from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from guanhuai.families.models import Family, Status
from guanhuai.lib.dates import as_date
from guanhuai.lib.rows import shared_cursor
from guanhuai.workdays.calendar import add_working_days

from . import visit_counts
from .engine import FamilyFacts, evaluate
from .models import ObligationState
from .profiles import rules_for_region
from .summary import village_apply_visit_delta, villages_refresh

# How far back visits are read: enough for the previous quarter of last year
# (cumulative home visits) and the last festival window.
LOOKBACK_DAYS = 460


def _add_wd(day: dt.date, n: int) -> dt.date:
    return add_working_days(day, n).date


@dataclasses.dataclass(slots=True)
class StateRow:
    """One obligation row as computed, before it is written: the fields of ``ObligationState``.

    A plain slotted object: recording a visit computes a family's rows on every request, and a model
    instance costs several times more to build (``model()`` makes one for ``bulk_create``).
    """

    family_id: int
    region_id: str
    key: str
    kind: str
    period: str
    base_status: str
    period_start: dt.date | None
    period_end: dt.date | None
    period_label: str
    required: int
    count: int
    prev_met: bool | None
    due_soon_from: dt.date | None
    valid_until: dt.date
    computed_on: dt.date
    last_visit: dt.date | None

    def model(self) -> ObligationState:
        return ObligationState(**{f: getattr(self, f) for f in _STATE_FIELDS})


def compute_states(family: Family, visits: list[tuple[dt.date, str]], day: dt.date) -> list[StateRow]:
    rules = rules_for_region(family.region_id)
    if rules is None:
        return []
    exited_on = family.exit_date if family.status == Status.EXITED else None
    facts = FamilyFacts(registered_on=family.registered_on, exited_on=exited_on, visits=visits)
    history_from = day - dt.timedelta(days=LOOKBACK_DAYS)
    # A version taking effect later must be applied on its first day: no row outlives the day before it.
    change = rules.next_change_after(day)
    expires = change - dt.timedelta(days=1) if change else dt.date.max
    rows = []
    for key in rules.periodic_keys():
        spec = rules.spec(key, day) or next(o for _, obs in reversed(rules.versions) for o in obs if o.key == key)
        ev = evaluate(key, rules.spec_at(key), facts, day, _add_wd,
                      history_from=max(history_from, family.registered_on), with_history=False)
        rows.append(StateRow(
            family_id=family.pk, region_id=family.region_id, key=key, kind=spec.kind, period=spec.period,
            base_status=ev.base_status,
            period_start=ev.span.start if ev.span else None, period_end=ev.span.end if ev.span else None,
            period_label=ev.span.label if ev.span else "", required=ev.required, count=min(ev.count, 32767),
            prev_met=ev.prev_met, due_soon_from=ev.due_soon_from, valid_until=min(ev.valid_until, expires),
            computed_on=day,
            last_visit=ev.last_visit,
        ))
    return rows


def _visits_by_family(family_ids: Iterable[int], since: dt.date) -> dict[int, list[tuple[dt.date, str]]]:
    from guanhuai.visits.models import Visit

    out: dict[int, list] = defaultdict(list)
    rows = (Visit.objects.filter(family_id__in=list(family_ids), visit_date__gte=since)
            .order_by("family_id", "visit_date", "id").values_list("family_id", "visit_date", "channel"))
    for family_id, day, channel in rows.iterator(chunk_size=5000):
        out[family_id].append((day, channel))
    return out


# One family's rows on the hot path of recording a visit: the lock and the old rows in one statement,
# the visits in another, then only the rows that changed are written (usually one or two: a visit
# moves the obligations its channel counts for), with one UPDATE … FROM (VALUES …).
_FAMILY_VISITS = ("SELECT visit_date, channel FROM visits_visit WHERE family_id = %s AND visit_date >= %s "
                  "ORDER BY visit_date, id")
_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(StateRow))  # ObligationState's fields but the id
# What a refresh may change in an existing row (the family and the key name it).
_MUTABLE_FIELDS = tuple(f for f in _STATE_FIELDS if f not in ("family_id", "key"))
# Where a read row's (kind, period, base_status, prev_met) sit among _MUTABLE_FIELDS (the village counters' key).
_SUMMARY_AT = tuple(_MUTABLE_FIELDS.index(f) for f in ("kind", "period", "base_status", "prev_met"))
_DATE_FIELDS = frozenset({"period_start", "period_end", "due_soon_from", "valid_until", "computed_on", "last_visit"})
_FAMILY_STATE_READ = (
    "SELECT s.id, s.key, " + ", ".join(
        f"s.{ObligationState._meta.get_field(f).column}" for f in _MUTABLE_FIELDS) +
    " FROM families_family f LEFT JOIN compliance_obligationstate s ON s.family_id = f.id WHERE f.id = %s")
_FAMILY_STATE_INSERT = (
    "INSERT INTO compliance_obligationstate (" +
    ", ".join(ObligationState._meta.get_field(f).column for f in _STATE_FIELDS) + ") VALUES {rows}")
_STATE_ROW = "(" + ", ".join(["%s"] * len(_STATE_FIELDS)) + ")"
_FAMILY_STATE_DELETE = "DELETE FROM compliance_obligationstate WHERE id IN ({ids})"
_FAMILY_LOCK = "SELECT id FROM families_family WHERE id = %s FOR UPDATE"


@functools.cache
def _state_update_sql(vendor: str, n: int) -> str:
    """``UPDATE … FROM (VALUES …)`` for ``n`` rows of (id, *_MUTABLE_FIELDS); VALUES columns are named
    column1… in both databases. PostgreSQL binds parameters server-side, so each gets its column's type;
    SQLite needs none (and would turn a date into a number if cast)."""
    fields = [ObligationState._meta.pk, *(ObligationState._meta.get_field(f) for f in _MUTABLE_FIELDS)]
    if vendor == "postgresql":
        connection = connections["default"]
        row = "(" + ", ".join(f"CAST(%s AS {f.rel_db_type(connection) if f.primary_key else f.db_type(connection)})"
                              for f in fields) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sets = ", ".join(f"{f.column} = d.column{i}" for i, f in enumerate(fields[1:], start=2))
    return (f"UPDATE compliance_obligationstate SET {sets} FROM (VALUES {', '.join([row] * n)}) AS d "
            "WHERE compliance_obligationstate.id = d.column1")


def family_lock(family_id: int) -> None:
    """Lock the family's row until commit (PostgreSQL; SQLite writers are serialised anyway).

    Every write that refreshes a family's state, and reporting a major event, take it first, so two
    writes for one family run one after the other and each sees what the other committed.
    """
    from django.db import connection

    if connection.features.has_select_for_update:
        with shared_cursor() as cursor:
            cursor.execute(_FAMILY_LOCK, [family_id])


def _summary_key(row: StateRow) -> tuple:
    return row.kind, row.period, row.base_status, row.prev_met


def _normalised(name: str, value):
    # SQLite hands raw SQL dates back as text and booleans as integers.
    if value is None:
        return None
    if name in _DATE_FIELDS:
        return as_date(value)
    if name == "prev_met":
        return bool(value)
    return value


def family_refresh(family: Family, *, day: dt.date | None = None, visit_delta: tuple[int, int] | None = None,
                   lock: bool = True) -> list[StateRow]:
    """Recompute one family's obligation rows (call inside the write's transaction).

    Returns the rows as computed (``StateRow``, not model instances): read them back if needed.

    ``visit_delta`` = (change in this year's entered visits, change in late ones) lets a visit write
    adjust the village summary by deltas instead of recomputing it (the hot path of recording visits).
    ``lock=False`` when the caller already holds the family's row lock (``family_lock``).
    """
    from django.db import connection

    day = day or timezone.localdate()
    with transaction.atomic(savepoint=False), shared_cursor() as cursor:
        # Two writes for one family at once: the second waits here, then reads the first's visit.
        locking = lock and connection.features.has_select_for_update
        cursor.execute(_FAMILY_STATE_READ + (" FOR UPDATE OF f" if locking else ""), [family.pk])
        old = {}
        for state_id, key, *values in cursor.fetchall():
            if state_id is not None:
                old[key] = (state_id, tuple(_normalised(n, v) for n, v in zip(_MUTABLE_FIELDS, values, strict=True)))
        cursor.execute(_FAMILY_VISITS, [family.pk, day - dt.timedelta(days=LOOKBACK_DAYS)])
        visits = [(as_date(d), channel) for d, channel in cursor.fetchall()]
        rows = compute_states(family, visits, day)
        changed, added = [], []
        for row in rows:
            values = tuple(getattr(row, f) for f in _MUTABLE_FIELDS)
            found = old.get(row.key)
            if found is None:
                added.append(row)
            elif found[1] != values:
                changed.append((found[0], *values))
        keys = {r.key for r in rows}
        gone = [state_id for key, (state_id, _) in old.items() if key not in keys]
        if gone:
            cursor.execute(_FAMILY_STATE_DELETE.format(ids=", ".join(["%s"] * len(gone))), gone)
        if changed:
            cursor.execute(_state_update_sql(connection.vendor, len(changed)), [v for row in changed for v in row])
        if added:
            cursor.execute(_FAMILY_STATE_INSERT.format(rows=", ".join([_STATE_ROW] * len(added))),
                           [getattr(r, f) for r in added for f in _STATE_FIELDS])
        before = [tuple(values[i] for i in _SUMMARY_AT) for _, values in old.values()]
        if visit_delta is None or not village_apply_visit_delta(family.region_id, before, [_summary_key(r) for r in rows],
                                                                day, visits=visit_delta[0], late=visit_delta[1]):
            villages_refresh([family.region_id], day)
    return rows


def families_refresh(families: list[Family], *, day: dt.date) -> int:
    """Recompute a batch of families in one transaction (rebuild and the daily refresh)."""
    visits = _visits_by_family([f.pk for f in families], day - dt.timedelta(days=LOOKBACK_DAYS))
    rows: list[ObligationState] = []
    for family in families:
        rows.extend(row.model() for row in compute_states(family, visits.get(family.pk, []), day))
    with transaction.atomic():
        ObligationState.objects.filter(family_id__in=[f.pk for f in families]).delete()
        ObligationState.objects.bulk_create(rows, batch_size=5000)
        villages_refresh({f.region_id for f in families}, day)
    return len(rows)


def refresh_in_batches(families: QuerySet[Family], *, day: dt.date, batch_size: int = 2000, lock: bool = False,
                       progress=None) -> int:
    """Recompute ``families``' rows and village summaries ``batch_size`` families at a time, one transaction
    each. ``lock``: hold each batch's family rows first, as a visit write does, so a visit recorded meanwhile
    is neither missed nor overwritten (jobs that run in working hours). Returns families processed."""
    qs = families.only("id", "region_id", "registered_on", "status", "exit_date").order_by("id")
    total = qs.count() if progress else 0
    done = last_id = 0
    while batch := list(qs.filter(id__gt=last_id)[:batch_size]):
        with transaction.atomic():
            if lock:
                list(Family.objects.select_for_update().filter(id__in=[f.pk for f in batch]).order_by("id")
                     .values_list("id", flat=True))
            families_refresh(batch, day=day)
        done += len(batch)
        last_id = batch[-1].pk
        if progress:
            progress(done, total)
    return done


def rebuild(*, prefix: str = "", day: dt.date | None = None, batch_size: int = 2000, progress=None) -> int:
    """Recompute every family's state, and the visit counters, from the visit history. Returns families
    processed."""
    day = day or timezone.localdate()
    with transaction.atomic():
        visit_counts.rebuild(prefix)
    done = refresh_in_batches(Family.objects.filter(region__code__startswith=prefix), day=day,
                              batch_size=batch_size, progress=progress)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh planner statistics for the rewritten tables
            cursor.execute("ANALYZE compliance_obligationstate, compliance_villagesummary, "
                           "compliance_villageobligationsummary, compliance_visitmonthcount")
    return done


def refresh_stale(*, day: dt.date | None = None, batch_size: int = 2000) -> int:
    """Recompute families with any row no longer valid on ``day`` (the daily job)."""
    day = day or timezone.localdate()
    ids = (ObligationState.objects.filter(valid_until__lt=day).values_list("family_id", flat=True).distinct()
           .order_by("family_id"))
    missing = Family.objects.filter(obligations__isnull=True).values_list("id", flat=True)
    family_ids = sorted(set(ids) | set(missing))
    for start in range(0, len(family_ids), batch_size):
        batch = list(Family.objects.filter(id__in=family_ids[start:start + batch_size]).only(
            "id", "region_id", "registered_on", "status", "exit_date"))
        families_refresh(batch, day=day)
    return len(family_ids)


def families_changed_refresh(families: list[Family]) -> None:
    """Hook for the families app: register data changed (created, edited, exited, imported)."""
    if len(families) == 1:
        family_refresh(families[0])
    elif families:
        day = timezone.localdate()
        for start in range(0, len(families), 2000):
            families_refresh(families[start:start + 2000], day=day)


def refresh_families_if_stale(families: list[Family], day: dt.date) -> int:
    """Bring the given families' rows up to ``day`` if any is missing or expired (read paths)."""
    if not families:
        return 0
    ids = [f.pk for f in families]
    fresh = set(ObligationState.objects.filter(family_id__in=ids, valid_until__gte=day, computed_on__lte=day)
                .values_list("family_id", flat=True).distinct())
    expired = set(ObligationState.objects.filter(family_id__in=ids).exclude(valid_until__gte=day, computed_on__lte=day)
                  .values_list("family_id", flat=True).distinct())
    stale = [f for f in families if f.pk in expired or f.pk not in fresh]
    if stale:
        families_refresh(stale, day=day)
    return len(stale)
