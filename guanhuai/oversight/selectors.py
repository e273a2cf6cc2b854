"""Reads of spot checks, scoped to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from guanhuai.accounts.roles import has_perm
from guanhuai.families.models import Family, Status
from guanhuai.regions.codes import COUNTY
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit

from .models import SpotCheck, SpotCheckFamily, SpotCheckVisit

REQUIRED_CHECKS_PER_YEAR = 2
# Which recorded visits a checker asks the family about: those in the year before the plan.
VISIT_LOOKBACK_DAYS = 365


def register_as_of(region: Region, as_of: dt.datetime) -> list[int]:
    """Ids (ascending) of the families in the region's register at ``as_of``.

    A family is in the register if it was entered by then and had not exited
    before that day; this is what makes an old draw reproducible after the
    register has changed.
    """
    qs = Family.objects.filter(region__code__startswith=region.prefix, created_at__lte=as_of).filter(
        Q(status=Status.ACTIVE) | Q(exit_date__gte=as_of.date()))
    return list(qs.order_by("pk").values_list("pk", flat=True))


def draw_sample(ids: list[int], size: int, seed: int) -> list[int]:
    """The families drawn from ``ids`` with this seed: the same inputs always give the same list."""
    return random.Random(seed).sample(sorted(ids), min(size, len(ids)))


def spotchecks_for_user(user) -> QuerySet[SpotCheck]:
    if not has_perm(user, "oversight.view") or user.region_id is None:
        return SpotCheck.objects.none()
    return SpotCheck.objects.filter(region__code__startswith=user.region.prefix).select_related("region")


def spotcheck_get_for_user(user, pk, *, write: bool = False) -> SpotCheck:
    """The spot check if in the user's jurisdiction (for writes: a county officer of that county), else 404."""
    if write and not has_perm(user, "spotcheck.manage"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    check = spotchecks_for_user(user).filter(pk=pk).first()
    if check is None:
        raise Http404
    return check


def spotcheck_item_get_for_user(user, check: SpotCheck, pk, *, write: bool = False) -> SpotCheckFamily:
    spotcheck_get_for_user(user, check.pk, write=write)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    item = check.items.select_related("family", "family__region").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def spotcheck_list(user, *, year: int | None = None) -> QuerySet[SpotCheck]:
    qs = spotchecks_for_user(user)
    if year:
        qs = qs.filter(planned_on__year=year)
    return qs.annotate(n_items=Count("items", distinct=True),
                       n_recorded=Count("items", filter=Q(items__reached__isnull=False), distinct=True))


def spotcheck_items(check: SpotCheck) -> list[SpotCheckFamily]:
    return list(check.items.select_related("family", "family__region").annotate(
        n_denied=Count("visit_checks", filter=Q(visit_checks__confirmed=False))).order_by("position"))


def completed_checks_in_year(region: Region, year: int) -> int:
    return SpotCheck.objects.filter(region=region, state=SpotCheck.State.COMPLETED, completed_on__year=year).count()


def spotcheck_warning(user, year: int) -> dict | None:
    """For a county officer: a warning when the county completed fewer than two checks this year."""
    if user.region_id is None or user.region.level != COUNTY or not has_perm(user, "oversight.view"):
        return None
    done = completed_checks_in_year(user.region, year)
    if done >= REQUIRED_CHECKS_PER_YEAR:
        return None
    return {"year": year, "done": done, "required": REQUIRED_CHECKS_PER_YEAR}


def visits_to_verify(item: SpotCheckFamily) -> list[Visit]:
    """The family's recorded visits the checker asks about."""
    planned_on = item.spot_check.planned_on
    since = planned_on - dt.timedelta(days=VISIT_LOOKBACK_DAYS)
    return list(Visit.objects.filter(family_id=item.family_id, visit_date__gte=since, visit_date__lte=planned_on)
                .select_related("contact").order_by("-visit_date", "-id"))


def false_reports_of_contact(contact) -> QuerySet[SpotCheckVisit]:
    """Visits by this contact that a family denied in a spot check (suspected 虚报)."""
    return (SpotCheckVisit.objects.filter(contact=contact, confirmed=False)
            .select_related("visit", "item__spot_check", "item__family").order_by("-visit__visit_date"))


def spotcheck_verify(check: SpotCheck) -> dict:
    """Re-run the draw from the recorded seed and register time; say whether it matches the stored list."""
    ids = register_as_of(check.region, check.register_as_of)
    redrawn = draw_sample(ids, check.sample_size, check.seed)
    return {"matches": redrawn == list(check.drawn_ids), "population": len(ids),
            "recorded_population": check.population, "redrawn_ids": redrawn}
