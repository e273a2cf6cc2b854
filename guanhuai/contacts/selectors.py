"""Reads of contacts and assignments, scoped to the user's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from guanhuai.accounts.roles import has_perm
from guanhuai.families.models import Family, Status
from guanhuai.families.selectors import families_for_user
from guanhuai.regions.codes import PREFIX_LENGTH, VILLAGE
from guanhuai.regions.models import Region

from .models import Assignment, ContactPerson, Slot


def contacts_for_user(user) -> QuerySet[ContactPerson]:
    """Contact persons whose unit lies in the user's region subtree."""
    if not has_perm(user, "family.view") or user.region_id is None:
        return ContactPerson.objects.none()
    return ContactPerson.objects.filter(region__code__startswith=user.region.prefix).select_related("region")


def contact_get_for_user(user, pk, *, write: bool = False) -> ContactPerson:
    """The contact person if in jurisdiction (and, for writes, if the user may edit), else 404."""
    if write and not has_perm(user, "contacts.manage"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    contact = contacts_for_user(user).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def active_assignments(family: Family) -> dict[str, list[Assignment]]:
    out: dict[str, list[Assignment]] = {Slot.FIRST: [], Slot.SECOND: [], Slot.LEADER: []}
    for a in family.assignments.filter(end_date__isnull=True).select_related("contact"):
        out[a.slot].append(a)
    return out


def assignment_history(family: Family) -> QuerySet[Assignment]:
    return family.assignments.select_related("contact", "created_by").order_by("slot", "-start_date", "-id")


def _has_active(slot: str):
    return Exists(Assignment.objects.filter(family=OuterRef("pk"), slot=slot, end_date__isnull=True))


def families_missing_contacts(user, region: Region | None = None) -> QuerySet[Family]:
    """Families in the register lacking an active first or second contact."""
    qs = families_for_user(user).filter(status=Status.ACTIVE)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.prefix)
    return (qs.annotate(has_first=_has_active(Slot.FIRST), has_second=_has_active(Slot.SECOND))
            .filter(Q(has_first=False) | Q(has_second=False)).select_related("region", "region__parent"))


@dataclass
class CoverageRow:
    region: Region
    families: int
    with_first: int
    with_second: int
    covered: int

    @property
    def rate(self) -> float | None:
        return None if not self.families else self.covered / self.families


def coverage_by_child_region(user, region: Region) -> tuple[list[CoverageRow], CoverageRow]:
    """Dual-contact coverage per child region, plus the region's total, in one grouped query."""
    families = (families_for_user(user).filter(status=Status.ACTIVE, region__code__startswith=region.prefix)
                .annotate(has_first=_has_active(Slot.FIRST), has_second=_has_active(Slot.SECOND)))
    level = min(region.level + 1, VILLAGE)
    k = PREFIX_LENGTH[level]
    rows = (families.annotate(child=Substr("region_id", 1, k)).values("child")
            .annotate(n=Count("id"), first=Count("id", filter=Q(has_first=True)),
                      second=Count("id", filter=Q(has_second=True)),
                      both=Count("id", filter=Q(has_first=True, has_second=True))))
    by_prefix = {r["child"]: r for r in rows}
    children = Region.objects.filter(parent=region).order_by("code") if region.level < VILLAGE else [region]
    out = []
    for child in children:
        r = by_prefix.get(child.prefix, {})
        out.append(CoverageRow(child, r.get("n", 0), r.get("first", 0), r.get("second", 0), r.get("both", 0)))
    total = CoverageRow(region, sum(r.families for r in out), sum(r.with_first for r in out),
                        sum(r.with_second for r in out), sum(r.covered for r in out))
    return out, total
