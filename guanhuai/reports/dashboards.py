"""Dashboard data: the charts of a region's 统计看板, each a fixed number of queries.

Nothing here grows with the number of child regions: every source is one
``GROUP BY substr(region_code, 1, k)`` (or by month and channel) restricted by
the region's code prefix.

* Coverage, contact and visit compliance, overdue obligations and the late-entry
  rate are sums over the per-village summaries the compliance app keeps current
  (``compliance.summary``), turned into rates by the same function as the
  compliance region page, so both pages always show the same figures.
* Families by classification, health and needs: one GROUP BY over the families
  in the register.
* Open major events and the emergency-response rate: one GROUP BY over events.
* Visits by month and channel: above the village, a sum over the per-township
  counters of visits by month and channel (``compliance.visit_counts``, exact in
  the transaction of every visit write — a province sums ~2,000 townships × 12
  months × 6 channels rows, never its ~10⁷ visits); a village counts its own
  visits (index ``visit_region_date``: region prefix, visit date). Never cached.

A city or province has ~10⁵ families in the register, so there the family source
(≈ 0.35–0.45 s for a province) is cached for ``SLOW_CACHE_SECONDS`` (the charts say
when they were counted) and the page does not wait for it: while it is not cached
its script fetches those charts from the API.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from guanhuai.compliance.models import VillageObligationSummary, VillageSummary, VisitMonthCount
from guanhuai.compliance.rules import KINDS, PERIODS
from guanhuai.compliance.selectors import RATE_LABELS, _rates_from_sums
from guanhuai.families.models import NEEDS, Category, Family, Health, Mental, Status
from guanhuai.lib.excel import SheetSpec, write_xlsx
from guanhuai.regions.codes import CITY, PREFIX_LENGTH, VILLAGE
from guanhuai.regions.models import Region
from guanhuai.visits.models import Channel, EventKind, MajorEvent, Visit

CHART_TITLES = {
    "coverage": "双岗联系人覆盖率",
    "compliance": "联系与走访按期率",
    "visits": "近12个月走访次数(按月、方式)",
    "overdue": "逾期义务(按下级区划)",
    "late_entry": "迟报率(本年录入的走访)",
    "events": "未办结的重大事件",
    "classification": "在册家庭分类",
    "health": "身体状况与精神状态",
    "needs": "利益诉求",
}
# Rates of the compliance chart, in the order of the compliance pages (coverage and late entries have their own).
COMPLIANCE_KEYS = ["weekly_contact", "monthly_contact", "monthly_face_to_face", "home_visits_on_track",
                   "monthly_home_visit", "last_festival", "emergency_in_time"]
OVERDUE_LABELS = {
    ("contact", "week"): "每周联系", ("contact", "month"): "每月联系", ("face_to_face", "month"): "每月面见",
    ("home_visit", "year"): "上门走访进度", ("home_visit", "month"): "每月上门走访", ("festival", "festival"): "节日慰问",
}
EMERGENCY_OVERDUE = "重大事件未及时上门"
SLOW_CACHE_SECONDS = 600
MONTHS = 12
SLOW_SOURCES = {"families": ("classification", "health", "needs")}


@dataclass
class Chart:
    """One chart: categories (an axis), series of numbers, and the table behind it (the xlsx)."""

    key: str
    title: str
    axis: str  # what the categories are: 下级区划, 月份, 身体状况…
    categories: list[str]
    series: list[dict]  # {"name": ..., "data": [...]} — one value per category
    codes: list[str] = field(default_factory=list)  # a region code per category: clicking drills down
    percent: bool = False  # values are fractions (0.9653 = 96.53%)
    stacked: bool = False
    horizontal: bool = False
    summary: str = ""  # the region's own figure, shown by the title
    note: str = ""
    headers: list[str] = field(default_factory=list)  # the xlsx table (counts as well as rates)
    rows: list[list] = field(default_factory=list)
    deferred: bool = False  # not counted yet: the page fetches it from the JSON API

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "axis": self.axis, "categories": self.categories,
                "series": self.series, "codes": self.codes, "percent": self.percent, "stacked": self.stacked,
                "horizontal": self.horizontal, "summary": self.summary, "note": self.note,
                "deferred": self.deferred}

    def table(self) -> tuple[list[str], list[list]]:
        if self.headers:
            return self.headers, self.rows
        headers = [self.axis] + [s["name"] for s in self.series]
        rows = [[name] + [_cell(s["data"][i], self.percent) for s in self.series]
                for i, name in enumerate(self.categories)]
        if self.percent:
            headers = [headers[0]] + [f"{h}(%)" for h in headers[1:]]
        return headers, rows


def _cell(value, percent: bool):
    if value is None:
        return None
    return round(value * 100, 2) if percent else value


def pct_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else round(numerator / denominator, 4)


def month_starts(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``months`` calendar months, the current one last."""
    out = []
    year, month = today.year, today.month
    for _ in range(months):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


class Dashboard:
    """The charts of one region. Sources are computed on first use, so a single chart
    (an xlsx download) runs only the queries it needs.

    The caller has already checked access (``region_get_for_user``): every query is
    restricted to the region's code prefix.
    """

    def __init__(self, region: Region, *, today: dt.date | None = None):
        self.region = region
        self.today = today or timezone.localdate()
        self.has_children = region.level < VILLAGE
        self.k = PREFIX_LENGTH[min(region.level + 1, VILLAGE)]

    # --- sources -----------------------------------------------------------------------------------------
    @cached_property
    def children(self) -> list[Region]:
        if not self.has_children:
            return [self.region]
        return list(Region.objects.filter(parent=self.region).order_by("code"))

    def _key(self, child: Region) -> str:
        return child.code[:self.k]

    def _by_child(self, qs):
        return qs.filter(region__code__startswith=self.region.prefix).annotate(child=Substr("region_id", 1, self.k))

    @cached_property
    def summaries(self) -> dict[str, dict]:
        """Per child: families, covered, visits entered this year, late among them (village summaries)."""
        rows = (self._by_child(VillageSummary.objects.all()).values("child")
                .annotate(families=Sum("families"), covered=Sum("covered"), visits=Sum("visits_year"),
                          late=Sum("late_year")).order_by())
        return {r["child"]: {name: r[name] or 0 for name in ("families", "covered", "visits", "late")} for r in rows}

    @cached_property
    def obligations(self) -> dict[str, dict[tuple[str, str], dict]]:
        """Per child and (kind, period): judged, overdue, last_judged, last_met (village summaries)."""
        out: dict[str, dict] = defaultdict(dict)
        rows = (self._by_child(VillageObligationSummary.objects.all()).values("child", "kind", "period")
                .annotate(judged=Sum("judged"), overdue=Sum("overdue"), last_judged=Sum("last_judged"),
                          last_met=Sum("last_met")).order_by())
        for r in rows:
            out[r["child"]][(r["kind"], r["period"])] = {
                name: r[name] or 0 for name in ("judged", "overdue", "last_judged", "last_met")}
        return out

    @cached_property
    def events(self) -> dict[str, dict[str, dict[str, int]]]:
        """Per child and kind: open events, open ones past their deadline without a visit, and this
        year's emergency-response windows (closed or answered) and those answered in time."""
        day = self.today
        year_start = dt.date(day.year, 1, 1)
        this_year = Q(event_date__gte=year_start, event_date__lte=day)
        window_closed = this_year & (Q(response_due__lt=day) | Q(responded_on__lte=day))
        is_open = Q(state=MajorEvent.State.OPEN)
        rows = (self._by_child(MajorEvent.objects.filter(is_open | this_year)).values("child", "kind")
                .annotate(open=Count("id", filter=is_open),
                          unanswered=Count("id", filter=is_open & Q(responded_on__isnull=True, response_due__lt=day)),
                          windows=Count("id", filter=window_closed),
                          in_time=Count("id", filter=window_closed & Q(responded_on__lte=day)
                                        & Q(responded_on__lte=F("response_due"))))
                .order_by())
        out: dict[str, dict] = defaultdict(dict)
        for r in rows:
            out[r["child"]][r["kind"]] = {name: r[name] for name in ("open", "unanswered", "windows", "in_time")}
        return out

    @cached_property
    def families(self) -> dict[str, dict]:
        """Families in the register per child: by category, health × mental, and needs (cached above the county)."""
        return self._slow_source("families", self._count_families)

    def _count_families(self) -> dict[str, dict]:
        needs = {name: Count("id", filter=Q(**{name: True})) for name, _ in NEEDS}
        rows = (self._by_child(Family.objects.filter(status=Status.ACTIVE))
                .values("child", "category", "health", "mental").annotate(n=Count("id"), **needs).order_by())
        out: dict[str, dict] = {}
        for r in rows:
            c = out.setdefault(r["child"], {"total": 0, "category": {}, "health": {}, "needs": {}})
            c["total"] += r["n"]
            c["category"][r["category"]] = c["category"].get(r["category"], 0) + r["n"]
            cell = (r["health"], r["mental"])
            c["health"][cell] = c["health"].get(cell, 0) + r["n"]
            for name, _ in NEEDS:
                c["needs"][name] = c["needs"].get(name, 0) + r[name]
        return out

    @cached_property
    def visits(self) -> dict:
        """Visits of the last twelve calendar months by month and channel: the township counters above the
        village level (exact, kept by every visit write), the village's own visits for a village."""
        starts = month_starts(self.today)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        if self.has_children:
            rows = (VisitMonthCount.objects.filter(region__code__startswith=self.region.prefix, month__gte=starts[0],
                                                   month__lte=self.today)
                    .values_list("month", "channel").annotate(n=Sum("visits")).order_by())
        else:
            # Grouping by the day (not a truncated month) keeps the query portable; a village has a few
            # thousand visits a year at most.
            rows = (Visit.objects.filter(region__code__startswith=self.region.prefix, visit_date__gte=starts[0],
                                         visit_date__lte=self.today)
                    .values_list("visit_date", "channel").annotate(n=Count("id")).order_by())
        for day, channel, n in rows:
            counts[(day.strftime("%Y-%m"), channel)] += n
        return {"months": [s.strftime("%Y-%m") for s in starts], "counts": dict(counts)}

    # --- the slow source of a city or province -------------------------------------------------------------
    # A city or province counts ~10⁵ families by category, health and needs; nothing keeps those per village
    # yet, so they are cached for SLOW_CACHE_SECONDS, and the page asks for those charts separately
    # (JSON API) while they are not in the cache, so it never waits for them.
    @property
    def caches_slow_sources(self) -> bool:
        return self.region.level <= CITY

    def _cache_key(self, source: str) -> str:
        return f"reports:dashboard:{source}:{self.region.prefix}:{self.today.isoformat()}"

    def _slow_source(self, source: str, compute):
        if not self.caches_slow_sources:
            return compute()
        key = self._cache_key(source)
        cached = cache.get(key)
        if cached is None:
            cached = {"data": compute(), "computed_at": timezone.localtime().strftime("%H:%M")}
            cache.set(key, cached, SLOW_CACHE_SECONDS)
        self.computed_at[source] = cached["computed_at"]
        return cached["data"]

    @cached_property
    def computed_at(self) -> dict[str, str]:
        return {}

    def waiting_charts(self) -> set[str]:
        """Charts whose slow source is not in the cache yet (a city or province page loads them afterwards)."""
        if not self.caches_slow_sources:
            return set()
        found = cache.get_many([self._cache_key(source) for source in SLOW_SOURCES])
        out = set()
        for source, charts in SLOW_SOURCES.items():
            cached = found.get(self._cache_key(source))
            if cached is None:
                out |= set(charts)
            else:
                self.__dict__[source] = cached["data"]
                self.computed_at[source] = cached["computed_at"]
        return out

    # --- totals ------------------------------------------------------------------------------------------
    def _rates(self, keys: list[str]) -> tuple[dict[str, float | None], int]:
        families = covered = visits = late = 0
        obligations: dict = defaultdict(lambda: {"judged": 0, "overdue": 0, "last_judged": 0, "last_met": 0})
        events = [0, 0]
        for key in keys:
            s = self.summaries.get(key, {})
            families += s.get("families", 0)
            covered += s.get("covered", 0)
            visits += s.get("visits", 0)
            late += s.get("late", 0)
            for ob_key, c in self.obligations.get(key, {}).items():
                for name, value in c.items():
                    obligations[ob_key][name] += value
            for c in self.events.get(key, {}).values():
                events[0] += c["in_time"]
                events[1] += c["windows"]
        return _rates_from_sums(families, covered, visits, late, obligations, tuple(events))

    @cached_property
    def child_rates(self) -> list[dict[str, float | None]]:
        return [self._rates([self._key(c)])[0] for c in self.children]

    @cached_property
    def total_rates(self) -> dict[str, float | None]:
        return self._rates([self._key(c) for c in self.children])[0]

    def _child_sum(self, pick) -> int:
        return sum(pick(self._key(c)) for c in self.children)

    # --- charts ------------------------------------------------------------------------------------------
    @property
    def _names(self) -> list[str]:
        return [c.name for c in self.children]

    @property
    def _codes(self) -> list[str]:
        return [c.code for c in self.children] if self.has_children else []

    def _axis(self) -> str:
        return "下级区划" if self.has_children else "区划"

    def chart_coverage(self) -> Chart:
        rows = []
        for child in self.children:
            s = self.summaries.get(self._key(child), {})
            rows.append([child.name, s.get("families", 0), s.get("covered", 0),
                         _cell(_ratio(s.get("covered", 0), s.get("families", 0)), True)])
        families = sum(r[1] for r in rows)
        covered = sum(r[2] for r in rows)
        rows.append(["合计", families, covered, _cell(_ratio(covered, families), True)])
        return Chart("coverage", CHART_TITLES["coverage"], self._axis(), self._names,
                     [{"name": "覆盖率", "data": [r["coverage"] for r in self.child_rates]}], self._codes,
                     percent=True, horizontal=True, summary=pct_text(self.total_rates["coverage"]),
                     note="在册家庭中第一、第二联系人都在岗的比例",
                     headers=[self._axis(), "在册家庭", "双岗齐全", "覆盖率(%)"], rows=rows)

    def chart_compliance(self) -> Chart:
        keys = [k for k in COMPLIANCE_KEYS if self.total_rates.get(k) is not None]
        series = [{"name": RATE_LABELS[k], "data": [r.get(k) for r in self.child_rates]} for k in keys]
        rows = [[name] + [_cell(r.get(k), True) for k in keys] for name, r in zip(self._names, self.child_rates,
                                                                                   strict=True)]
        rows.append(["合计"] + [_cell(self.total_rates.get(k), True) for k in keys])
        main = next((k for k in keys if k != "emergency_in_time"), None)
        return Chart("compliance", CHART_TITLES["compliance"], self._axis(), self._names, series, self._codes,
                     percent=True, horizontal=True,
                     summary=f"{RATE_LABELS[main]} {pct_text(self.total_rates[main])}" if main else "",
                     note="按期率 = 参与考核且未逾期的家庭 ÷ 参与考核的家庭",
                     headers=[self._axis()] + [f"{RATE_LABELS[k]}(%)" for k in keys], rows=rows)

    def chart_visits(self) -> Chart:
        data = self.visits
        months, counts = data["months"], data["counts"]
        series = [{"name": label, "data": [counts.get((m, value), 0) for m in months]}
                  for value, label in Channel.choices]
        total = sum(counts.values())
        rows = [[m] + [counts.get((m, value), 0) for value, _ in Channel.choices]
                + [sum(counts.get((m, value), 0) for value, _ in Channel.choices)] for m in months]
        rows.append(["合计"] + [sum(s["data"]) for s in series] + [total])
        note = "含补录的历史走访,按走访日期统计"
        return Chart("visits", CHART_TITLES["visits"], "月份", months, series, stacked=True,
                     summary=f"共 {total} 次", note=note,
                     headers=["月份"] + [label for _, label in Channel.choices] + ["合计"], rows=rows)

    def chart_overdue(self) -> Chart:
        kinds: list[tuple[str, str]] = []
        for key in (self._key(c) for c in self.children):
            for ob_key, c in self.obligations.get(key, {}).items():
                if c["overdue"] and ob_key not in kinds:
                    kinds.append(ob_key)
        order = list(OVERDUE_LABELS)
        kinds.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
        series = []
        for ob_key in kinds:
            label = OVERDUE_LABELS.get(ob_key) or f"{PERIODS.get(ob_key[1], ob_key[1])}{KINDS.get(ob_key[0], ob_key[0])}"
            series.append({"name": label, "data": [self.obligations.get(self._key(c), {}).get(ob_key, {})
                                                   .get("overdue", 0) for c in self.children]})
        series.append({"name": EMERGENCY_OVERDUE, "data": [
            sum(e["unanswered"] for e in self.events.get(self._key(c), {}).values()) for c in self.children]})
        totals = [sum(s["data"][i] for s in series) for i in range(len(self.children))]
        rows = [[name] + [s["data"][i] for s in series] + [totals[i]] for i, name in enumerate(self._names)]
        rows.append(["合计"] + [sum(s["data"]) for s in series] + [sum(totals)])
        return Chart("overdue", CHART_TITLES["overdue"], self._axis(), self._names, series, self._codes,
                     stacked=True, horizontal=True, summary=f"共 {sum(totals)} 项",
                     note="点击区划查看其看板" if self.has_children else "",
                     headers=[self._axis()] + [s["name"] for s in series] + ["合计"], rows=rows)

    def chart_late_entry(self) -> Chart:
        rows = []
        for child in self.children:
            s = self.summaries.get(self._key(child), {})
            rows.append([child.name, s.get("visits", 0), s.get("late", 0),
                         _cell(_ratio(s.get("late", 0), s.get("visits", 0)), True)])
        visits, late = sum(r[1] for r in rows), sum(r[2] for r in rows)
        rows.append(["合计", visits, late, _cell(_ratio(late, visits), True)])
        return Chart("late_entry", CHART_TITLES["late_entry"], self._axis(), self._names,
                     [{"name": "迟报率", "data": [r["late_entry"] for r in self.child_rates]}], self._codes,
                     percent=True, horizontal=True, summary=pct_text(self.total_rates["late_entry"]),
                     note="超过录入时限(走访后 5 个工作日)录入的走访 ÷ 本年录入的走访,补录不计",
                     headers=[self._axis(), "本年录入走访", "迟报", "迟报率(%)"], rows=rows)

    def chart_events(self) -> Chart:
        series = [{"name": label, "data": [self.events.get(self._key(c), {}).get(value, {}).get("open", 0)
                                           for c in self.children]} for value, label in EventKind.choices]
        series = [s for s in series if any(s["data"])] or series[:1]
        unanswered = [sum(e["unanswered"] for e in self.events.get(self._key(c), {}).values())
                      for c in self.children]
        totals = [sum(e["open"] for e in self.events.get(self._key(c), {}).values()) for c in self.children]
        rows = [[name] + [s["data"][i] for s in series] + [totals[i], unanswered[i]]
                for i, name in enumerate(self._names)]
        rows.append(["合计"] + [sum(s["data"]) for s in series] + [sum(totals), sum(unanswered)])
        return Chart("events", CHART_TITLES["events"], self._axis(), self._names, series, self._codes,
                     stacked=True, horizontal=True, summary=f"{sum(totals)} 件,其中 {sum(unanswered)} 件逾期未上门",
                     headers=[self._axis()] + [s["name"] for s in series] + ["合计", "其中逾期未上门"], rows=rows)

    def chart_classification(self) -> Chart:
        series = [{"name": label, "data": [self.families.get(self._key(c), {}).get("category", {}).get(value, 0)
                                           for c in self.children]} for value, label in Category.choices]
        totals = [self.families.get(self._key(c), {}).get("total", 0) for c in self.children]
        rows = [[name] + [s["data"][i] for s in series] + [totals[i]] for i, name in enumerate(self._names)]
        rows.append(["合计"] + [sum(s["data"]) for s in series] + [sum(totals)])
        return Chart("classification", CHART_TITLES["classification"], self._axis(), self._names, series,
                     self._codes, stacked=True, horizontal=True, summary=f"在册 {sum(totals)} 户",
                     note="在册家庭" + self._freshness("families"),
                     headers=[self._axis()] + [s["name"] for s in series] + ["合计"], rows=rows)

    def _freshness(self, source: str) -> str:
        if source not in self.computed_at:
            return ""
        return f";{self.computed_at[source]} 统计,每 {SLOW_CACHE_SECONDS // 60} 分钟更新"

    def _family_sum(self, part: str) -> dict:
        out: dict = defaultdict(int)
        for child in self.children:
            for key, n in self.families.get(self._key(child), {}).get(part, {}).items():
                out[key] += n
        return out

    def chart_health(self) -> Chart:
        cells = self._family_sum("health")
        series = [{"name": f"精神{label}", "data": [cells.get((health, mental), 0) for health, _ in Health.choices]}
                  for mental, label in Mental.choices]
        categories = [label for _, label in Health.choices]
        rows = [[label] + [cells.get((health, mental), 0) for mental, _ in Mental.choices]
                + [sum(cells.get((health, mental), 0) for mental, _ in Mental.choices)]
                for health, label in Health.choices]
        rows.append(["合计"] + [sum(s["data"]) for s in series] + [sum(cells.values())])
        grave = sum(n for (health, _), n in cells.items() if health in (Health.SERIOUS, Health.BEDRIDDEN))
        return Chart("health", CHART_TITLES["health"], "身体状况", categories, series, stacked=True,
                     horizontal=True, summary=f"重病、失能卧床 {grave} 户",
                     note="在册家庭" + self._freshness("families"),
                     headers=["身体状况"] + [f"精神{label}" for _, label in Mental.choices] + ["合计"], rows=rows)

    def chart_needs(self) -> Chart:
        sums = self._family_sum("needs")
        families = sum(self.families.get(self._key(c), {}).get("total", 0) for c in self.children)
        values = [sums.get(name, 0) for name, _ in NEEDS]
        rows = [[label, n, _cell(_ratio(n, families), True)] for (_, label), n in zip(NEEDS, values, strict=True)]
        return Chart("needs", CHART_TITLES["needs"], "诉求", [label for _, label in NEEDS],
                     [{"name": "提出该诉求的家庭", "data": values}], horizontal=True,
                     summary=f"在册 {families} 户", note="一户可有多项诉求" + self._freshness("families"),
                     headers=["诉求", "家庭数", "占在册家庭(%)"], rows=rows)

    def chart(self, key: str) -> Chart:
        return getattr(self, f"chart_{key}")()

    def charts(self, keys=None, *, defer: bool = False) -> list[Chart]:
        """The charts (all, or ``keys``); with ``defer``, a placeholder for each one whose slow source
        is not cached yet."""
        later = self.waiting_charts() if defer else set()
        return [Chart(key, CHART_TITLES[key], "", [], [], deferred=True, note="正在统计…") if key in later
                else self.chart(key) for key in (keys or CHART_TITLES)]

    def headline(self) -> dict:
        """The figures above the charts (from the same sources)."""
        return {
            "families": self._child_sum(lambda k: self.summaries.get(k, {}).get("families", 0)),
            "rates": self.total_rates,
            "overdue": self._child_sum(lambda k: sum(c["overdue"] for c in self.obligations.get(k, {}).values()))
            + self._child_sum(lambda k: sum(e["unanswered"] for e in self.events.get(k, {}).values())),
            "open_events": self._child_sum(lambda k: sum(e["open"] for e in self.events.get(k, {}).values())),
        }


def chart_xlsx(dashboard: Dashboard, key: str) -> bytes:
    """One chart's data as an xlsx workbook (write-only openpyxl via ``lib.excel``)."""
    chart = dashboard.chart(key)
    headers, rows = chart.table()
    caption = f"{dashboard.region.name} · {chart.title}({dashboard.today.isoformat()})"
    return write_xlsx([SheetSpec(title=chart.title[:31], headers=headers, rows=rows, caption=caption)])
