"""The archive's change history, read from django-simple-history tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from guanhuai.lib.masking import mask

from .models import Family, Member

HIDDEN = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user",
          "history_user_id", "created_at", "updated_at", "created_by", "created_by_id", "id_number_bidx", "phone_bidx",
          "bank_account_bidx", "family", "family_id"}
MASKED = {"id_number": "id_number", "phone": "phone", "bank_account": "bank_account"}
TYPE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass
class HistoryEntry:
    when: object
    who: str
    what: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _value(record, name: str) -> str:
    value = getattr(record, name, None)
    if name in MASKED:
        return mask(MASKED[name], value or "")
    display = getattr(record, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _entries_for(records, model, subject) -> list[HistoryEntry]:
    entries = []
    records = list(records)
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        entry = HistoryEntry(when=record.history_date, who=str(record.history_user or "系统"),
                             what=TYPE_LABELS.get(record.history_type, record.history_type), subject=subject(record))
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN:
                    continue
                entry.changes.append((_label(model, change.field), _value(previous, change.field),
                                      _value(record, change.field)))
            if not entry.changes:
                continue
        entries.append(entry)
    return entries


def family_history(family: Family) -> list[HistoryEntry]:
    entries = _entries_for(family.history.select_related("history_user").order_by("-history_date", "-history_id"),
                           Family, lambda r: "家庭档案")
    member_records = Member.history.filter(family_id=family.pk).select_related("history_user").order_by(
        "id", "-history_date", "-history_id")
    by_member: dict[int, list] = {}
    for record in member_records:
        by_member.setdefault(record.id, []).append(record)
    for records in by_member.values():
        entries.extend(_entries_for(records, Member, lambda r: f"成员 {r.name}"))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries
