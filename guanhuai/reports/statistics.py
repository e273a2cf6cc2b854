"""The standard annual statistics tables (年度统计表), computed by aggregate SQL.

A region's tables have one row per child region (a township's rows are its
villages, a province's its cities) and a total row. Every table is one or two
``GROUP BY substr(region_code, 1, k)`` queries over the subtree — jurisdiction
is a code prefix, so a child's rows are those whose code starts with the
child's prefix — never a loop over families in Python.

``TABLES`` is the list of table builders; a new table (relief, once it exists)
is one more ``TableBuilder`` appended to it. The result of
``statistics_compute`` is plain JSON, which is what a submitted return freezes.

The statistical year ``Y`` is judged as of 31 December of Y, or today while Y
has not ended: the register on that day, visits and events dated in Y up to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from guanhuai.families.models import (
    NEEDS,
    Category,
    Family,
    Health,
    Income,
    Living,
    Medical,
    Member,
    Mental,
    Pension,
)
from guanhuai.families.models import Status as FamilyStatus
from guanhuai.regions.codes import LEVEL_NAMES, PREFIX_LENGTH, VILLAGE
from guanhuai.regions.models import Region
from guanhuai.visits.models import FACE_TO_FACE, Channel, EventKind, MajorEvent, Visit

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Scope:
    """What one computation covers: a region's subtree, grouped by child prefix of length ``k``."""

    region: Region
    year: int
    as_of: dt.date
    k: int
    # Results shared between tables of one computation (the family tables come from one scan).
    cache: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)


Counts = dict[str, dict[str, int]]  # child prefix → column key → count


@dataclass(frozen=True)
class TableBuilder:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    compute: Callable[[Scope], Counts]
    note: str = ""


def as_of_for(year: int, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _grouped(qs: QuerySet, scope: Scope, field: str = "region_id") -> QuerySet:
    return qs.annotate(child=Substr(field, 1, scope.k)).values("child")


def _in_register(scope: Scope) -> QuerySet[Family]:
    return Family.objects.filter(_in_register_q(scope), region__code__startswith=scope.region.prefix)


def _rows(qs: QuerySet, keys: list[str]) -> Counts:
    return {r["child"]: {k: r[k] or 0 for k in keys} for r in qs}


# --- the tables --------------------------------------------------------------------------------------------

FAMILY_COLUMNS = [*((f"cat_{c}", label) for c, label in Category.choices), ("total", "在册合计"),
                  ("entered", "本年新纳入"), ("exited", "本年退出")]


def _in_register_q(scope: Scope) -> Q:
    return Q(registered_on__lte=scope.as_of) & (Q(status=FamilyStatus.ACTIVE) | Q(exit_date__gt=scope.as_of))


def _families_aggregates(scope: Scope, in_reg: Q) -> dict:
    aggregates = {f"cat_{c}": Count("id", filter=in_reg & Q(category=c)) for c, _ in Category.choices}
    aggregates["total"] = Count("id", filter=in_reg)
    aggregates["entered"] = Count("id", filter=Q(registered_on__gte=scope.year_start, registered_on__lte=scope.as_of))
    aggregates["exited"] = Count("id", filter=Q(status=FamilyStatus.EXITED, exit_date__gte=scope.year_start,
                                                exit_date__lte=scope.as_of))
    return aggregates


def _family_counts(scope: Scope, part: str) -> Counts:
    """The counts of one family table; the four family tables are computed together in one scan."""
    if "family" not in scope.cache:
        in_reg = _in_register_q(scope)
        aliases: dict[str, tuple[str, str]] = {}
        aggregates = {}
        for name, make in FAMILY_PARTS.items():
            for key, aggregate in make(scope, in_reg).items():
                alias = f"c{len(aliases)}"
                aliases[alias] = (name, key)
                aggregates[alias] = aggregate
        out: dict[str, Counts] = {name: {} for name in FAMILY_PARTS}
        base = Family.objects.filter(region__code__startswith=scope.region.prefix)
        for row in _grouped(base, scope).annotate(**aggregates):
            for alias, (name, key) in aliases.items():
                out[name].setdefault(row["child"], {})[key] = row[alias] or 0
        scope.cache["family"] = out
    return scope.cache["family"][part]


def _families(scope: Scope) -> Counts:
    return _family_counts(scope, "families")


AGE_BANDS = [("age_lt50", "49岁及以下", None, 50), ("age_50", "50–59岁", 50, 60), ("age_60", "60–69岁", 60, 70),
             ("age_70", "70–79岁", 70, 80), ("age_80", "80岁及以上", 80, None)]
MEMBER_COLUMNS = [("members", "健在成员"), ("parents", "其中父母"), *((k, label) for k, label, _, _ in AGE_BANDS)]


def _members(scope: Scope) -> Counts:
    alive = Q(is_alive=True) | Q(death_date__gt=scope.as_of)
    qs = Member.objects.filter(family__in=_in_register(scope).values("pk"), birth_date__lte=scope.as_of).filter(alive)
    aggregates = {"members": Count("id"), "parents": Count("id", filter=Q(role__in=["father", "mother"]))}
    for key, _, low, high in AGE_BANDS:
        # Age ≥ n on as_of ⇔ born on or before as_of minus n years: date comparisons work on every database.
        cond = Q()
        if low is not None:
            cond &= Q(birth_date__lte=_years_before(scope.as_of, low))
        if high is not None:
            cond &= Q(birth_date__gt=_years_before(scope.as_of, high))
        aggregates[key] = Count("id", filter=cond)
    return _rows(_grouped(qs, scope, "family__region_id").annotate(**aggregates), list(aggregates))


HEALTH_COLUMNS = [*((f"h_{c}", label) for c, label in Health.choices),
                  *((f"m_{c}", f"精神{label}") for c, label in Mental.choices if c != Mental.STABLE)]


def _health_aggregates(scope: Scope, in_reg: Q) -> dict:
    aggregates = {f"h_{c}": Count("id", filter=in_reg & Q(health=c)) for c, _ in Health.choices}
    aggregates.update({f"m_{c}": Count("id", filter=in_reg & Q(mental=c))
                       for c, _ in Mental.choices if c != Mental.STABLE})
    return aggregates


def _health(scope: Scope) -> Counts:
    return _family_counts(scope, "health")


LIVING_COLUMNS = [*((f"l_{c}", label) for c, label in Living.choices), ("dibao", "低保"), ("low_income", "低收入"),
                  ("no_pension", "未参加养老保险"), ("no_medical", "未参加医疗保险")]


def _living_aggregates(scope: Scope, in_reg: Q) -> dict:
    aggregates = {f"l_{c}": Count("id", filter=in_reg & Q(living=c)) for c, _ in Living.choices}
    aggregates["dibao"] = Count("id", filter=in_reg & Q(income=Income.DIBAO))
    aggregates["low_income"] = Count("id", filter=in_reg & Q(income=Income.LOW))
    aggregates["no_pension"] = Count("id", filter=in_reg & Q(pension=Pension.NONE))
    aggregates["no_medical"] = Count("id", filter=in_reg & Q(medical=Medical.NONE))
    return aggregates


def _living(scope: Scope) -> Counts:
    return _family_counts(scope, "living")


NEED_COLUMNS = [("any_need", "有诉求户数"), *NEEDS]


def _needs_aggregates(scope: Scope, in_reg: Q) -> dict:
    any_need = Q()
    for name, _ in NEEDS:
        any_need |= Q(**{name: True})
    aggregates = {"any_need": Count("id", filter=in_reg & any_need)}
    aggregates.update({name: Count("id", filter=in_reg & Q(**{name: True})) for name, _ in NEEDS})
    return aggregates


def _needs(scope: Scope) -> Counts:
    return _family_counts(scope, "needs")


FAMILY_PARTS = {"families": _families_aggregates, "health": _health_aggregates, "living": _living_aggregates,
                "needs": _needs_aggregates}


COVERAGE_COLUMNS = [("families", "在册户数"), ("first", "有第一联系人"), ("second", "有第二联系人"),
                    ("both", "双岗齐全"), ("missing", "缺联系人"), ("leader", "领导干部联系帮扶")]


COVERAGE_SQL = """
SELECT substr(f.region_code, 1, %s) AS child, COUNT(*),
       SUM(COALESCE(a.has_first, 0)), SUM(COALESCE(a.has_second, 0)),
       SUM(CASE WHEN a.has_first = 1 AND a.has_second = 1 THEN 1 ELSE 0 END), SUM(COALESCE(a.has_leader, 0))
FROM families_family f
LEFT JOIN (SELECT family_id,
                  MAX(CASE WHEN slot = 'first' THEN 1 ELSE 0 END) AS has_first,
                  MAX(CASE WHEN slot = 'second' THEN 1 ELSE 0 END) AS has_second,
                  MAX(CASE WHEN slot = 'leader' THEN 1 ELSE 0 END) AS has_leader
           FROM contacts_assignment
           WHERE region_code LIKE %s AND start_date <= %s AND (end_date IS NULL OR end_date > %s)
           GROUP BY family_id) a ON a.family_id = f.id
WHERE f.region_code LIKE %s AND f.registered_on <= %s AND (f.status = 'active' OR f.exit_date > %s)
GROUP BY 1
"""


def _coverage(scope: Scope) -> Counts:
    # One pass over the active assignments grouped by family, joined to the register: a correlated
    # EXISTS per family and slot took 7 s at province scale, this join well under one.
    like = scope.region.prefix + "%"
    with connection.cursor() as cursor:
        cursor.execute(COVERAGE_SQL, [scope.k, like, scope.as_of, scope.as_of, like, scope.as_of, scope.as_of])
        rows = cursor.fetchall()
    out: Counts = {}
    for child, families, first, second, both, leader in rows:
        out[child] = {"families": families, "first": first or 0, "second": second or 0, "both": both or 0,
                      "missing": families - (both or 0), "leader": leader or 0}
    return out


VISIT_COLUMNS = [*((f"c_{c}", label) for c, label in Channel.choices), ("total", "合计"),
                 ("face_to_face", "其中当面"), ("late", "迟报"), ("backfill", "补录")]


def _visits(scope: Scope) -> Counts:
    # Group by (child, channel) and pivot here: one hash aggregate with three counters is cheaper
    # over millions of visits than nine filtered counters per row.
    qs = (Visit.objects.filter(region__code__startswith=scope.region.prefix, visit_date__gte=scope.year_start,
                               visit_date__lte=scope.as_of)
          .annotate(child=Substr("region_id", 1, scope.k)).values("child", "channel")
          .annotate(n=Count("id"), late=Count("id", filter=Q(is_late=True)),
                    backfill=Count("id", filter=Q(is_backfill=True))).order_by())
    out: Counts = {}
    face = {str(c) for c in FACE_TO_FACE}
    for r in qs:
        row = out.setdefault(r["child"], {k: 0 for k, _ in VISIT_COLUMNS})
        row[f"c_{r['channel']}"] = row.get(f"c_{r['channel']}", 0) + r["n"]
        row["total"] += r["n"]
        row["face_to_face"] += r["n"] if r["channel"] in face else 0
        row["late"] += r["late"]
        row["backfill"] += r["backfill"]
    return out


EVENT_COLUMNS = [*((f"k_{c}", label) for c, label in EventKind.choices), ("total", "合计"),
                 ("in_time", "按期上门"), ("closed", "已办结")]


def _events(scope: Scope) -> Counts:
    qs = MajorEvent.objects.filter(region__code__startswith=scope.region.prefix, event_date__gte=scope.year_start,
                                   event_date__lte=scope.as_of)
    aggregates = {f"k_{c}": Count("id", filter=Q(kind=c)) for c, _ in EventKind.choices}
    aggregates["total"] = Count("id")
    aggregates["in_time"] = Count("id", filter=Q(responded_on__lte=scope.as_of)
                                  & Q(responded_on__lte=F("response_due")))
    aggregates["closed"] = Count("id", filter=Q(state=MajorEvent.State.CLOSED))
    return _rows(_grouped(qs, scope).annotate(**aggregates), list(aggregates))


TABLES: list[TableBuilder] = [
    TableBuilder("families", "表1 特殊家庭类别与在册情况(户)", FAMILY_COLUMNS, _families),
    TableBuilder("members", "表2 家庭成员年龄结构(人)", MEMBER_COLUMNS, _members, note="截至统计日健在的成员"),
    TableBuilder("health", "表3 身体与精神状况(户)", HEALTH_COLUMNS, _health),
    TableBuilder("living", "表4 居住与保障情况(户)", LIVING_COLUMNS, _living),
    TableBuilder("needs", "表5 利益诉求(户)", NEED_COLUMNS, _needs, note="一户可有多项诉求"),
    TableBuilder("coverage", "表6 “双岗”联系人覆盖(户)", COVERAGE_COLUMNS, _coverage),
    TableBuilder("visits", "表7 联系走访(次,按方式)", VISIT_COLUMNS, _visits),
    TableBuilder("events", "表8 重大事件(件)", EVENT_COLUMNS, _events),
    # 关怀救助 (relief) adds its table here once the relief app exists.
]


@contextmanager
def plain_aggregates():
    """On PostgreSQL, run the aggregates without JIT compilation.

    At province scale JIT spent ≈3 s compiling each big GROUP BY, more than it saved on a scan that
    takes a few seconds; SET LOCAL limits the change to this transaction.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def child_prefix_length(region: Region) -> int:
    return PREFIX_LENGTH[min(region.level + 1, VILLAGE)]


def statistics_compute(region: Region, year: int, *, today: dt.date | None = None,
                       tables: list[TableBuilder] | None = None) -> dict:
    """The region's standard tables for ``year`` as JSON-ready data (what a return freezes).

    The caller decides whether the user may see the region (``region_get_for_user``).
    """
    as_of = as_of_for(year, today)
    scope = Scope(region=region, year=year, as_of=as_of, k=child_prefix_length(region))
    if region.level >= VILLAGE:
        children = [(region.code, region.name)]
    else:
        children = list(Region.objects.filter(parent=region).order_by("code").values_list("code", "name"))
    keys = [(code[:scope.k], code, name) for code, name in children]
    out_tables = []
    with plain_aggregates():
        computed = [(builder, builder.compute(scope)) for builder in tables or TABLES]
    for builder, counts in computed:
        known = {prefix for prefix, _, _ in keys}
        rows = [{"code": code, "name": name,
                 "values": [counts.get(prefix, {}).get(c, 0) for c, _ in builder.columns]}
                for prefix, code, name in keys]
        # Rows whose code is not a known child region (should not happen) still count in the total.
        rows += [{"code": prefix.ljust(12, "0"), "name": "(未登记区划)",
                  "values": [counts[prefix].get(c, 0) for c, _ in builder.columns]}
                 for prefix in sorted(set(counts) - known)]
        total = [sum(row["values"][i] for row in rows) for i in range(len(builder.columns))]
        out_tables.append({"key": builder.key, "title": builder.title, "note": builder.note,
                           "columns": [{"key": c, "label": label} for c, label in builder.columns],
                           "rows": rows, "total": total})
    return {"schema": SCHEMA_VERSION, "region": {"code": region.code, "name": region.name, "level": region.level,
                                                  "level_name": LEVEL_NAMES[region.level]},
            "year": year, "as_of": as_of.isoformat(), "computed_at": timezone.now().isoformat(timespec="seconds"),
            "tables": out_tables}


def table_totals(snapshot: dict) -> dict[str, dict[str, int]]:
    """``{table key: {column key: total}}`` of a snapshot."""
    return {t["key"]: {c["key"]: v for c, v in zip(t["columns"], t["total"], strict=True)}
            for t in snapshot["tables"]}
