"""Which rules apply where and when: profile resolution and versions.

Cached per process. Every profile or binding change bumps the profiles' cache
generation in its transaction (``services``); each process re-reads the counter
at most every ``generations.CHECK_INTERVAL`` seconds and empties its cache when
it moved, and ``clear_cache()`` empties it at once in the writing process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from guanhuai.regions.codes import PREFIX_LENGTH, level_of, parent_code_of, prefix_of
from guanhuai.workdays.generations import PROFILES, Generation

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

    def next_change_after(self, day: dt.date) -> dt.date | None:
        """The effective date of the first version that starts after ``day`` (state computed on ``day``
        must not stay valid past it)."""
        return next((start for start, _ in self.versions if start > day), None)


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


def _profile_id_for(code: str, bindings: dict[str, int]) -> int | None:
    level = level_of(code)
    for lvl in range(level, 0, -1):
        keep = PREFIX_LENGTH[lvl]
        ancestor = code[:keep] + "0" * (12 - keep)
        if ancestor in bindings:
            return bindings[ancestor]
    return _default_profile_id()


def rules_for_region(code: str) -> ProfileRules | None:
    """The profile of the nearest ancestor (or the region itself) that has one, else the default."""
    generation.check()
    profile_id = _profile_id_for(code, _bindings())
    return _rules(profile_id) if profile_id else None


DEFAULT_ENTRY_WORKING_DAYS = 5  # DOMAIN.md: data entered within 5 official working days


def entry_deadline_days(region_code: str, day: dt.date) -> int:
    """Official working days to enter a visit or a contact change made on ``day`` (the profile's entry deadline)."""
    rules = rules_for_region(region_code)
    spec = rules.first_of_kind("entry_deadline", day) if rules else None
    return spec.working_days if spec else DEFAULT_ENTRY_WORKING_DAYS


Scope = tuple[str, tuple[str, ...]]  # (region code prefix, sub-prefixes left out)


def _outermost(prefixes) -> tuple[str, ...]:
    kept: list[str] = []
    for prefix in sorted(prefixes, key=len):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def region_scope(code: str) -> Scope:
    """The families whose profile follows the binding of region ``code``: its subtree, less the
    subtrees under it bound to a profile of their own."""
    generation.check()
    prefix = prefix_of(code)
    return prefix, _outermost(prefix_of(c) for c in _bindings() if c != code and c.startswith(prefix))


def profile_scopes(profile_id: int) -> list[Scope]:
    """Every part of the region tree whose families are judged by the given profile."""
    generation.check()
    bindings = _bindings()
    scopes: list[Scope] = []
    if _default_profile_id() == profile_id:
        scopes.append(("", _outermost(prefix_of(c) for c, p in bindings.items() if p != profile_id)))
    for code, bound in sorted(bindings.items()):
        parent = parent_code_of(code)
        inherited = _profile_id_for(parent, bindings) if parent else _default_profile_id()
        if bound != profile_id or inherited == profile_id:
            continue  # another profile, or already inside a scope of this one
        prefix = prefix_of(code)
        scopes.append((prefix, _outermost(prefix_of(c) for c, p in bindings.items()
                                          if p != profile_id and c != code and c.startswith(prefix))))
    return scopes


def _clear() -> None:
    _rules.cache_clear()
    _bindings.cache_clear()
    _default_profile_id.cache_clear()


generation = Generation(PROFILES, _clear)


def clear_cache() -> None:
    _clear()
    generation.cleared()
