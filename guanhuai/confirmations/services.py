"""Writes of the annual eligibility confirmation: open and close a county's window,
record a family's result, confirm many families unchanged at once.

A change to a family or its members and an exit go through the families
services (their own validation and audit events); this module records what
the confirmation found, in the same transaction, with its own audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import PendingEvent, audit_record, audit_record_many
from guanhuai.families import services as family_services
from guanhuai.families.models import NEEDS, ExitReason, Family, Member, Status
from guanhuai.regions.codes import COUNTY
from guanhuai.regions.models import Region
from guanhuai.workdays.calendar import Deadline

from .models import ConfirmationItem, ConfirmationWindow, Outcome
from .selectors import entry_working_days_for, register_at_opening

# What a confirmation may change on the archive; sensitive fields (bank account) are edited on the archive page.
CHANGE_FIELDS = ["category", "disability_grade", "address", "health", "mental", "living", "income", "housing",
                 "pension", "medical", *[name for name, _ in NEEDS], "needs_note"]
MAX_WINDOW_DAYS = 366


def _require_manager(user, region: Region) -> None:
    if (not has_perm(user, "confirmation.manage") or user.region_id is None
            or not region.code.startswith(user.region.prefix)):
        raise ValidationError("只有本县(市、区)卫健干部可以开启或结束资格确认")


def _require_recorder(user, item: ConfirmationItem) -> None:
    if (not has_perm(user, "confirmation.record") or user.region_id is None
            or not item.region_id.startswith(user.region.prefix)):
        raise ValidationError("只能确认本辖区的家庭")


def confirmation_window_open(*, acting_user, region: Region, year: int, start_date: dt.date,
                             end_date: dt.date) -> ConfirmationWindow:
    """Open a county's confirmation for a year and snapshot its register (the families to confirm).

    One window per county and year; windows of one county never overlap. The
    entry deadline's working days come from the county's policy profile.
    """
    _require_manager(acting_user, region)
    if region.level != COUNTY:
        raise ValidationError({"region": ["资格确认须以县(市、区)为单位开启"]})
    errors: dict[str, list[str]] = {}
    if not start_date:
        errors["start_date"] = ["请填写开始日期"]
    if not end_date:
        errors["end_date"] = ["请填写结束日期"]
    if not (2000 <= (year or 0) <= 2100):
        errors["year"] = ["年度无效"]
    if not errors and end_date < start_date:
        errors["end_date"] = ["结束日期不能早于开始日期"]
    elif not errors and (end_date - start_date).days >= MAX_WINDOW_DAYS:
        errors["end_date"] = ["确认期不能超过一年"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the county's row so two officers cannot open overlapping windows at once.
        Region.objects.select_for_update().filter(pk=region.pk).first()
        existing = list(ConfirmationWindow.objects.filter(region=region))
        same_year = next((w for w in existing if w.year == year), None)
        if same_year is not None:
            raise ValidationError(f"本县 {year} 年度资格确认已开启({same_year.start_date:%Y-%m-%d} 至 "
                                  f"{same_year.end_date:%Y-%m-%d}),不能重复开启")
        overlap = next((w for w in existing if w.start_date <= end_date and start_date <= w.end_date), None)
        if overlap is not None:
            raise ValidationError(f"确认期与本县 {overlap.year} 年度资格确认({overlap.start_date:%Y-%m-%d} 至 "
                                  f"{overlap.end_date:%Y-%m-%d})重叠,请调整日期")
        families = register_at_opening(region)
        if not families:
            raise ValidationError("本县名册中没有在册家庭,无需资格确认")
        days, source = entry_working_days_for(region.code, end_date)
        window = ConfirmationWindow(region=region, year=year, start_date=start_date, end_date=end_date,
                                    entry_working_days=days, deadline_source=source, register_as_of=timezone.now(),
                                    population=len(families), created_by=acting_user)
        window.full_clean()
        try:
            with transaction.atomic():
                window.save()
        except IntegrityError:
            raise ValidationError(f"本县 {year} 年度资格确认已开启,不能重复开启") from None
        ConfirmationItem.objects.bulk_create(
            [ConfirmationItem(window=window, family_id=fid, region_id=code) for fid, code in families],
            batch_size=2000)
        deadline = window.deadline
        audit_record(actor=acting_user, action="confirmation.opened", obj=window, region_code=region.code,
                     changes={"year": year, "start_date": start_date.isoformat(), "end_date": end_date.isoformat(),
                              "families": len(families), "entry_working_days": days,
                              "deadline": deadline.date.isoformat(), "deadline_provisional": deadline.provisional,
                              "deadline_source": source or "默认"})
    return window


def confirmation_window_close(*, acting_user, window: ConfirmationWindow,
                              closed_on: dt.date | None = None) -> ConfirmationWindow:
    """End the confirmation. Closing before the planned end brings the entry deadline forward;
    entries after closing are still accepted (late once past the deadline)."""
    _require_manager(acting_user, window.region)
    if window.state == ConfirmationWindow.State.CLOSED:
        raise ValidationError("本次资格确认已结束")
    today = timezone.localdate()
    closed_on = closed_on or today
    if closed_on > today:
        raise ValidationError({"closed_on": ["结束日期不能晚于今天"]})
    if closed_on < window.start_date:
        raise ValidationError({"closed_on": [f"结束日期不能早于确认开始日期 {window.start_date:%Y-%m-%d}"]})
    # An earlier end would move the deadline under entries already judged against the later one.
    last_entry = window.items.aggregate(last=Max("entry_date"))["last"]
    if last_entry is not None and closed_on < last_entry:
        raise ValidationError({"closed_on": [f"已有 {last_entry:%Y-%m-%d} 录入的确认结果,结束日期不能早于该日"]})
    with transaction.atomic():
        window.state = ConfirmationWindow.State.CLOSED
        window.closed_on = closed_on
        window.closed_by = acting_user
        window.save(update_fields=["state", "closed_on", "closed_by"])
        pending = window.items.filter(outcome=Outcome.PENDING, family__status=Status.ACTIVE).count()
        deadline = window.deadline
        audit_record(actor=acting_user, action="confirmation.closed", obj=window, region_code=window.region_id,
                     changes={"closed_on": closed_on.isoformat(), "pending": pending,
                              "deadline": deadline.date.isoformat(), "deadline_provisional": deadline.provisional})
    return window


def _display(name: str, value: Any) -> Any:
    field = Family._meta.get_field(name)
    if field.choices and value not in (None, ""):
        return dict(field.choices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _label(name: str) -> str:
    return str(Family._meta.get_field(name).verbose_name)


def _stamp(item: ConfirmationItem, acting_user, outcome: str, today: dt.date, *, deadline: Deadline | None = None,
           now: dt.datetime | None = None) -> None:
    deadline = deadline or item.window.deadline
    item.outcome = outcome
    item.recorded_at = now or timezone.now()
    item.recorded_by = acting_user
    item.entry_date = today
    item.entry_deadline = deadline.date
    item.entry_deadline_provisional = deadline.provisional
    item.is_late = today > deadline.date


STAMP_FIELDS = ["outcome", "changes", "exit_reason", "note", "recorded_at", "recorded_by", "entry_date",
                "entry_deadline", "entry_deadline_provisional", "is_late", "region"]


def _check_started(window: ConfirmationWindow, today: dt.date) -> None:
    if today < window.start_date:
        raise ValidationError(f"资格确认自 {window.start_date:%Y-%m-%d} 开始,尚未到确认期")


def _already(item: ConfirmationItem) -> ValidationError:
    when = timezone.localtime(item.recorded_at).strftime("%Y-%m-%d %H:%M") if item.recorded_at else ""
    who = item.recorded_by.full_name if item.recorded_by else ""
    return ValidationError(f"{item.family.head_name}家本次已确认为“{item.get_outcome_display()}”"
                           f"({who} {when}),不能重复提交")


def confirmation_record(*, acting_user, item: ConfirmationItem, outcome: str, family_data: dict | None = None,
                        deceased: dict[int, dt.date] | None = None, exit_reason: str = "",
                        exit_date: dt.date | None = None, note: str = "") -> ConfirmationItem:
    """Record one family's confirmation.

    ``confirmed``: eligible, nothing changed. ``changed``: ``family_data`` (fields of
    ``CHANGE_FIELDS``) and/or ``deceased`` (member id → death date) are written through the
    families services; at least one real change is required. ``exited``: the family leaves the
    register through ``family_exit`` with the reason. A family is recorded once per window; an
    entry after the deadline is accepted and flagged late (迟报).
    """
    _require_recorder(acting_user, item)
    if outcome not in {Outcome.CONFIRMED, Outcome.CHANGED, Outcome.EXITED}:
        raise ValidationError({"outcome": ["请选择确认结果:无变化、有变化或退出"]})
    family_data = dict(family_data or {})
    deceased = dict(deceased or {})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": ["说明不能超过 200 字"]})
    unknown = sorted(set(family_data) - set(CHANGE_FIELDS))
    if unknown:
        raise ValidationError({"changes": [f"资格确认中不能修改:{'、'.join(unknown)}(请在家庭档案中修改)"]})
    if outcome != Outcome.CHANGED and (family_data or deceased):
        raise ValidationError({"outcome": ["填写了变化内容时,确认结果应为“有变化”"]})
    today = timezone.localdate()
    window = item.window
    _check_started(window, today)
    with transaction.atomic():
        item = (ConfirmationItem.objects.select_for_update(of=("self",))
                .select_related("window", "family", "recorded_by").get(pk=item.pk))
        if item.outcome:
            raise _already(item)
        family = Family.objects.select_for_update().get(pk=item.family_id)
        if family.status == Status.EXITED:
            raise ValidationError(f"{family.head_name}家已于 {family.exit_date:%Y-%m-%d} 退出"
                                  f"({family.get_exit_reason_display()}),无需再确认")
        changes: dict[str, Any] = {}
        if outcome == Outcome.CHANGED:
            changes = _apply_changes(acting_user, family, family_data, deceased)
        elif outcome == Outcome.EXITED:
            if exit_reason not in ExitReason.values:
                raise ValidationError({"exit_reason": ["请选择退出原因"]})
            family_services.family_exit(acting_user=acting_user, family=family, reason=exit_reason,
                                        exit_date=exit_date or today, note=note)
            item.exit_reason = exit_reason
            changes = {"退出": [family.get_exit_reason_display(), family.exit_date.isoformat()]}
        item.changes = changes
        item.note = note
        item.region_id = family.region_id
        _stamp(item, acting_user, outcome, today)
        item.save(update_fields=STAMP_FIELDS)
        audit_record(actor=acting_user, action="confirmation.recorded", obj=item, region_code=item.region_id,
                     object_repr=f"{window.year} 年度资格确认:{family.head_name}家",
                     changes={"outcome": outcome, "family": family.pk, "window": window.pk, "late": item.is_late,
                              "changes": changes, "note": note})
    return item


def _apply_changes(acting_user, family: Family, family_data: dict, deceased: dict[int, dt.date]) -> dict:
    changes: dict[str, Any] = {}
    if family_data:
        before = {name: getattr(family, name) for name in family_data}
        family_services.family_update(acting_user=acting_user, family=family, data=family_data)
        for name, old in before.items():
            new = getattr(family, name)
            if new != old:
                changes[_label(name)] = [_display(name, old), _display(name, new)]
    if deceased:
        members = {m.pk: m for m in Member.objects.filter(family=family, pk__in=list(deceased))}
        missing = sorted(set(deceased) - set(members))
        if missing:
            raise ValidationError({"deceased": ["所选成员不属于该家庭"]})
        gone = []
        for pk, death_date in sorted(deceased.items()):
            member = members[pk]
            if not member.is_alive:
                raise ValidationError({"deceased": [f"{member.name}已登记为已故"]})
            if not death_date:
                raise ValidationError({"deceased": [f"请填写{member.name}的死亡日期"]})
            family_services.member_update(acting_user=acting_user, member=member,
                                          data={"is_alive": False, "death_date": death_date})
            gone.append(f"{member.name}({member.get_role_display()}){death_date:%Y-%m-%d} 亡故")
        changes["成员"] = gone
    if not changes:
        raise ValidationError({"changes": ["没有填写任何变化;情况无变化请选择“确认无变化”"]})
    return changes


def confirmation_bulk_confirm(*, acting_user, window: ConfirmationWindow, family_ids: list[int],
                              note: str = "") -> list[ConfirmationItem]:
    """Confirm the selected families unchanged, all or none, with one audit event per family."""
    if not has_perm(acting_user, "confirmation.record") or acting_user.region_id is None:
        raise ValidationError("您没有执行此操作的权限")
    ids = sorted({int(i) for i in family_ids})
    if not ids:
        raise ValidationError({"family_ids": ["请至少选择一户家庭"]})
    note = (note or "").strip()[:200]
    today = timezone.localdate()
    _check_started(window, today)
    with transaction.atomic():
        items = list(window.items.select_for_update(of=("self",)).select_related("family", "recorded_by")
                     .filter(family_id__in=ids, region__code__startswith=acting_user.region.prefix))
        found = {i.family_id for i in items}
        errors = []
        outside = [str(i) for i in ids if i not in found]
        if outside:
            errors.append(f"档案号 {'、'.join(outside)} 不在本次确认名单或不在您的辖区")
        done = [i for i in items if i.outcome]
        if done:
            errors.append(f"{'、'.join(i.family.head_name + '家' for i in done)}本次已确认,不能重复提交")
        exited = [i for i in items if not i.outcome and i.family.status == Status.EXITED]
        if exited:
            errors.append(f"{'、'.join(i.family.head_name + '家' for i in exited)}已退出,无需确认")
        if errors:
            raise ValidationError(errors)
        deadline, now = window.deadline, timezone.now()
        for item in items:
            item.note = note
            item.changes = {}
            _stamp(item, acting_user, Outcome.CONFIRMED, today, deadline=deadline, now=now)
        # Every selected row gets the same values: one UPDATE (bulk_update's CASE per row is slow).
        ConfirmationItem.objects.filter(pk__in=[i.pk for i in items]).update(
            outcome=Outcome.CONFIRMED, changes={}, note=note, recorded_at=now, recorded_by=acting_user,
            entry_date=today, entry_deadline=deadline.date, entry_deadline_provisional=deadline.provisional,
            is_late=today > deadline.date)
        audit_record_many(actor=acting_user, events=[
            PendingEvent(action="confirmation.recorded", object_type="confirmationitem", object_id=str(i.pk),
                         object_repr=f"{window.year} 年度资格确认:{i.family.head_name}家", region_code=i.region_id,
                         changes={"outcome": Outcome.CONFIRMED, "family": i.family_id, "window": window.pk,
                                  "late": i.is_late, "bulk": True, "note": note})
            for i in items])
    return items
