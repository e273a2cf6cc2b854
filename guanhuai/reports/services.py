"""Writes of the annual-return workflow: submit (a new frozen version), accept, send back, set a deadline.

A township submits to its county, a county to its city, a city to the
province. A county or city may submit only when every child region's return
is accepted and the totals of those accepted returns equal the rows of its
own tables, so the figures a province receives add up level by level.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from guanhuai.accounts.roles import Role, has_perm
from guanhuai.audit.services import audit_record
from guanhuai.regions.codes import PROVINCE, TOWNSHIP
from guanhuai.regions.models import Region

from .models import ReturnSchedule, ReturnVersion, StatReturn
from .selectors import (
    MAX_DIFFERENCES_SHOWN,
    SUBMITTING_LEVELS,
    deadline_for,
    is_reviewer_of,
    lower_totals_check,
    snapshot_digest,
)
from .statistics import statistics_compute

OPEN_STATES = {StatReturn.State.DRAFT, StatReturn.State.RETURNED}


def _check_year(year: int) -> None:
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": [f"统计年度须在 2000 至 {today.year} 年之间"]})


def _lock_return(region: Region, year: int) -> StatReturn:
    ret, _ = StatReturn.objects.get_or_create(region=region, year=year)
    return StatReturn.objects.select_for_update().get(pk=ret.pk)


def consistency_errors(snapshot: dict, year: int) -> list[str]:
    """Why an upper snapshot does not add up from the accepted lower returns (empty list: it does)."""
    missing, differences = lower_totals_check(snapshot, year)
    errors = []
    if missing:
        errors.append(f"下级单位尚未有已通过审核的报表:{'、'.join(missing)}")
    if differences:
        shown = [d.message for d in differences[:MAX_DIFFERENCES_SHOWN]]
        more = f"(另有 {len(differences) - len(shown)} 处不一致)" if len(differences) > len(shown) else ""
        errors.append("本级汇总与下级已通过报表的合计不一致:" + ";".join(shown) + more)
    return errors


def _add_version(*, acting_user, ret: StatReturn, snapshot: dict, source: str, note: str = "",
                 submitted_at: dt.datetime | None = None) -> ReturnVersion:
    submitted_at = submitted_at or timezone.now()
    deadline = deadline_for(ret.year)
    number = (ret.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReturnVersion(stat_return=ret, number=number, snapshot=snapshot, digest=snapshot_digest(snapshot),
                            as_of=dt.date.fromisoformat(snapshot["as_of"]), source=source,
                            submitted_by=acting_user, submitted_at=submitted_at, deadline=deadline,
                            is_late=timezone.localdate(submitted_at) > deadline, note=note.strip())
    version.full_clean(exclude=["stat_return", "submitted_by"])
    version.save()
    ret.state = StatReturn.State.SUBMITTED
    ret.save(update_fields=["state", "updated_at"])
    return version


def return_submit(*, acting_user, region: Region, year: int, note: str = "") -> ReturnVersion:
    """Freeze the region's tables for ``year`` as a new version and send it to the level above.

    Only an officer of the region itself (township, county or city) submits,
    and only while the return is not awaiting review or accepted.
    """
    if not has_perm(acting_user, "returns.submit") or acting_user.region_id != region.code:
        raise ValidationError("只有本级单位的干部可以报送本级统计表")
    if region.level not in SUBMITTING_LEVELS:
        raise ValidationError("省级统计表为全省汇总,无需再向上报送")
    _check_year(year)
    with transaction.atomic():
        ret = _lock_return(region, year)
        if ret.state not in OPEN_STATES:
            raise ValidationError(f"{year} 年度统计表{ret.get_state_display()},不能重复报送")
        snapshot = statistics_compute(region, year)
        if region.level < TOWNSHIP:
            errors = consistency_errors(snapshot, year)
            if errors:
                raise ValidationError(errors)
        version = _add_version(acting_user=acting_user, ret=ret, snapshot=snapshot,
                               source=ReturnVersion.Source.ONLINE, note=note)
        audit_record(actor=acting_user, action="return.submitted", obj=ret,
                     changes={"year": year, "version": version.number, "digest": version.digest,
                              "late": version.is_late, "deadline": version.deadline.isoformat()})
    return version


def _check_review(acting_user, version: ReturnVersion) -> StatReturn:
    ret = version.stat_return
    if not is_reviewer_of(acting_user, ret.region):
        raise ValidationError("只有上一级单位的审核人员可以审核该统计表")
    if version.decision != ReturnVersion.Decision.PENDING or ret.state != StatReturn.State.SUBMITTED:
        raise ValidationError(f"第 {version.number} 版{version.get_decision_display()},不是待审核的版本")
    latest = ret.versions.aggregate(n=Max("number"))["n"]
    if version.number != latest:
        raise ValidationError(f"第 {version.number} 版已被第 {latest} 版取代")
    return ret


def return_accept(*, acting_user, version: ReturnVersion) -> ReturnVersion:
    """The level above accepts the pending version; its figures then count in the upper return."""
    with transaction.atomic():
        StatReturn.objects.select_for_update().get(pk=version.stat_return_id)
        version.refresh_from_db()
        ret = _check_review(acting_user, version)
        version.decision = ReturnVersion.Decision.ACCEPTED
        version.decided_by = acting_user
        version.decided_at = timezone.now()
        version.save(update_fields=["decision", "decided_by", "decided_at"])
        ret.state = StatReturn.State.ACCEPTED
        ret.save(update_fields=["state", "updated_at"])
        audit_record(actor=acting_user, action="return.accepted", obj=ret,
                     changes={"year": ret.year, "version": version.number, "digest": version.digest})
    return version


def return_send_back(*, acting_user, version: ReturnVersion, reason: str) -> ReturnVersion:
    """The level above sends the pending version back with a reason; the lower level may resubmit.

    An accepted return is sent back the same way, as long as the upper return built on it is not
    itself submitted or accepted.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写退回原因"]})
    with transaction.atomic():
        ret = StatReturn.objects.select_for_update().get(pk=version.stat_return_id)
        version.refresh_from_db()
        version.stat_return = ret
        if not is_reviewer_of(acting_user, ret.region):
            raise ValidationError("只有上一级单位的审核人员可以审核该统计表")
        latest = ret.versions.aggregate(n=Max("number"))["n"]
        if version.number != latest or version.decision == ReturnVersion.Decision.RETURNED:
            raise ValidationError(f"第 {version.number} 版不是可退回的当前版本")
        if version.decision == ReturnVersion.Decision.ACCEPTED:
            upper = StatReturn.objects.filter(region_id=acting_user.region_id, year=ret.year).first()
            if upper is not None and upper.state in (StatReturn.State.SUBMITTED, StatReturn.State.ACCEPTED):
                raise ValidationError("本级统计表已报送上级,不能再退回下级报表;请先由上级退回本级报表")
        version.decision = ReturnVersion.Decision.RETURNED
        version.decided_by = acting_user
        version.decided_at = timezone.now()
        version.reason = reason
        version.full_clean(exclude=["stat_return", "submitted_by", "decided_by"])
        version.save(update_fields=["decision", "decided_by", "decided_at", "reason"])
        ret.state = StatReturn.State.RETURNED
        ret.save(update_fields=["state", "updated_at"])
        audit_record(actor=acting_user, action="return.sent_back", obj=ret, reason=reason,
                     changes={"year": ret.year, "version": version.number})
    return version


def schedule_set(*, acting_user, year: int, deadline: dt.date, note: str = "") -> ReturnSchedule:
    """Set a year's reporting deadline (province reviewers and administrators)."""
    province_reviewer = (has_perm(acting_user, "returns.review") and acting_user.region_id is not None
                         and acting_user.region.level == PROVINCE)
    if not (province_reviewer or getattr(acting_user, "role", None) == Role.ADMIN):
        raise ValidationError("只有省级审核人员或系统管理员可以设置上报期限")
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": ["统计年度无效"]})
    if deadline <= dt.date(year, 12, 31):
        raise ValidationError({"deadline": [f"{year} 年度的上报期限须在 {year} 年之后"]})
    with transaction.atomic():
        row, created = ReturnSchedule.objects.get_or_create(year=year, defaults={"deadline": deadline})
        old = None if created else row.deadline.isoformat()
        row.deadline = deadline
        row.note = note.strip()
        row.updated_by = acting_user
        row.full_clean(exclude=["updated_by"])
        row.save()
        audit_record(actor=acting_user, action="return.deadline_set", obj=row,
                     changes={"year": year, "deadline": [old, deadline.isoformat()]})
    return row
