"""Editing policy profiles: new versions and region bindings (rules are data)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record

from . import profiles
from .models import PolicyProfile, ProfileVersion, RegionProfile
from .rules import parse_obligations


def _require(user) -> None:
    if not has_perm(user, "profiles.manage"):
        raise ValidationError("只有系统管理员可以修改政策配置")


def profile_version_create(*, acting_user, profile: PolicyProfile, obligations: list, effective_from: dt.date,
                           note: str = "") -> ProfileVersion:
    """Add a version; periods starting on or after ``effective_from`` are judged by it, earlier ones
    keep the rule that was in force. Obligation state is recomputed by the daily refresh (or at once
    with ``compliance_rebuild``)."""
    _require(acting_user)
    parse_obligations(obligations)
    if ProfileVersion.objects.filter(profile=profile, effective_from=effective_from).exists():
        raise ValidationError("该生效日期已有版本,请换一个日期")
    with transaction.atomic():
        version = ProfileVersion.objects.create(profile=profile, effective_from=effective_from,
                                                obligations=obligations, note=note[:200], created_by=acting_user)
        audit_record(actor=acting_user, action="profile.version_created", object_type="policyprofile",
                     object_id=str(profile.pk), object_repr=str(profile),
                     changes={"effective_from": effective_from.isoformat(), "obligations": obligations})
        transaction.on_commit(profiles.clear_cache)
    profiles.clear_cache()
    return version


def region_profile_set(*, acting_user, region, profile: PolicyProfile | None) -> None:
    _require(acting_user)
    with transaction.atomic():
        old = RegionProfile.objects.filter(region=region).first()
        if profile is None:
            RegionProfile.objects.filter(region=region).delete()
        else:
            RegionProfile.objects.update_or_create(region=region, defaults={"profile": profile})
        audit_record(actor=acting_user, action="profile.bound", object_type="region", object_id=region.code,
                     object_repr=str(region), region_code=region.code,
                     changes={"profile": [old.profile.code if old else None, profile.code if profile else None]})
        transaction.on_commit(profiles.clear_cache)
    profiles.clear_cache()
