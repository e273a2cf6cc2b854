"""Writes of spot checks: plan (draw the sample), record a family's answers, complete."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.regions.codes import COUNTY
from guanhuai.regions.models import Region

from .models import SpotCheck, SpotCheckFamily, SpotCheckVisit
from .selectors import draw_sample, register_as_of, visits_to_verify

MAX_SEED = 2**62


def _require_county_officer(user, region: Region) -> None:
    if not has_perm(user, "spotcheck.manage") or user.region_id is None or not region.code.startswith(
            user.region.prefix):
        raise ValidationError("只有本县(市、区)卫健干部可以安排和记录抽查")


def spotcheck_plan(*, acting_user, region: Region, title: str, planned_on: dt.date, size: int | None = None,
                   share: Decimal | None = None, seed: int | None = None) -> SpotCheck:
    """Plan a check and draw its sample. Exactly one of ``size`` or ``share`` (0 < share ≤ 1) is given.

    Without a seed one is generated; either way it is recorded with the register time and drawn list.
    """
    _require_county_officer(acting_user, region)
    if region.level != COUNTY:
        raise ValidationError({"region": ["抽查须以县(市、区)为单位"]})
    if (size is None) == (share is None):
        raise ValidationError({"size": ["请填写抽取户数或抽取比例(二选一)"]})
    if size is not None and size < 1:
        raise ValidationError({"size": ["抽取户数至少为 1"]})
    if share is not None and not (Decimal(0) < share <= Decimal(1)):
        raise ValidationError({"share": ["抽取比例须大于 0 且不超过 1(例如 0.05 表示 5%)"]})
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not (0 <= seed < MAX_SEED):
        raise ValidationError({"seed": ["随机种子须为非负整数"]})
    with transaction.atomic():
        as_of = timezone.now()
        ids = register_as_of(region, as_of)
        if not ids:
            raise ValidationError("本县名册中没有家庭,无法抽查")
        wanted = size if size is not None else max(1, math.ceil(len(ids) * share))
        wanted = min(wanted, len(ids))
        drawn = draw_sample(ids, wanted, seed)
        check = SpotCheck(region=region, title=title.strip() or "双岗联系制度抽查", planned_on=planned_on,
                          register_as_of=as_of, seed=seed, sample_size=wanted, sample_share=share,
                          population=len(ids), drawn_ids=drawn, created_by=acting_user)
        check.full_clean()
        check.save()
        from guanhuai.families.models import Family

        regions = dict(Family.objects.filter(pk__in=drawn).values_list("pk", "region_id"))
        SpotCheckFamily.objects.bulk_create([
            SpotCheckFamily(spot_check=check, family_id=fid, region_id=regions[fid], position=i + 1)
            for i, fid in enumerate(drawn)])
        audit_record(actor=acting_user, action="spotcheck.planned", obj=check,
                     changes={"seed": seed, "size": wanted, "population": len(ids), "drawn_ids": drawn})
    return check


def spotcheck_record_family(*, acting_user, item: SpotCheckFamily, reached: bool, knows_first: bool | None = None,
                            knows_second: bool | None = None, satisfaction: int | None = None, problems: str = "",
                            visits: dict[int, bool] | None = None) -> SpotCheckFamily:
    """Record what a sampled family said. ``visits`` maps each asked-about visit id to confirmed (True) or denied.

    A denied visit is kept as a suspected false report (虚报) against the contact who recorded it.
    """
    check = item.spot_check
    _require_county_officer(acting_user, check.region)
    if check.state == SpotCheck.State.COMPLETED:
        raise ValidationError("该抽查已完成,不能再修改")
    visits = visits or {}
    errors: dict[str, list[str]] = {}
    if reached:
        if knows_first is None or knows_second is None:
            errors["knows_first"] = ["联系上的家庭须填写是否知道两位联系人"]
        if satisfaction is None:
            errors["satisfaction"] = ["联系上的家庭须填写满意度(1–5)"]
    elif visits or satisfaction is not None:
        errors["reached"] = ["未联系上的家庭不能填写满意度或走访核实结果"]
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        errors["satisfaction"] = ["满意度须为 1–5"]
    asked = {v.pk: v for v in visits_to_verify(item)}
    unknown = set(visits) - set(asked)
    if unknown:
        errors["visits"] = [f"走访记录 {', '.join(map(str, sorted(unknown)))} 不是该家庭抽查范围内的走访"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item.reached = reached
        item.knows_first = knows_first if reached else None
        item.knows_second = knows_second if reached else None
        item.satisfaction = satisfaction if reached else None
        item.problems = problems.strip()
        item.recorded_at = timezone.now()
        item.recorded_by = acting_user
        item.full_clean(exclude=["spot_check", "family", "region"])
        item.save(update_fields=["reached", "knows_first", "knows_second", "satisfaction", "problems",
                                 "recorded_at", "recorded_by"])
        item.visit_checks.all().delete()
        SpotCheckVisit.objects.bulk_create([
            SpotCheckVisit(item=item, visit_id=vid, contact_id=asked[vid].contact_id, confirmed=ok)
            for vid, ok in sorted(visits.items())])
        denied = sorted(vid for vid, ok in visits.items() if not ok)
        audit_record(actor=acting_user, action="spotcheck.family_recorded", obj=item, region_code=item.region_id,
                     changes={"reached": reached, "knows_first": item.knows_first, "knows_second": item.knows_second,
                              "satisfaction": item.satisfaction, "denied_visits": denied,
                              "confirmed_visits": sorted(vid for vid, ok in visits.items() if ok)})
    return item


def spotcheck_complete(*, acting_user, check: SpotCheck, completed_on: dt.date | None = None) -> SpotCheck:
    """Close a check once every sampled family has been recorded."""
    _require_county_officer(acting_user, check.region)
    if check.state == SpotCheck.State.COMPLETED:
        raise ValidationError("该抽查已完成")
    missing = check.items.filter(reached__isnull=True).count()
    if missing:
        raise ValidationError(f"还有 {missing} 户抽查家庭未记录结果,不能完成")
    with transaction.atomic():
        check.state = SpotCheck.State.COMPLETED
        check.completed_on = completed_on or timezone.localdate()
        check.save(update_fields=["state", "completed_on"])
        audit_record(actor=acting_user, action="spotcheck.completed", obj=check,
                     changes={"completed_on": check.completed_on.isoformat()})
    return check
