"""Roster (名册) export to xlsx: one row per family in the register with its contacts.

Family members' ID numbers are always masked. Contact phones are work
numbers printed on every card; they are written in full only for users who
maintain the roster (``contacts.manage``), masked for everyone else.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from guanhuai.families.models import Family, Member, Status
from guanhuai.families.selectors import families_for_user
from guanhuai.lib.excel import write_xlsx
from guanhuai.lib.masking import mask_phone
from guanhuai.regions.models import Region

from .models import Assignment, Slot

HEADERS = ["乡镇(街道)", "村(居)", "档案号", "户主姓名", "成员身份证号(脱敏)",
           "第一联系人姓名", "第一联系人职务", "第一联系人电话", "第一联系人起始日期",
           "第二联系人姓名", "第二联系人职务", "第二联系人电话", "第二联系人起始日期", "领导干部联系帮扶"]


def roster_families(user, region: Region) -> QuerySet[Family]:
    active = Assignment.objects.filter(end_date__isnull=True).select_related("contact").order_by("slot", "id")
    return (families_for_user(user).filter(status=Status.ACTIVE, region__code__startswith=region.prefix)
            .select_related("region", "region__parent")
            .prefetch_related(Prefetch("members", queryset=Member.objects.order_by("id")),
                              Prefetch("assignments", queryset=active, to_attr="active_assignments"))
            .order_by("region_id", "head_name", "id"))


def _head_member(family: Family) -> Member | None:
    members = list(family.members.all())
    return next((m for m in members if m.name == family.head_name), members[0] if members else None)


def roster_rows(families, *, full_phones: bool):
    show = (lambda p: p) if full_phones else mask_phone
    for f in families:
        by_slot: dict[str, list[Assignment]] = {Slot.FIRST: [], Slot.SECOND: [], Slot.LEADER: []}
        for a in f.active_assignments:
            by_slot[a.slot].append(a)
        row = [f.region.parent.name if f.region.parent_id else "", f.region.name, f.pk, f.head_name]
        head = _head_member(f)
        row.append(head.id_number_masked if head else "")
        for slot in (Slot.FIRST, Slot.SECOND):
            a = by_slot[slot][0] if by_slot[slot] else None
            row += ([a.contact.name, a.contact.post, show(a.contact.phone), a.start_date.isoformat()] if a
                    else ["", "", "", ""])
        row.append("、".join(f"{a.contact.name}({a.contact.post or a.contact.get_kind_display()})"
                            for a in by_slot[Slot.LEADER]))
        yield row


def roster_xlsx(user, region: Region, *, full_phones: bool) -> tuple[bytes, int]:
    rows = list(roster_rows(roster_families(user, region).iterator(chunk_size=1000), full_phones=full_phones))
    return write_xlsx([("双岗联系人名册", HEADERS, rows)]), len(rows)
