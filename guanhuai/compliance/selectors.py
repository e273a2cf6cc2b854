"""Compliance reads: statuses, worklists, overdue lists and rates.

Definitions (README "Compliance rates"):

* a family is *judged* on day D when it is in the register on D and the
  obligation applies to it (not in its first partial period… which still counts
  as on track); exited families are judged up to their exit date only;
* the rate of a periodic obligation on D = judged families **not overdue** on D
  ÷ judged families (not overdue = the last period was met, or the current one
  already is);
* last festival covered = families whose last completed festival window was
  met ÷ families with a judged window;
* emergencies answered in time = events of D's year (up to D) answered within
  the profile's days ÷ events whose window has closed or that were answered;
* late-entry rate = visits entered in D's year (up to D) after the deadline ÷
  all such visits, 补录 (backfilled history) excluded;
* dual-contact coverage = families in the register on D with an active first
  and second contact on D ÷ families in the register on D.

Today's figures read the indexed ``ObligationState`` rows; any other date is
computed from the visit history with the same engine (no writes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.contacts.models import Assignment, ContactPerson, Slot
from guanhuai.families.models import Family, Status
from guanhuai.families.selectors import families_for_user
from guanhuai.visits.models import MajorEvent, Visit

from .engine import DUE_SOON, OPEN, OVERDUE, STATUS_LABELS, URGENCY
from .models import ObligationState
from .profiles import rules_for_region
from .state import LOOKBACK_DAYS, _visits_by_family, compute_states
from .summary import new_bucket, tally

RATE_KEYS = {
    ("contact", "week"): "weekly_contact", ("contact", "month"): "monthly_contact",
    ("face_to_face", "month"): "monthly_face_to_face", ("home_visit", "year"): "home_visits_on_track",
    ("home_visit", "month"): "monthly_home_visit",
}
RATE_LABELS = {
    "coverage": "双岗联系人覆盖率",
    "weekly_contact": "每周联系按期率",
    "monthly_contact": "每月联系按期率",
    "monthly_face_to_face": "每月面见按期率",
    "home_visits_on_track": "上门走访进度达标率",
    "monthly_home_visit": "每月上门走访按期率",
    "last_festival": "最近一次节日慰问覆盖率",
    "emergency_in_time": "重大事件及时上门率",
    "late_entry": "迟报率",
}


def status_on(row: ObligationState, day: dt.date) -> str:
    if row.base_status == OPEN and row.due_soon_from is not None and day >= row.due_soon_from:
        return DUE_SOON
    return row.base_status


def family_statuses(family: Family, day: dt.date | None = None) -> list[dict]:
    """Every obligation of one family, with label, status, due date and history (engine on demand)."""
    from .engine import FamilyFacts, evaluate
    from .state import _add_wd

    day = day or timezone.localdate()
    rules = rules_for_region(family.region_id)
    if rules is None:
        return []
    visits = list(Visit.objects.filter(family=family).order_by("visit_date", "id").values_list("visit_date", "channel"))
    facts = FamilyFacts(family.registered_on, family.exit_date if family.status == Status.EXITED else None, visits)
    out = []
    for key in rules.periodic_keys():
        spec = rules.spec(key, day)
        ev = evaluate(key, rules.spec_at(key), facts, day, _add_wd,
                      history_from=max(family.registered_on, day - dt.timedelta(days=730)))
        status = ev.status_on(day)
        out.append({"key": key, "label": spec.label if spec else key, "status": status,
                    "status_label": STATUS_LABELS[status], "period": ev.span.label if ev.span else "",
                    "due": ev.span.end if ev.span else None, "required": ev.required, "count": ev.count,
                    "last_visit": ev.last_visit, "history": ev.history})
    return sorted(out, key=lambda o: URGENCY[o["status"]])


@dataclass
class WorkItem:
    family: Family
    status: str
    obligations: list[tuple[str, str, dt.date | None]] = field(default_factory=list)  # (label, status, due)
    due: dt.date | None = None
    open_events: int = 0
    event_status: str | None = None  # of its unanswered events: OVERDUE or DUE_SOON; None when all are answered
    event_due: dt.date | None = None  # the earliest response deadline among them


def _labels(family_region: str, day: dt.date) -> dict[str, str]:
    rules = rules_for_region(family_region)
    if rules is None:
        return {}
    return {o.key: o.label for o in rules.version_at(day)}


WORKLIST_PAGE_SIZE = 50
# Without a contact card the worklist is the user's whole jurisdiction; above this many active families only
# the families that can be urgent are ranked (a province is ~200,000 families).
WORKLIST_RANK_LIMIT = 5000
# What ranking needs of a family; the page's rows are read in full afterwards.
_RANK_FIELDS = ("id", "region_id", "head_name", "registered_on", "status", "exit_date")


@dataclass
class Worklist:
    """One page (Django's ``Page`` of ``WorkItem``) of a ranked worklist; the counts are over every ranked
    family, not just the page."""

    page: Page
    overdue: int
    due_soon: int
    urgent_only: bool = False  # the scope was too large: only families that can be urgent were ranked

    @property
    def items(self) -> list[WorkItem]:
        return self.page.object_list

    @property
    def total(self) -> int:
        return self.page.paginator.count


def _may_be_urgent(day: dt.date) -> Q:
    """A superset of the families whose worklist status can be overdue or due soon on ``day``."""
    rows = ObligationState.objects.filter(family=OuterRef("pk"))
    return (Exists(rows.filter(base_status=OVERDUE))
            | Exists(rows.filter(base_status=OPEN, due_soon_from__lte=day))
            | Exists(MajorEvent.objects.filter(family=OuterRef("pk"), state=MajorEvent.State.OPEN)))


def worklist(families: QuerySet[Family], day: dt.date | None = None, *, page: int | str | None = 1,
             per_page: int = WORKLIST_PAGE_SIZE, rank_limit: int | None = None) -> Worklist:
    """Rank ALL the active families most urgent first (overdue, then due soon by due date, then the rest),
    then cut out one page; counts are over the whole list.

    The number of queries does not depend on the number of families: ranking reads a few columns of each
    family and its state rows; only the page's families are then read in full. ``rank_limit`` (for a
    jurisdiction rather than one contact's families): above it, only families that can be urgent are ranked.
    """
    from .state import refresh_families_if_stale

    day = day or timezone.localdate()
    active = families.filter(status=Status.ACTIVE)
    urgent_only = rank_limit is not None and active.count() > rank_limit
    if urgent_only:
        active = active.filter(_may_be_urgent(day))
    ranked = active.only(*_RANK_FIELDS).order_by("id")
    families = list(ranked[:rank_limit] if rank_limit is not None else ranked)
    refresh_families_if_stale(families, day)
    states = defaultdict(list)
    for row in (ObligationState.objects.filter(family_id__in=[f.pk for f in families])
                .values_list("family_id", "key", "base_status", "due_soon_from", "period_end", named=True)):
        states[row.family_id].append(row)
    # Open events per family, and the urgency of its unanswered ones: overdue past the response deadline,
    # due soon inside it; an event already answered (awaiting an officer's closing) is not urgent.
    events: dict[int, int] = defaultdict(int)
    event_due: dict[int, dt.date] = {}
    for family_id, response_due, responded_on in (
            MajorEvent.objects.filter(family_id__in=[f.pk for f in families], state=MajorEvent.State.OPEN)
            .values_list("family_id", "response_due", "responded_on")):
        events[family_id] += 1
        if responded_on is None:
            event_due[family_id] = min(response_due, event_due.get(family_id, response_due))
    event_status = {family_id: OVERDUE if due < day else DUE_SOON for family_id, due in event_due.items()}
    labels_cache: dict[str, dict[str, str]] = {}
    items = []
    for family in families:
        labels = labels_cache.get(family.region_id)
        if labels is None:
            labels = labels_cache[family.region_id] = _labels(family.region_id, day)
        obligations = []
        for row in states.get(family.pk, []):
            obligations.append((labels.get(row.key, row.key), status_on(row, day), row.period_end))
        obligations.sort(key=lambda o: (URGENCY[o[1]], o[2] or dt.date.max))
        top = obligations[0][1] if obligations else OPEN
        event_top = event_status.get(family.pk)
        if event_top is not None and URGENCY[event_top] < URGENCY[top]:
            top = event_top
        due = next((o[2] for o in obligations if o[1] in (OVERDUE, DUE_SOON)), None)
        if event_top is not None:  # an event's deadline ranks the family like an obligation's
            due = min(due or dt.date.max, event_due[family.pk])
        items.append(WorkItem(family, top, obligations, due, events.get(family.pk, 0), event_top,
                              event_due.get(family.pk)))
    items.sort(key=lambda i: (URGENCY[i.status], i.due or dt.date.max, i.family.head_name, i.family.pk))
    shown = Paginator(items, per_page).get_page(page)  # a bad or out-of-range number gives the nearest page
    full = Family.objects.select_related("region", "region__parent").in_bulk([i.family.pk for i in shown])
    for item in shown:
        item.family = full[item.family.pk]
    return Worklist(shown, sum(1 for i in items if i.status == OVERDUE), sum(1 for i in items if i.status == DUE_SOON),
                    urgent_only)


def my_worklist(user, *, page: int | str | None = 1,
                per_page: int = WORKLIST_PAGE_SIZE) -> tuple[ContactPerson | None, QuerySet[Family], Worklist]:
    """"My families" (page and API): the user's own contact card, the families it serves in the user's
    jurisdiction (without a card: the whole jurisdiction, ranked up to ``WORKLIST_RANK_LIMIT``), and their
    ranked worklist."""
    from guanhuai.visits.selectors import own_contact

    contact = own_contact(user)
    scope = families_for_user(user)
    families = families_of_contact(contact, scope) if contact else scope
    return contact, families, worklist(families, page=page, per_page=per_page,
                                       rank_limit=None if contact else WORKLIST_RANK_LIMIT)


def families_of_contact(contact: ContactPerson, base: QuerySet[Family] | None = None) -> QuerySet[Family]:
    """Families the contact currently serves (any slot)."""
    base = Family.objects.all() if base is None else base
    return base.filter(Exists(Assignment.objects.filter(family=OuterRef("pk"), contact=contact,
                                                        end_date__isnull=True)))


@dataclass
class OverdueRow:
    family_id: int
    family: Family
    key: str
    label: str
    due: dt.date | None
    first_contact: str = ""
    second_contact: str = ""
    first_contact_post: str = ""
    second_contact_post: str = ""

    @property
    def contacts(self) -> dict[str, dict[str, str] | None]:
        """The responsible contacts by slot (name and post, never the phone); None where the slot is empty."""
        return {"first": {"name": self.first_contact, "post": self.first_contact_post} if self.first_contact else None,
                "second": ({"name": self.second_contact, "post": self.second_contact_post}
                           if self.second_contact else None)}


def overdue_for_families(families: QuerySet[Family], day: dt.date | None = None, *,
                         limit: int = 500, refresh: bool = True, prefix: str | None = None) -> list[OverdueRow]:
    """Overdue obligations on ``day`` (from the state rows when ``day`` is today, else computed)
    and unanswered emergencies past their deadline, with the responsible contacts."""
    today = timezone.localdate()
    day = day or today
    scope = _in_register(families, day)
    pairs: list[tuple[Family, str, dt.date | None]] = []
    if day == today:
        if refresh:
            _refresh_small_scope(scope, day)
        # With a region prefix, read the state rows by region (index scans) instead of joining the
        # families: rows of exited families are never "overdue", so the result is the same.
        states = (ObligationState.objects.filter(region__code__startswith=prefix) if prefix is not None
                  else ObligationState.objects.filter(family__in=scope))
        for row in (states.filter(base_status=OVERDUE)
                    .select_related("family", "family__region").order_by("period_end", "family_id")[:limit]):
            pairs.append((row.family, row.key, row.period_end))
    else:
        for batch in _batches(scope.select_related("region").order_by("id"), 2000):
            visits = _visits_by_family([f.pk for f in batch], day - dt.timedelta(days=LOOKBACK_DAYS))
            for family in batch:
                for st in compute_states(family, visits.get(family.pk, []), day):
                    if st.base_status == OVERDUE:
                        pairs.append((family, st.key, st.period_end))
        pairs.sort(key=lambda p: (p[2] or dt.date.max, p[0].pk))
        pairs = pairs[:limit]
    events = list(MajorEvent.objects.filter(family__in=scope, event_date__lte=day, response_due__lt=day)
                  .filter(Q(responded_on__isnull=True) | Q(responded_on__gt=day))
                  .exclude(state=MajorEvent.State.CLOSED, closed_at__date__lte=day)
                  .select_related("family", "family__region").order_by("response_due")[:limit])
    family_ids = {f.pk for f, _, _ in pairs} | {e.family_id for e in events}
    # Name and post only: the list is printed and exported, the phone stays behind its audited reveal.
    contacts: dict[tuple[int, str], tuple[str, str]] = {}
    for family_id, slot, name, post in (
            Assignment.objects.filter(family_id__in=family_ids, slot__in=[Slot.FIRST, Slot.SECOND],
                                      start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
            .values_list("family_id", "slot", "contact__name", "contact__post")):
        contacts[(family_id, slot)] = (name, post)

    def row(family_id: int, family: Family, key: str, label: str, due: dt.date | None) -> OverdueRow:
        first_name, first_post = contacts.get((family_id, Slot.FIRST), ("", ""))
        second_name, second_post = contacts.get((family_id, Slot.SECOND), ("", ""))
        return OverdueRow(family_id, family, key, label, due, first_name, second_name, first_post, second_post)

    out = []
    for family, key, due in pairs:
        labels = _labels(family.region_id, day)
        out.append(row(family.pk, family, key, labels.get(key, key), due))
    for event in events:
        out.append(row(event.family_id, event.family, "emergency_visit",
                       f"重大事件未及时上门({event.get_kind_display()})", event.response_due))
    out.sort(key=lambda r: (r.due or dt.date.max, r.family_id))
    return out[:limit]


def overdue_list(user, prefix: str, day: dt.date | None = None, *, limit: int = 500,
                 refresh: bool = True) -> list[OverdueRow]:
    """The overdue list for a region, scoped to what the user may see."""
    if not has_perm(user, "family.view") or user.region_id is None or not prefix.startswith(user.region.prefix):
        return []
    return overdue_for_families(families_for_user(user).filter(region__code__startswith=prefix), day, limit=limit,
                                refresh=refresh, prefix=prefix)


READ_REFRESH_LIMIT = 5000


def _refresh_small_scope(scope: QuerySet[Family], day: dt.date) -> None:
    """Bring expired rows up to date on read for a small scope; large scopes rely on the daily job."""
    from .state import refresh_families_if_stale

    stale = list(scope.filter(Q(obligations__isnull=True) | Q(obligations__valid_until__lt=day)).distinct()
                 .only("id", "region_id", "registered_on", "status", "exit_date")[:READ_REFRESH_LIMIT + 1])
    if len(stale) <= READ_REFRESH_LIMIT:
        refresh_families_if_stale(stale, day)


def _in_register(qs: QuerySet[Family], day: dt.date) -> QuerySet[Family]:
    return qs.filter(registered_on__lte=day).filter(Q(status=Status.ACTIVE) | Q(exit_date__gt=day))


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else round(numerator / denominator, 4)


@dataclass
class RateReport:
    families: int
    rates: dict[str, float | None]
    counts: dict[str, tuple[int, int]]


def rates_for(families: QuerySet[Family], day: dt.date | None = None, *, use_state: bool | None = None) -> RateReport:
    """All rates for a set of families (a region, or one contact's families) on ``day``."""
    today = timezone.localdate()
    day = day or today
    in_register = _in_register(families, day)
    total = in_register.count()
    counts: dict[str, tuple[int, int]] = {}
    # Dual-contact coverage on ``day``.
    def active_on(slot):
        return Exists(Assignment.objects.filter(family=OuterRef("pk"), slot=slot, start_date__lte=day)
                      .filter(Q(end_date__isnull=True) | Q(end_date__gt=day)))
    covered = in_register.filter(active_on(Slot.FIRST), active_on(Slot.SECOND)).count()
    counts["coverage"] = (covered, total)
    # Periodic obligations: the same counting rule as the village summaries.
    buckets: dict[tuple[str, str], dict[str, int]] = defaultdict(new_bucket)
    if use_state if use_state is not None else day == today:
        _refresh_small_scope(in_register, day)
        rows = (ObligationState.objects.filter(family__in=in_register)
                .values("kind", "period", "base_status", "prev_met").annotate(n=Count("id")))
        for row in rows:
            tally(buckets[(row["kind"], row["period"])], row["kind"], row["base_status"], row["prev_met"], row["n"])
    else:
        for batch in _batches(in_register.only("id", "region_id", "registered_on", "status", "exit_date")
                              .order_by("id"), 2000):
            visits = _visits_by_family([f.pk for f in batch], day - dt.timedelta(days=LOOKBACK_DAYS))
            for family in batch:
                for st in compute_states(family, visits.get(family.pk, []), day):
                    tally(buckets[(st.kind, st.period)], st.kind, st.base_status, st.prev_met)
    for (kind, period), c in buckets.items():
        if kind == "festival":
            if c["last_judged"]:
                counts["last_festival"] = (c["last_met"], c["last_judged"])
        elif c["judged"]:
            counts[RATE_KEYS.get((kind, period), f"{kind}_{period}")] = (c["judged"] - c["overdue"], c["judged"])
    # Emergencies of the year so far.
    year_start = dt.date(day.year, 1, 1)
    events = MajorEvent.objects.filter(family__in=families, event_date__gte=year_start, event_date__lte=day)
    closed_windows = events.filter(Q(response_due__lt=day) | Q(responded_on__lte=day))
    answered = closed_windows.filter(responded_on__lte=day).filter(responded_on__lte=F("response_due"))
    counts["emergency_in_time"] = (answered.count(), closed_windows.count())
    visits = Visit.objects.filter(family__in=families, is_backfill=False, entry_date__gte=year_start,
                                  entry_date__lte=day)
    agg = visits.aggregate(total=Count("id"), late=Count("id", filter=Q(is_late=True)))
    counts["late_entry"] = (agg["late"], agg["total"])
    rates = {key: _ratio(*counts[key]) if key in counts else None for key in RATE_LABELS}
    return RateReport(total, rates, counts)


def _batches(qs, size):
    batch = []
    for item in qs.iterator(chunk_size=size):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class RegionRates:
    region: object
    families: int
    rates: dict[str, float | None]
    overdue: int


def _rates_from_sums(families: int, covered: int, visits: int, late: int, obligations: dict, events: tuple[int, int]):
    rates = {key: None for key in RATE_LABELS}
    rates["coverage"] = _ratio(covered, families)
    overdue = 0
    for (kind, period), c in obligations.items():
        overdue += c["overdue"] or 0
        if kind == "festival":
            rates["last_festival"] = _ratio(c["last_met"], c["last_judged"])
        else:
            rates[RATE_KEYS.get((kind, period), f"{kind}_{period}")] = _ratio(c["judged"] - c["overdue"], c["judged"])
    rates["emergency_in_time"] = _ratio(*events)
    rates["late_entry"] = _ratio(late, visits)
    return rates, overdue


def rates_by_child_region(user, region, day: dt.date | None = None) -> tuple[list[RegionRates], RegionRates]:
    """Rates per child region and for the region itself.

    Today's figures are sums over the per-village summaries (a GROUP BY over
    villages, fast at province scale); another date is computed per child
    with ``rates_for``. Jurisdiction: the user must be able to see the region.
    """
    from django.db.models import Sum
    from django.db.models.functions import Substr

    from guanhuai.regions.codes import PREFIX_LENGTH, VILLAGE
    from guanhuai.regions.models import Region

    from .models import VillageObligationSummary, VillageSummary

    today = timezone.localdate()
    day = day or today
    if not has_perm(user, "family.view") or not region.code.startswith(user.region.prefix):
        return [], RegionRates(region, 0, {key: None for key in RATE_LABELS}, 0)
    children = list(Region.objects.filter(parent=region).order_by("code")) if region.level < VILLAGE else [region]
    if day != today:
        scope = families_for_user(user).filter(region__code__startswith=region.prefix)
        out = []
        for child in children:
            report = rates_for(scope.filter(region__code__startswith=child.prefix), day)
            out.append(RegionRates(child, report.families, report.rates, 0))
        total = rates_for(scope, day)
        return out, RegionRates(region, total.families, total.rates, 0)
    k = PREFIX_LENGTH[min(region.level + 1, VILLAGE)]
    sums = {r["child"]: r for r in VillageSummary.objects.filter(region__code__startswith=region.prefix)
            .annotate(child=Substr("region_id", 1, k)).values("child")
            .annotate(families=Sum("families"), covered=Sum("covered"), visits=Sum("visits_year"),
                      late=Sum("late_year"))}
    obligations: dict[str, dict] = defaultdict(dict)
    for r in (VillageObligationSummary.objects.filter(region__code__startswith=region.prefix)
              .annotate(child=Substr("region_id", 1, k)).values("child", "kind", "period")
              .annotate(judged=Sum("judged"), overdue=Sum("overdue"), last_judged=Sum("last_judged"),
                        last_met=Sum("last_met"))):
        obligations[r["child"]][(r["kind"], r["period"])] = r
    year_start = dt.date(day.year, 1, 1)
    events: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in (MajorEvent.objects.filter(region__code__startswith=region.prefix, event_date__gte=year_start,
                                        event_date__lte=day)
              .filter(Q(response_due__lt=day) | Q(responded_on__lte=day))
              .annotate(child=Substr("region_id", 1, k)).values("child")
              .annotate(n=Count("id"), in_time=Count("id", filter=Q(responded_on__lte=F("response_due"))))):
        events[r["child"]] = [r["in_time"], r["n"]]
    out = []
    totals = {"families": 0, "covered": 0, "visits": 0, "late": 0}
    total_obligations: dict = defaultdict(lambda: {"judged": 0, "overdue": 0, "last_judged": 0, "last_met": 0})
    total_events = [0, 0]
    for child in children:
        key = child.prefix if region.level < VILLAGE else child.code
        s = sums.get(key, {})
        values = {name: s.get(name) or 0 for name in totals}
        for name in totals:
            totals[name] += values[name]
        for ob_key, c in obligations.get(key, {}).items():
            for name in ("judged", "overdue", "last_judged", "last_met"):
                total_obligations[ob_key][name] += c[name] or 0
        ev = events.get(key, [0, 0])
        total_events = [total_events[0] + ev[0], total_events[1] + ev[1]]
        rates, overdue = _rates_from_sums(values["families"], values["covered"], values["visits"], values["late"],
                                          obligations.get(key, {}), tuple(ev))
        out.append(RegionRates(child, values["families"], rates, overdue))
    rates, overdue = _rates_from_sums(totals["families"], totals["covered"], totals["visits"], totals["late"],
                                      total_obligations, tuple(total_events))
    total = RegionRates(region, totals["families"], rates, overdue)
    return (out if region.level < VILLAGE else []), total
