"""Which rules apply where and when: profile resolution and versions.

Cached in-process; ``clear_cache()`` runs after any profile or binding change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from guanhuai.regions.codes import PREFIX_LENGTH, level_of

from .models import PolicyProfile, ProfileVersion, RegionProfile
from .rules import Obligation, parse_obligations


@dataclass(frozen=True)
class ProfileRules:
    profile_id: int
    code: str
    name: str
    versions: tuple[tuple[dt.date, tuple[Obligation, ...]], ...]  # ordered by effective date

    def version_at(self, day: dt.date) -> tuple[Obligation, ...]:
        current: tuple[Obligation, ...] = ()
        for start, obligations in self.versions:
            if start <= day:
                current = obligations
            else:
                break
        return current

    def spec(self, key: str, day: dt.date) -> Obligation | None:
        return next((o for o in self.version_at(day) if o.key == key), None)

    def spec_at(self, key: str):
        return lambda day: self.spec(key, day)

    def periodic_keys(self) -> list[str]:
        keys: list[str] = []
        for _, obligations in self.versions:
            for o in obligations:
                if o.periodic and o.key not in keys:
                    keys.append(o.key)
        return keys

    def first_of_kind(self, kind: str, day: dt.date) -> Obligation | None:
        return next((o for o in self.version_at(day) if o.kind == kind), None)


@lru_cache(maxsize=64)
def _rules(profile_id: int) -> ProfileRules:
    profile = PolicyProfile.objects.get(pk=profile_id)
    versions = tuple(
        (v.effective_from, tuple(parse_obligations(v.obligations)))
        for v in ProfileVersion.objects.filter(profile=profile).order_by("effective_from")
    )
    return ProfileRules(profile.pk, profile.code, profile.name, versions)


@lru_cache(maxsize=1)
def _bindings() -> dict[str, int]:
    return dict(RegionProfile.objects.values_list("region_id", "profile_id"))


@lru_cache(maxsize=1)
def _default_profile_id() -> int | None:
    return PolicyProfile.objects.filter(code=settings.DEFAULT_POLICY_PROFILE).values_list("pk", flat=True).first()


def rules_for_region(code: str) -> ProfileRules | None:
    """The profile of the nearest ancestor (or the region itself) that has one, else the default."""
    bindings = _bindings()
    level = level_of(code)
    for lvl in range(level, 0, -1):
        keep = PREFIX_LENGTH[lvl]
        ancestor = code[:keep] + "0" * (12 - keep)
        if ancestor in bindings:
            return _rules(bindings[ancestor])
    default = _default_profile_id()
    return _rules(default) if default else None


def clear_cache() -> None:
    _rules.cache_clear()
    _bindings.cache_clear()
    _default_profile_id.cache_clear()
