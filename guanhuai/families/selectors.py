"""Reads of the archive, always scoped to the user's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from guanhuai.accounts.roles import has_perm
from guanhuai.lib.crypto import default_blind_index
from guanhuai.lib.idnumber import normalise

from .models import NEEDS, Family, ImportJob, Member


def families_for_user(user) -> QuerySet[Family]:
    """Every family the user may see: their region's subtree, or nothing."""
    if not has_perm(user, "family.view") or user.region_id is None:
        return Family.objects.none()
    return Family.objects.filter(region__code__startswith=user.region.prefix)


def family_get_for_user(user, pk, *, write: bool = False) -> Family:
    """The family if it exists and lies in the user's jurisdiction, else 404.

    With ``write=True`` the user must also hold the edit permission; a reader
    asking to write gets 404 as well, so the answer never tells them more.
    """
    if write and not has_perm(user, "family.edit"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    family = families_for_user(user).select_related("region", "region__parent").filter(pk=pk).first()
    if family is None:
        raise Http404
    return family


def member_get_for_user(user, pk, *, write: bool = False) -> Member:
    if write and not has_perm(user, "family.edit"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    member = Member.objects.select_related("family", "family__region").filter(pk=pk).first()
    if member is None or user.region_id is None or not has_perm(user, "family.view"):
        raise Http404
    if not member.family.region_id.startswith(user.region.prefix):
        raise Http404
    return member


@dataclass
class FamilyFilters:
    region: str = ""
    category: str = ""
    status: str = ""
    health: str = ""
    need: str = ""
    q: str = ""


def family_list(user, filters: FamilyFilters) -> QuerySet[Family]:
    """The filtered list; the query count does not grow with the rows."""
    qs = families_for_user(user)
    if filters.region:
        qs = qs.filter(region__code__startswith=_region_prefix(filters.region))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.health:
        qs = qs.filter(health=filters.health)
    if filters.need and filters.need in dict(NEEDS):
        qs = qs.filter(**{filters.need: True})
    q = (filters.q or "").strip()
    if q:
        number = normalise(q)
        if len(number) == 18 and number[:17].isdigit():
            bidx = default_blind_index(number, kind="id_number")
            qs = qs.filter(Exists(Member.objects.filter(family=OuterRef("pk"), id_number_bidx=bidx)))
        else:
            qs = qs.filter(Q(head_name__contains=q) | Exists(Member.objects.filter(family=OuterRef("pk"), name__contains=q)))
    return qs.select_related("region", "region__parent").prefetch_related(
        Prefetch("members", queryset=Member.objects.order_by("id"))
    ).order_by("region_id", "id")


def _region_prefix(code: str) -> str:
    from guanhuai.regions.codes import CodeError, prefix_of

    try:
        return prefix_of(code)
    except CodeError:
        return code  # an odd code simply matches nothing outside itself


@dataclass
class DuplicateHit:
    family_id: int | None  # None when the family lies outside the user's jurisdiction
    label: str


def id_number_duplicates(user, number: str, *, exclude_family_id: int | None = None) -> list[DuplicateHit]:
    """Families anywhere that already hold this ID number.

    A family outside the user's jurisdiction is reported without any detail.
    """
    if not number:
        return []
    bidx = default_blind_index(normalise(number), kind="id_number")
    hits = []
    members = Member.objects.filter(id_number_bidx=bidx).select_related("family")
    if exclude_family_id:
        members = members.exclude(family_id=exclude_family_id)
    prefix = user.region.prefix if getattr(user, "region_id", None) else None
    for member in members[:5]:
        family = member.family
        if prefix is not None and family.region_id.startswith(prefix) and has_perm(user, "family.view"):
            hits.append(DuplicateHit(family.pk, f"{family.head_name}家(档案号 {family.pk})"))
        else:
            hits.append(DuplicateHit(None, "您辖区以外的另一个家庭"))
    return hits


def import_jobs_for_user(user) -> QuerySet[ImportJob]:
    """The user's own import jobs (a job belongs to whoever uploaded it)."""
    if not has_perm(user, "family.import") or user.region_id is None:
        return ImportJob.objects.none()
    return (ImportJob.objects.filter(kind="families", created_by=user, region__code__startswith=user.region.prefix)
            .select_related("region", "created_by", "created_by__region").defer("data"))


def import_job_get_for_user(user, pk) -> ImportJob:
    """The job if this user uploaded it and may still import into its region, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    job = import_jobs_for_user(user).filter(pk=pk).defer(None).first()
    if job is None:
        raise Http404
    return job
