"""Reads of the region tree, always scoped to what a user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Region


def region_subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.prefix)


def region_get_for_user(user, code: str) -> Region:
    """The region with this code if it lies in the user's jurisdiction, else 404."""
    if not code or not user.is_authenticated or user.region_id is None:
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None or not region.code.startswith(user.region.prefix):
        raise Http404
    return region


def region_path(region: Region, *, stop_at: Region | None = None) -> list[Region]:
    """Ancestors from the top (or ``stop_at``) down to ``region``."""
    codes = []
    from .codes import PREFIX_LENGTH

    for level in range(1, region.level + 1):
        keep = PREFIX_LENGTH[level]
        codes.append(region.code[:keep] + "0" * (12 - keep))
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    path = [found[c] for c in codes if c in found]
    if stop_at is not None:
        path = [r for r in path if r.level >= stop_at.level]
    return path
