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
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit

from .engine import EXITED, NOT_JUDGED, OVERDUE
from .models import ObligationState, VillageObligationSummary, VillageSummary


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
    obligations: dict[tuple[str, str, str], dict] = defaultdict(
        lambda: {"judged": 0, "overdue": 0, "last_judged": 0, "last_met": 0, "valid_until": dt.date.max})
    rows = (ObligationState.objects.filter(region_id__in=codes)
            .values("region_id", "kind", "period", "base_status", "prev_met")
            .annotate(n=Count("id"), valid=Min("valid_until")))
    for row in rows:
        if row["base_status"] in (NOT_JUDGED, EXITED):
            continue
        bucket = obligations[(row["region_id"], row["kind"], row["period"])]
        bucket["valid_until"] = min(bucket["valid_until"], row["valid"])
        if row["kind"] == "festival":
            if row["prev_met"] is not None:
                bucket["last_judged"] += row["n"]
                bucket["last_met"] += row["n"] if row["prev_met"] else 0
        else:
            bucket["judged"] += row["n"]
            if row["base_status"] == OVERDUE:
                bucket["overdue"] += row["n"]
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
