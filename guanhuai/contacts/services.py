"""Writes for dual contacts: people, assignments, bulk hand-over, cards.

Each function validates, runs in one transaction and writes its audit event
in it. A change of first or second contact queues a new contact card for the
family (the family must be told) and is measured against the data-entry
deadline in official working days (late entries are flagged, never refused).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import PendingEvent, audit_record, audit_record_many, diff_values
from guanhuai.compliance.profiles import entry_deadline_days
from guanhuai.families.hooks import families_changed
from guanhuai.families.models import Family, Status
from guanhuai.lib.crypto import default_blind_index
from guanhuai.regions.models import Region
from guanhuai.workdays.calendar import add_working_days

from .models import SLOT_KINDS, Assignment, CardIssue, ContactKind, ContactPerson, Slot, allowed_kinds_label

CONTACT_FIELDS = ["name", "post", "unit", "phone", "kind", "is_active", "left_on"]


def _require(user, perm: str = "contacts.manage") -> None:
    if not has_perm(user, perm):
        raise ValidationError("您没有执行此操作的权限")


def _clean_phone(phone: str) -> str:
    phone = "".join(str(phone or "").split()).replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise ValidationError({"phone": "电话号码应为 7–12 位数字"})
    return phone


def contact_create(*, acting_user, region: Region, name: str, kind: str, post: str = "", unit: str = "",
                   phone: str = "", user=None) -> ContactPerson:
    _require(acting_user)
    if not region.code.startswith(acting_user.region.prefix):
        raise ValidationError({"region": "所选区划不在您的管辖范围内"})
    if kind not in ContactKind.values:
        raise ValidationError({"kind": "联系人类别无效"})
    name = "".join((name or "").split())
    if not name:
        raise ValidationError({"name": "姓名不能为空"})
    phone = _clean_phone(phone)
    with transaction.atomic():
        contact = ContactPerson(region=region, name=name, kind=kind, post=post.strip(), unit=unit.strip(),
                                phone=phone, phone_bidx=default_blind_index(phone, kind="phone") if phone else "",
                                user=user)
        contact.full_clean()
        contact.save()
        audit_record(actor=acting_user, action="contact.created", obj=contact,
                     changes=diff_values({}, {"name": name, "kind": kind, "post": post, "phone": phone},
                                         sensitive={"phone": "phone"}))
    return contact


def contact_update(*, acting_user, contact: ContactPerson, data: dict) -> ContactPerson:
    _require(acting_user)
    if not contact.region_id.startswith(acting_user.region.prefix):
        raise ValidationError("联系人不在您的管辖范围内")
    data = dict(data)
    before = {f: getattr(contact, f) for f in CONTACT_FIELDS}
    if "phone" in data:
        data["phone"] = _clean_phone(data["phone"])
    if "kind" in data and data["kind"] not in ContactKind.values:
        raise ValidationError({"kind": "联系人类别无效"})
    if "name" in data:
        data["name"] = "".join((data["name"] or "").split())
        if not data["name"]:
            raise ValidationError({"name": "姓名不能为空"})
    if data.get("is_active") is False and contact.is_active:
        holding = contact.assignments.filter(end_date__isnull=True).count()
        if holding:
            raise ValidationError({"is_active": f"{contact.name} 仍负责 {holding} 户家庭,请先用“批量交接”移交给接任人"})
        data.setdefault("left_on", None)
        data["left_on"] = data["left_on"] or timezone.localdate()
    if data.get("is_active") is True:
        data["left_on"] = None
    if "kind" in data and data["kind"] != contact.kind:
        wrong = [a.get_slot_display() for a in contact.assignments.filter(end_date__isnull=True)
                 if data["kind"] not in SLOT_KINDS[a.slot]]
        if wrong:
            raise ValidationError({"kind": f"该联系人正担任{'、'.join(sorted(set(wrong)))},不能改为此类别"})
    with transaction.atomic():
        for name in CONTACT_FIELDS:
            if name in data:
                setattr(contact, name, data[name])
        contact.phone_bidx = default_blind_index(contact.phone, kind="phone") if contact.phone else ""
        contact.full_clean()
        contact.save(update_fields=[*CONTACT_FIELDS, "phone_bidx"])
        after = {f: getattr(contact, f) for f in CONTACT_FIELDS}
        changes = diff_values({k: str(v) for k, v in before.items()}, {k: str(v) for k, v in after.items()},
                              sensitive={"phone": "phone"})
        if changes:
            audit_record(actor=acting_user, action="contact.updated", obj=contact, changes=changes)
    return contact


def _check_assignment(acting_user, family: Family, slot: str, contact: ContactPerson, start: dt.date) -> None:
    if family.status != Status.ACTIVE:
        raise ValidationError("该家庭已退出,不能再确定联系人")
    if slot not in Slot.values:
        raise ValidationError({"slot": "岗位无效"})
    if contact.kind not in SLOT_KINDS[slot]:
        allowed = allowed_kinds_label(slot)
        raise ValidationError({"contact": f"{Slot(slot).label}应由{allowed}担任"})
    if not contact.is_active:
        raise ValidationError({"contact": f"{contact.name} 已离岗,不能再分配家庭"})
    if slot != Slot.LEADER and not family.region_id.startswith(contact.region.prefix):
        raise ValidationError({"contact": f"{contact.name} 所在区划不包含该家庭所在村(居)"})
    if not contact.region_id.startswith(acting_user.region.prefix) and slot != Slot.LEADER:
        raise ValidationError({"contact": "联系人不在您的管辖范围内"})
    if start > timezone.localdate():
        raise ValidationError({"start_date": "起始日期不能晚于今天"})


def _deadline(start: dt.date, region_code: str) -> dict:
    """Entry deadline fields of an assignment starting on ``start``: the profile's entry deadline in official
    working days (the same rule as for visits; 5 when the region has no profile), whether the count ran into a
    year with no published calendar, and whether the entry (today) is late."""
    deadline = add_working_days(start, entry_deadline_days(region_code, start))
    return {"entry_deadline": deadline.date, "entry_deadline_provisional": deadline.provisional,
            "is_late": timezone.localdate() > deadline.date}


def _queue_card(family: Family, reason: str) -> None:
    if not CardIssue.objects.filter(family=family, state=CardIssue.State.PENDING).exists():
        CardIssue.objects.create(family=family, region_id=family.region_id, reason=reason)


def assignment_set(*, acting_user, family: Family, slot: str, contact: ContactPerson, start_date: dt.date,
                   reason: str = "", refresh: bool = True) -> Assignment:
    """Make ``contact`` the family's active contact in ``slot``; the previous one ends that day."""
    _require(acting_user)
    _check_assignment(acting_user, family, slot, contact, start_date)
    with transaction.atomic():
        Family.objects.select_for_update().filter(pk=family.pk).first()  # serialise changes to one family
        current = None
        if slot != Slot.LEADER:
            current = family.assignments.filter(slot=slot, end_date__isnull=True).select_related("contact").first()
            if current is not None:
                if current.contact_id == contact.pk:
                    raise ValidationError({"contact": f"{contact.name} 已经是该家庭的{Slot(slot).label}"})
                if start_date < current.start_date:
                    raise ValidationError({"start_date": f"起始日期不能早于现任联系人的起始日期 {current.start_date}"})
                current.end_date = start_date
                current.end_reason = reason or "更换联系人"
                current.save(update_fields=["end_date", "end_reason"])
        assignment = Assignment(family=family, contact=contact, slot=slot, region_id=family.region_id,
                                start_date=start_date, reason=reason, entered_at=timezone.now(),
                                created_by=acting_user, **_deadline(start_date, family.region_id))
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:
            raise ValidationError("该家庭的联系人刚被他人修改,请刷新后重试") from None
        if slot != Slot.LEADER:
            _queue_card(family, "联系人变更" if current else "确定联系人")
        if refresh:  # coverage figures roll up from here; bulk callers refresh once at the end
            families_changed([family])
        audit_record(actor=acting_user, action="assignment.set", obj=family, object_type="family",
                     changes={"slot": slot, "contact": [str(current.contact) if current else None, str(contact)],
                              "start_date": start_date.isoformat(), "late": assignment.is_late}, reason=reason)
    return assignment


def assignment_end(*, acting_user, assignment: Assignment, end_date: dt.date, reason: str) -> Assignment:
    """End a leader pairing (first/second contacts are replaced, not ended, while the family is in the register)."""
    _require(acting_user)
    if assignment.end_date is not None:
        raise ValidationError("该分工已结束")
    if assignment.slot != Slot.LEADER and assignment.family.status == Status.ACTIVE:
        raise ValidationError("在册家庭的第一、第二联系人只能更换,不能空缺")
    if end_date < assignment.start_date:
        raise ValidationError({"end_date": "结束日期不能早于起始日期"})
    with transaction.atomic():
        assignment.end_date = end_date
        assignment.end_reason = reason
        assignment.save(update_fields=["end_date", "end_reason"])
        families_changed([assignment.family])
        audit_record(actor=acting_user, action="assignment.ended", obj=assignment.family, object_type="family",
                     changes={"slot": assignment.slot, "contact": str(assignment.contact),
                              "end_date": end_date.isoformat()}, reason=reason)
    return assignment


def contacts_bulk_reassign(*, acting_user, from_contact: ContactPerson, to_contact: ContactPerson,
                           change_date: dt.date, reason: str, mark_left: bool = True) -> int:
    """Move every active family of a leaving cadre to a successor in one transaction.

    Returns the number of families moved; each gets a new card queued and an
    audit event. All or nothing: one invalid family aborts the whole move.
    """
    _require(acting_user)
    if from_contact.pk == to_contact.pk:
        raise ValidationError({"to_contact": "接任人不能是同一个人"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写交接原因"})
    with transaction.atomic():
        moving = list(Assignment.objects.select_related("family", "family__region")
                      .filter(contact=from_contact, end_date__isnull=True).order_by("id"))
        events = []
        deadlines: dict[str, dict] = {}  # by village: the profile, hence the deadline, may differ between them
        for old in moving:
            _check_assignment(acting_user, old.family, old.slot, to_contact, change_date)
            if old.region_id not in deadlines:
                deadlines[old.region_id] = _deadline(change_date, old.region_id)
            if change_date < old.start_date:
                raise ValidationError({"change_date": f"交接日期早于 {old.family} 的分工起始日期"})
            old.end_date = change_date
            old.end_reason = reason
            old.save(update_fields=["end_date", "end_reason"])
            Assignment.objects.create(family=old.family, contact=to_contact, slot=old.slot, region_id=old.region_id,
                                      start_date=change_date, reason=reason, entered_at=timezone.now(),
                                      created_by=acting_user, **deadlines[old.region_id])
            if old.slot != Slot.LEADER:
                _queue_card(old.family, "联系人变更")
            events.append(PendingEvent(action="assignment.set", object_type="family", object_id=str(old.family_id),
                                       object_repr=str(old.family), region_code=old.region_id, reason=reason,
                                       changes={"slot": old.slot, "contact": [str(from_contact), str(to_contact)],
                                                "start_date": change_date.isoformat(), "bulk": True}))
        if mark_left:
            from_contact.is_active = False
            from_contact.left_on = change_date
            from_contact.save(update_fields=["is_active", "left_on"])
        events.append(PendingEvent(action="contact.handover", object_type="contactperson",
                                   object_id=str(from_contact.pk), object_repr=str(from_contact),
                                   region_code=from_contact.region_id, reason=reason,
                                   changes={"to": str(to_contact), "families": len(moving)}))
        families_changed([a.family for a in moving])
        audit_record_many(actor=acting_user, events=events)
    return len(moving)


def cards_mark_issued(*, acting_user, families: list[Family], issued_on: dt.date) -> int:
    """Record that the families were handed their (new) contact cards."""
    _require(acting_user, "family.edit")
    with transaction.atomic():
        pending = CardIssue.objects.filter(family__in=families, state=CardIssue.State.PENDING)
        count = 0
        events = []
        for card in pending.select_related("family"):
            card.state = CardIssue.State.ISSUED
            card.issued_on = issued_on
            card.issued_by = acting_user
            card.save(update_fields=["state", "issued_on", "issued_by"])
            count += 1
            events.append(PendingEvent(action="card.issued", object_type="family", object_id=str(card.family_id),
                                       object_repr=str(card.family), region_code=card.region_id,
                                       changes={"issued_on": issued_on.isoformat()}))
        audit_record_many(actor=acting_user, events=events)
    return count
