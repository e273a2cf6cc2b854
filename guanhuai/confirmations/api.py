"""JSON API of the annual eligibility confirmation: the same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .models import ConfirmationItem, ConfirmationWindow
from .selectors import (
    STATUS_LABELS,
    Progress,
    item_get_for_user,
    item_list,
    window_get_for_user,
    window_progress,
    windows_for_user,
)

router = Router(tags=["年度资格确认"])
MAX_ROWS = 1000


class WindowOut(Schema):
    id: int
    region_code: str
    region_name: str
    year: int
    start_date: dt.date
    end_date: dt.date
    ends_on: dt.date
    state: str
    closed_on: dt.date | None
    entry_working_days: int
    deadline_source: str
    deadline: dt.date
    deadline_provisional: bool
    register_as_of: dt.datetime
    population: int


class ProgressOut(Schema):
    region_code: str
    region_name: str
    total: int
    confirmed: int
    changed: int
    exited: int
    pending: int
    late: int


class WindowDetailOut(WindowOut):
    overdue: bool
    progress: ProgressOut
    children: list[ProgressOut]


class ItemOut(Schema):
    family_id: int
    head_name: str
    region_code: str
    status: str
    outcome: str
    overdue: bool
    changes: dict
    exit_reason: str
    note: str
    entry_date: dt.date | None
    entry_deadline: dt.date | None
    entry_deadline_provisional: bool
    is_late: bool
    recorded_by: str | None
    recorded_at: dt.datetime | None


class ItemListOut(Schema):
    count: int
    results: list[ItemOut]


class OpenIn(Schema):
    year: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class CloseIn(Schema):
    closed_on: dt.date | None = None


class FamilyChangeIn(Schema):
    category: str | None = None
    disability_grade: int | None = None
    address: str | None = None
    health: str | None = None
    mental: str | None = None
    living: str | None = None
    income: str | None = None
    housing: str | None = None
    pension: str | None = None
    medical: str | None = None
    need_daily_care: bool | None = None
    need_pension: bool | None = None
    need_medical: bool | None = None
    need_comfort: bool | None = None
    need_economic: bool | None = None
    need_other: bool | None = None
    needs_note: str | None = None


class DeceasedIn(Schema):
    member_id: int
    death_date: dt.date


class RecordIn(Schema):
    """``outcome`` is confirmed, changed or exited; the rest depends on it."""

    outcome: str = ""
    changes: FamilyChangeIn | None = None
    deceased: list[DeceasedIn] = []
    exit_reason: str = ""
    exit_date: dt.date | None = None
    note: str = ""


class BulkIn(Schema):
    family_ids: list[int] = []
    note: str = ""


class BulkOut(Schema):
    confirmed: int
    late: int
    family_ids: list[int]


def _window_out(w: ConfirmationWindow) -> dict:
    deadline = w.deadline
    return {"id": w.pk, "region_code": w.region_id, "region_name": w.region.name, "year": w.year,
            "start_date": w.start_date, "end_date": w.end_date, "ends_on": w.ends_on, "state": w.state,
            "closed_on": w.closed_on, "entry_working_days": w.entry_working_days,
            "deadline_source": w.deadline_source, "deadline": deadline.date,
            "deadline_provisional": deadline.provisional, "register_as_of": w.register_as_of,
            "population": w.population}


def _progress_out(p: Progress) -> ProgressOut:
    return ProgressOut(region_code=p.code, region_name=p.name, total=p.total, confirmed=p.confirmed,
                       changed=p.changed, exited=p.exited, pending=p.pending, late=p.late)


def _item_out(i: ConfirmationItem, overdue: bool) -> ItemOut:
    status = getattr(i, "status", "pending" if not i.outcome else i.outcome)
    return ItemOut(family_id=i.family_id, head_name=i.family.head_name, region_code=i.region_id, status=status,
                   outcome=i.outcome, overdue=status == "pending" and overdue, changes=i.changes or {},
                   exit_reason=i.exit_reason, note=i.note, entry_date=i.entry_date, entry_deadline=i.entry_deadline,
                   entry_deadline_provisional=i.entry_deadline_provisional, is_late=i.is_late,
                   recorded_by=i.recorded_by.full_name if i.recorded_by else None, recorded_at=i.recorded_at)


def _overdue(window: ConfirmationWindow) -> bool:
    return timezone.localdate() > window.deadline.date


@router.get("/windows", response=list[WindowOut], summary="资格确认列表(县级及以上看辖区,乡镇和村看本县)")
def list_windows(request, year: int | None = None):
    user = request.auth
    if not has_perm(user, "confirmation.view"):
        raise Http404
    qs = windows_for_user(user)
    if year:
        qs = qs.filter(year=year)
    return [WindowOut(**_window_out(w)) for w in qs[:200]]


@router.post("/windows", response={201: WindowOut}, summary="开启本县年度资格确认(县级干部;按当时名册生成待确认家庭)")
def open_window(request, payload: OpenIn):
    user = request.auth
    if not has_perm(user, "confirmation.manage"):
        raise Http404
    window = services.confirmation_window_open(
        acting_user=user, region=user.region, year=payload.year or timezone.localdate().year,
        start_date=payload.start_date, end_date=payload.end_date)
    return Status(201, WindowOut(**_window_out(window)))


@router.get("/windows/{int:window_id}", response=WindowDetailOut,
            summary="确认进度:合计和各下级区划的无变化/有变化/退出/待确认/迟报户数")
def get_window(request, window_id: int, region: str = ""):
    user = request.auth
    window = window_get_for_user(user, window_id)
    scope = None
    if region:
        try:
            scope = region_get_for_user(user, region)
        except Http404:
            raise ValidationError({"region": ["区划代码不存在或不在您的管辖范围内"]}) from None
    progress = window_progress(user, window, region=scope)
    return WindowDetailOut(**_window_out(window), overdue=progress.overdue, progress=_progress_out(progress.total),
                           children=[_progress_out(p) for p in progress.rows])


@router.post("/windows/{int:window_id}/close", response=WindowOut, summary="结束资格确认(县级干部)")
def close_window(request, window_id: int, payload: CloseIn):
    user = request.auth
    window = window_get_for_user(user, window_id, manage=True)
    services.confirmation_window_close(acting_user=user, window=window, closed_on=payload.closed_on)
    return WindowOut(**_window_out(window))


@router.get("/windows/{int:window_id}/families", response=ItemListOut,
            summary="本辖区家庭的确认情况(status=pending 为待确认,期限过后即逾期)")
def list_items(request, window_id: int, status: str = "", region: str = "", offset: int = 0, limit: int = 200):
    user = request.auth
    window = window_get_for_user(user, window_id)
    if status and status not in STATUS_LABELS:
        raise ValidationError({"status": [f"状态应为 {'/'.join(STATUS_LABELS)}"]})
    qs = item_list(user, window, status=status, region=region)
    offset, limit = max(offset, 0), min(max(limit, 1), MAX_ROWS)
    rows = list(qs[offset:offset + limit])
    audit_sensitive_read(user, action="confirmation.listed", obj=window,
                         changes={"status": status, "region": region, "rows": len(rows)})
    overdue = _overdue(window)
    return ItemListOut(count=qs.count(), results=[_item_out(i, overdue) for i in rows])


@router.get("/windows/{int:window_id}/families/{int:family_id}", response=ItemOut, summary="一户家庭的确认情况")
def get_item(request, window_id: int, family_id: int):
    user = request.auth
    window = window_get_for_user(user, window_id)
    item = item_get_for_user(user, window, family_id)
    audit_sensitive_read(user, action="confirmation.family_viewed", obj=item, region_code=item.region_id)
    return _item_out(item, _overdue(window))


@router.post("/windows/{int:window_id}/families/{int:family_id}/record", response=ItemOut,
             summary="录入一户家庭的确认结果:无变化、有变化(经档案服务修改)或退出;期限后录入记为迟报")
def record_item(request, window_id: int, family_id: int, payload: RecordIn):
    user = request.auth
    window = window_get_for_user(user, window_id)
    item = item_get_for_user(user, window, family_id, write=True)
    family_data = payload.changes.dict(exclude_unset=True) if payload.changes else {}
    services.confirmation_record(acting_user=user, item=item, outcome=payload.outcome, family_data=family_data,
                                 deceased={d.member_id: d.death_date for d in payload.deceased},
                                 exit_reason=payload.exit_reason, exit_date=payload.exit_date, note=payload.note)
    return _item_out(item_get_for_user(user, window, family_id), _overdue(window))


@router.post("/windows/{int:window_id}/bulk-confirm", response=BulkOut,
             summary="所选家庭批量确认无变化(一个事务,逐户审计)")
def bulk_confirm(request, window_id: int, payload: BulkIn):
    user = request.auth
    window = window_get_for_user(user, window_id)
    if not has_perm(user, "confirmation.record"):
        raise Http404
    items = services.confirmation_bulk_confirm(acting_user=user, window=window, family_ids=payload.family_ids,
                                               note=payload.note)
    return BulkOut(confirmed=len(items), late=sum(1 for i in items if i.is_late),
                   family_ids=[i.family_id for i in items])
