"""Editing policy profiles: new versions and region bindings (rules are data).

A change bumps the profiles' cache generation in its transaction (so every process sees it within
seconds) and, on commit, queues a background job that recomputes the stored obligation rows and village
summaries of every family the change reaches (``profile_change_refresh``): a province of 200,000
families is not recomputed inside the web request.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.families.models import Family
from guanhuai.workdays import generations

from . import profiles
from .models import PolicyProfile, ProfileVersion, RegionProfile
from .rules import parse_obligations
from .state import refresh_in_batches

REFRESH_BATCH = 2000


def _require(user) -> None:
    if not has_perm(user, "profiles.manage"):
        raise ValidationError("只有系统管理员可以修改政策配置")


def _refresh_on_commit(**scope) -> None:
    """Queue the recomputation for after the commit. The job starts once every process has had time to
    see the new generation, so no worker still holding the old rules rewrites a family after the job."""
    from huey.contrib.djhuey import HUEY

    from .tasks import profile_change_refresh_task

    def enqueue() -> None:
        if HUEY.immediate:
            profile_change_refresh_task(**scope)
        else:
            profile_change_refresh_task.schedule(kwargs=scope, delay=generations.CHECK_INTERVAL + 1)

    transaction.on_commit(enqueue)


def profile_version_create(*, acting_user, profile: PolicyProfile, obligations: list, effective_from: dt.date,
                           note: str = "") -> ProfileVersion:
    """Add a version; periods starting on or after ``effective_from`` are judged by it, earlier ones
    keep the rule that was in force. The families judged by the profile are recomputed in the
    background after the commit; rows computed before a future ``effective_from`` expire the day
    before it, so the daily refresh applies the new rule on that day."""
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
        generations.generation_bump(generations.PROFILES)
        transaction.on_commit(profiles.clear_cache)
        _refresh_on_commit(profile_id=profile.pk)
    profiles.clear_cache()
    return version


def region_profile_set(*, acting_user, region, profile: PolicyProfile | None) -> None:
    """Bind ``region`` (and the part of its subtree without a binding of its own) to ``profile``, or
    let it inherit again (``None``); that part's families are recomputed in the background."""
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
        generations.generation_bump(generations.PROFILES)
        transaction.on_commit(profiles.clear_cache)
        if (old.profile_id if old else None) != (profile.pk if profile else None):
            _refresh_on_commit(region_code=region.code)
    profiles.clear_cache()


def profile_change_refresh(*, profile_id: int | None = None, region_code: str | None = None,
                           day: dt.date | None = None) -> int:
    """Recompute the stored rows and village summaries of the families a profile change reaches: those
    judged by profile ``profile_id`` (a new version), or those following the binding of region
    ``region_code`` (a binding set or removed). Scopes are read when the job runs, from the current
    bindings. Batches of ``REFRESH_BATCH`` families, one transaction each. Returns families processed."""
    profiles.clear_cache()  # this process may be another one than the writer's: read the rules afresh
    scopes = profiles.profile_scopes(profile_id) if profile_id is not None else [profiles.region_scope(region_code)]
    day = day or timezone.localdate()
    done = 0
    for prefix, excluded in scopes:
        qs = Family.objects.filter(region__code__startswith=prefix)
        if excluded:
            left_out = Q()
            for sub in excluded:
                left_out |= Q(region__code__startswith=sub)
            qs = qs.exclude(left_out)
        # Unlike the nightly job this runs in working hours: hold each batch's family locks.
        done += refresh_in_batches(qs, day=day, batch_size=REFRESH_BATCH, lock=True)
    return done
