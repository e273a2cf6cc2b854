"""Reads of contacts and assignments, scoped to the user's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from guanhuai.accounts.roles import has_perm
from guanhuai.families.models import Family, ImportJob, Status
from guanhuai.families.selectors import families_for_user
from guanhuai.regions.codes import PREFIX_LENGTH, VILLAGE
from guanhuai.regions.models import Region

from .models import Assignment, CardIssue, ContactKind, ContactPerson, Slot


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


# ---------------------------------------------------------------- roster and detail pages

@dataclass
class ContactFilters:
    kind: str = ""
    region: str = ""  # a region code: contacts whose unit lies in its subtree
    active: str = ""  # "1" in post, "0" left, "" both
    q: str = ""


def _active_count():
    return Count("assignments", filter=Q(assignments__end_date__isnull=True), distinct=True)


def contact_list(user, filters: ContactFilters | None = None) -> QuerySet[ContactPerson]:
    """The roster, filtered, each contact annotated with ``active_families``; one query per page."""
    filters = filters or ContactFilters()
    qs = contacts_for_user(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region and filters.region.isdigit() and len(filters.region) == 12:
        from guanhuai.regions.codes import CodeError, prefix_of

        try:
            qs = qs.filter(region__code__startswith=prefix_of(filters.region))
        except CodeError:
            qs = qs.none()
    if filters.active == "1":
        qs = qs.filter(is_active=True)
    elif filters.active == "0":
        qs = qs.filter(is_active=False)
    q = "".join((filters.q or "").split())
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(post__contains=q) | Q(unit__contains=q))
    return qs.annotate(active_families=_active_count()).order_by("region_id", "kind", "name", "id")


def contact_active_assignments(contact: ContactPerson) -> QuerySet[Assignment]:
    return (contact.assignments.filter(end_date__isnull=True)
            .select_related("family", "family__region", "family__region__parent")
            .order_by("family__region_id", "family__head_name", "slot"))


def contact_assignment_history(contact: ContactPerson) -> QuerySet[Assignment]:
    return (contact.assignments.select_related("family", "family__region", "created_by")
            .order_by("-start_date", "-id"))


def assignment_get_for_user(user, pk, *, write: bool = False) -> Assignment:
    """An assignment of a family in the user's jurisdiction, else 404 (also for readers asking to write)."""
    if write and not has_perm(user, "contacts.manage"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    families = families_for_user(user)
    assignment = (Assignment.objects.select_related("family", "family__region", "contact")
                  .filter(pk=pk, family__in=families).first())
    if assignment is None:
        raise Http404
    return assignment


def family_ancestor_codes(family: Family) -> list[str]:
    """The codes of the family's village and every region above it."""
    from guanhuai.regions.codes import ancestor_code, level_of

    code = family.region_id
    return [ancestor_code(code, level) for level in range(1, level_of(code) + 1)]


def assignable_contacts(user, family: Family) -> QuerySet[ContactPerson]:
    """Contacts in post whose region holds the family: the only ones a slot may be given to.

    First and second contacts also lie in the user's jurisdiction; a leader
    (领导干部) may sit higher up, e.g. in the county above a township officer.
    """
    if not has_perm(user, "contacts.manage") or user.region_id is None:
        return ContactPerson.objects.none()
    prefix = user.region.prefix
    return (ContactPerson.objects.filter(is_active=True, region_id__in=family_ancestor_codes(family))
            .filter(Q(region__code__startswith=prefix) | Q(kind=ContactKind.LEADER))
            .select_related("region").order_by("kind", "-region_id", "name"))


def handover_candidates(user) -> QuerySet[ContactPerson]:
    """Contacts in post who hold at least one family: the ones a hand-over can start from."""
    return (contacts_for_user(user).filter(is_active=True)
            .annotate(active_families=_active_count()).filter(active_families__gt=0)
            .order_by("region_id", "name"))


# ---------------------------------------------------------------- cards

def pending_cards(user, region: Region | None = None) -> QuerySet[CardIssue]:
    """Contact cards queued (a contact changed) and not yet handed to the family."""
    families = families_for_user(user)
    qs = CardIssue.objects.filter(state=CardIssue.State.PENDING, family__in=families)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.prefix)
    return qs.select_related("family", "family__region", "family__region__parent").order_by(
        "region_id", "family__head_name", "id")


def pending_cards_by_township(user, region: Region | None = None) -> list[tuple[Region, list[CardIssue]]]:
    """Pending cards grouped by township (the unit that prints and hands them out)."""
    from guanhuai.regions.codes import TOWNSHIP, ancestor_code

    groups: dict[str, list[CardIssue]] = {}
    for card in pending_cards(user, region):
        groups.setdefault(ancestor_code(card.region_id, TOWNSHIP), []).append(card)
    townships = Region.objects.in_bulk(list(groups))
    return [(townships[code], groups[code]) for code in sorted(groups) if code in townships]


# ---------------------------------------------------------------- roster import jobs

def roster_jobs_for_user(user) -> QuerySet[ImportJob]:
    """The user's own roster uploads (a job belongs to whoever uploaded it)."""
    from .importing import JOB_KIND

    if not has_perm(user, "contacts.manage") or user.region_id is None:
        return ImportJob.objects.none()
    return (ImportJob.objects.filter(kind=JOB_KIND, created_by=user, region__code__startswith=user.region.prefix)
            .select_related("region", "created_by", "created_by__region").defer("data"))


def roster_job_get_for_user(user, pk) -> ImportJob:
    """The roster job if this user uploaded it and may still import into its region, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    job = roster_jobs_for_user(user).filter(pk=pk).defer(None).first()
    if job is None:
        raise Http404
    return job
