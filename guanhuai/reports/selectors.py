"""Reads of annual returns, scoped to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.regions.codes import CITY, COUNTY, PROVINCE, TOWNSHIP, parent_code_of
from guanhuai.regions.models import Region
from guanhuai.regions.selectors import region_get_for_user

from .models import ReturnExport, ReturnSchedule, ReturnVersion, StatReturn

RETURN_LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP)  # province … township file returns; villages do not
SUBMITTING_LEVELS = (CITY, COUNTY, TOWNSHIP)
DEFAULT_DEADLINE = (5, 15)  # 15 May of the year after the statistical year (seed 001)
MAX_DIFFERENCES_SHOWN = 5


def snapshot_digest(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8)."""
    data = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def deadline_for(year: int) -> dt.date:
    row = ReturnSchedule.objects.filter(year=year).first()
    return row.deadline if row else dt.date(year + 1, *DEFAULT_DEADLINE)


def default_year(today: dt.date | None = None) -> int:
    """The year whose return is being worked on: last year until its deadline has passed, then this year."""
    today = today or timezone.localdate()
    return today.year - 1 if today <= deadline_for(today.year - 1) else today.year


def parse_year(value, today: dt.date | None = None) -> int:
    """A statistical year from user input; 404 for nonsense, so a bad URL looks like a missing page."""
    today = today or timezone.localdate()
    if value in (None, ""):
        return default_year(today)
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 2000 <= year <= today.year:
        raise Http404
    return year


def can_view_returns(user) -> bool:
    return has_perm(user, "returns.view") and user.region_id is not None


def return_region_get_for_user(user, code: str) -> Region:
    """A region that files a return (township up to province) inside the user's jurisdiction, else 404."""
    if not can_view_returns(user):
        raise Http404
    region = region_get_for_user(user, code)
    if region.level not in RETURN_LEVELS:
        raise Http404
    return region


def return_of(region: Region, year: int) -> StatReturn | None:
    return StatReturn.objects.filter(region=region, year=year).first()


def versions_of(stat_return: StatReturn | None) -> list[ReturnVersion]:
    if stat_return is None:
        return []
    return list(stat_return.versions.select_related("submitted_by", "decided_by").order_by("-number"))


def version_get_for_user(user, pk, *, review: bool = False) -> ReturnVersion:
    """A version in the user's jurisdiction; for ``review`` the user must be the level directly above. Else 404."""
    if not can_view_returns(user):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    version = (ReturnVersion.objects.select_related("stat_return", "stat_return__region")
               .filter(pk=pk, stat_return__region__code__startswith=user.region.prefix).first())
    if version is None:
        raise Http404
    if review and not is_reviewer_of(user, version.stat_return.region):
        raise Http404
    return version


def export_get_for_user(user, pk) -> ReturnExport:
    """An encrypted export: only the user who made it may download it again (404 for anyone else)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    export = ReturnExport.objects.select_related("version", "version__stat_return").filter(
        pk=pk, created_by=user).first()
    if export is None or not can_view_returns(user) or not export.region_id.startswith(user.region.prefix):
        raise Http404
    return export


def is_reviewer_of(user, region: Region) -> bool:
    """The upper level of ``region``: a reviewer bound to its parent region."""
    return (has_perm(user, "returns.review") and user.region_id is not None
            and user.region_id == parent_code_of(region.code))


def is_submitter_for(user, region: Region) -> bool:
    return has_perm(user, "returns.submit") and user.region_id == region.code and region.level in SUBMITTING_LEVELS


@dataclass
class LowerReturn:
    region: Region
    stat_return: StatReturn | None
    latest: ReturnVersion | None

    @property
    def state(self) -> str:
        return self.stat_return.state if self.stat_return else StatReturn.State.DRAFT

    @property
    def state_label(self) -> str:
        return StatReturn.State(self.state).label


def lower_returns(region: Region, year: int) -> list[LowerReturn]:
    """The child regions' returns for the year with their latest versions (three queries in all)."""
    if region.level == TOWNSHIP:
        return []
    children = list(Region.objects.filter(parent=region).order_by("code"))
    returns = {r.region_id: r for r in StatReturn.objects.filter(region__in=children, year=year)}
    latest_numbers = dict(ReturnVersion.objects.filter(stat_return__in=returns.values())
                          .values("stat_return").annotate(n=Max("number")).values_list("stat_return", "n"))
    latest = {v.stat_return_id: v for v in ReturnVersion.objects.filter(stat_return__in=returns.values())
              .select_related("submitted_by") if latest_numbers.get(v.stat_return_id) == v.number}
    out = []
    for child in children:
        ret = returns.get(child.code)
        out.append(LowerReturn(child, ret, latest.get(ret.pk) if ret else None))
    return out


def accepted_lower_snapshots(region: Region, year: int) -> dict[str, dict | None]:
    """Child code → the snapshot of its accepted version (None when the child has none accepted)."""
    out: dict[str, dict | None] = {c: None for c in Region.objects.filter(parent=region).values_list("code", flat=True)}
    for v in ReturnVersion.objects.filter(stat_return__region__parent=region, stat_return__year=year,
                                          decision=ReturnVersion.Decision.ACCEPTED).select_related("stat_return"):
        out[v.stat_return.region_id] = v.snapshot
    return out


@dataclass
class Difference:
    table: str
    row: str
    column: str
    upper: int
    lower: int | None

    @property
    def message(self) -> str:
        lower = "无已通过的报表" if self.lower is None else f"下级已通过报表合计 {self.lower}"
        return f"{self.table}「{self.row}」一行「{self.column}」:本级汇总 {self.upper},{lower}"


def lower_totals_check(snapshot: dict, year: int) -> tuple[list[str], list[Difference]]:
    """Compare each child row of an upper snapshot with the totals of that child's accepted return.

    Returns (children without an accepted return, differences). Both empty means consistent.
    """
    code = snapshot["region"]["code"]
    region = Region.objects.get(code=code)
    lower = accepted_lower_snapshots(region, year)
    names = dict(Region.objects.filter(parent=region).values_list("code", "name"))
    missing = [names[c] for c, s in sorted(lower.items()) if s is None]
    differences: list[Difference] = []
    for table in snapshot["tables"]:
        columns = [c["key"] for c in table["columns"]]
        labels = [c["label"] for c in table["columns"]]
        for row in table["rows"]:
            child = lower.get(row["code"])
            if child is None:
                continue
            child_table = next((t for t in child["tables"] if t["key"] == table["key"]), None)
            totals = dict(zip([c["key"] for c in child_table["columns"]], child_table["total"], strict=True)) \
                if child_table else {}
            for key, label, value in zip(columns, labels, row["values"], strict=True):
                if totals.get(key) != value:
                    differences.append(Difference(table["title"], row["name"], label, value, totals.get(key)))
    return missing, differences


def compiled_from_lower(region: Region, year: int) -> dict:
    """The region's tables assembled from its children's accepted returns (each row a child's totals).

    This is what the province holds once the cities have reported; a child without an accepted return
    shows zeros and is named by ``lower_totals_check``. Nothing is recomputed from case data.
    """
    from .statistics import TABLES, as_of_for

    lower = accepted_lower_snapshots(region, year)
    names = dict(Region.objects.filter(parent=region).values_list("code", "name"))
    tables = []
    for builder in TABLES:
        rows = []
        for code in sorted(lower):
            child = lower[code]
            table = next((t for t in child["tables"] if t["key"] == builder.key), None) if child else None
            totals = dict(zip([c["key"] for c in table["columns"]], table["total"], strict=True)) if table else {}
            rows.append({"code": code, "name": names[code], "values": [totals.get(c, 0) for c, _ in builder.columns]})
        tables.append({"key": builder.key, "title": builder.title, "note": builder.note,
                       "columns": [{"key": c, "label": label} for c, label in builder.columns], "rows": rows,
                       "total": [sum(r["values"][i] for r in rows) for i in range(len(builder.columns))]})
    return {"region": {"code": region.code, "name": region.name, "level": region.level}, "year": year,
            "as_of": as_of_for(year).isoformat(), "compiled": True, "tables": tables}


def returns_for_user(user) -> QuerySet[StatReturn]:
    if not can_view_returns(user):
        return StatReturn.objects.none()
    return StatReturn.objects.filter(region__code__startswith=user.region.prefix).select_related("region")
