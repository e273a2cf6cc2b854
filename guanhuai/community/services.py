"""Writes of trainings: record a training held, set who attended."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.regions.models import Region

from .models import Training, TrainingAttendance, TrainingKind
from .selectors import attendable_contacts


def _require_manager(user, region: Region) -> None:
    if not has_perm(user, "training.manage") or user.region_id is None or not region.code.startswith(
            user.region.prefix):
        raise ValidationError("只有本辖区的乡镇或县级干部可以登记培训")


def training_create(*, acting_user, region: Region, held_on: dt.date, title: str, kind: str = TrainingKind.CLASSROOM,
                    place: str = "", note: str = "") -> Training:
    _require_manager(acting_user, region)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = ["请填写培训主题"]
    if kind not in TrainingKind.values:
        errors["kind"] = ["培训形式不正确"]
    if held_on > timezone.localdate() + dt.timedelta(days=366):
        errors["held_on"] = ["培训日期太远"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        training = Training(region=region, held_on=held_on, title=title.strip(), kind=kind, place=place.strip(),
                            note=note.strip(), created_by=acting_user)
        training.full_clean()
        training.save()
        audit_record(actor=acting_user, action="training.created", obj=training,
                     changes={"held_on": held_on.isoformat(), "title": training.title, "kind": kind})
    return training


def training_attendance_set(*, acting_user, training: Training, contact_ids: list[int]) -> list[int]:
    """Set who attended, among the contacts the user may mark; others' attendance is left as it is.

    Returns the ids now recorded as attending (of the user's contacts).
    """
    _require_manager(acting_user, training.region)
    if training.held_on > timezone.localdate():
        raise ValidationError({"held_on": ["培训尚未举行,不能登记参训人员"]})
    allowed = dict(attendable_contacts(acting_user, training).values_list("pk", "region_id"))
    wanted = {int(c) for c in contact_ids}
    unknown = sorted(wanted - set(allowed))
    if unknown:
        raise ValidationError({"contact_ids": [f"联系人 {', '.join(map(str, unknown))} 不存在、已离岗或不在本辖区"]})
    with transaction.atomic():
        current = set(training.attendances.filter(contact_id__in=allowed).values_list("contact_id", flat=True))
        removed, added = sorted(current - wanted), sorted(wanted - current)
        training.attendances.filter(contact_id__in=removed).delete()
        TrainingAttendance.objects.bulk_create([
            TrainingAttendance(training=training, contact_id=cid, region_id=allowed[cid], recorded_by=acting_user)
            for cid in added])
        if added or removed:
            audit_record(actor=acting_user, action="training.attendance_set", obj=training,
                         changes={"added": added, "removed": removed})
    return sorted(wanted)
