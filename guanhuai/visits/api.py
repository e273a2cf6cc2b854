"""JSON API of visits and major events: the same services and access functions as the pages.

Recording a visit is the hot path (a province's cadres at the end of a
month): it reads the family and the contact once each and writes in one
transaction; no lookup depends on the number of visits.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.contacts.models import ContactPerson
from guanhuai.families.api_import import ImportJobOut, ReportQuery, job_out
from guanhuai.families.import_jobs import api_errors_download, xlsx_response
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .importing import import_commit_request, import_job_create
from .models import MajorEvent, Visit, VisitPhoto
from .selectors import (
    EventFilters,
    VisitFilters,
    event_get_for_user,
    event_is_overdue,
    event_list,
    family_for_recording,
    recording_context,
    visit_get_for_user,
    visit_import_job_get_for_user,
    visit_list,
)
from .views import photo_response
from .views_import import KIND as IMPORT_KIND

router = Router(tags=["走访记录"])
events_router = Router(tags=["重大事件"])


class VisitOut(Schema):
    id: int
    family_id: int
    family_name: str
    region_code: str
    visit_date: dt.date
    channel: str
    channel_label: str
    contact_id: int | None
    contact_name: str
    participants: str
    health_observed: str
    mental_observed: str
    needs_raised: str
    policies_explained: str
    problems_solved: str
    referred_to: str
    referral_note: str
    follow_up: str
    follow_up_due: dt.date | None
    notes: str
    event_id: int | None
    entry_date: dt.date
    entry_deadline: dt.date
    entry_deadline_provisional: bool
    is_late: bool
    is_backfill: bool


def visit_out(v: Visit, *, family_name: str | None = None) -> dict:
    """The fields of ``VisitOut`` (ninja validates the response once, against the declared schema)."""
    return dict(
        id=v.pk, family_id=v.family_id, family_name=family_name if family_name is not None else v.family.head_name,
        region_code=v.region_id, visit_date=v.visit_date, channel=v.channel, channel_label=v.get_channel_display(),
        contact_id=v.contact_id, contact_name=v.contact.name if v.contact_id else "", participants=v.participants,
        health_observed=v.health_observed, mental_observed=v.mental_observed, needs_raised=v.needs_raised,
        policies_explained=v.policies_explained, problems_solved=v.problems_solved, referred_to=v.referred_to,
        referral_note=v.referral_note, follow_up=v.follow_up, follow_up_due=v.follow_up_due, notes=v.notes,
        event_id=v.event_id, entry_date=v.entry_date, entry_deadline=v.entry_deadline,
        entry_deadline_provisional=v.entry_deadline_provisional, is_late=v.is_late, is_backfill=v.is_backfill,
    )


class VisitFields(Schema):
    visit_date: dt.date | None = None
    channel: str | None = None
    participants: str | None = None
    health_observed: str | None = None
    mental_observed: str | None = None
    needs_raised: str | None = None
    policies_explained: str | None = None
    problems_solved: str | None = None
    referred_to: str | None = None
    referral_note: str | None = None
    follow_up: str | None = None
    follow_up_due: dt.date | None = None
    notes: str | None = None


class VisitIn(VisitFields):
    family_id: int
    visit_date: dt.date
    channel: str
    contact_id: int | None = None


def _contact(user, contact_id: int | None) -> ContactPerson | None:
    """A contact person named by the caller must lie in the caller's jurisdiction."""
    if contact_id is None:
        return None
    contact = ContactPerson.objects.filter(pk=contact_id, region__code__startswith=user.region.prefix).first()
    if contact is None:
        raise ValidationError({"contact_id": "联系人不存在或不在您的管辖范围内"})
    return contact


def _text_fields(data: dict) -> dict:
    # Omitted text fields are blank, never None (the model's text columns are NOT NULL).
    return {k: ("" if v is None and k not in ("visit_date", "follow_up_due") else v) for k, v in data.items()}


@router.post("", response={201: VisitOut}, summary="记录走访(迟报照常保存并标记)")
def record_visit(request, payload: VisitIn):
    user = request.auth
    data = _text_fields(payload.dict(exclude={"family_id", "contact_id"}))
    with transaction.atomic():
        # One statement reads the family, takes its row lock and finds the caller's own contact card.
        family, own = recording_context(user, payload.family_id, for_update=True)
        visit = services.visit_record(acting_user=user, family=family, data=data,
                                      contact=_contact(user, payload.contact_id), own=own,
                                      family_locked=True)
    return Status(201, visit_out(visit, family_name=family.head_name))


class VisitPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[VisitOut]


class VisitQuery(Schema):
    family_id: int | None = None
    region: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str = ""
    late: bool = False
    contact_id: int | None = None
    page: int = 1
    page_size: int = 50


@router.get("", response=VisitPage, summary="走访记录列表(筛选、分页)")
def list_visits(request, query: Query[VisitQuery]):
    user = request.auth
    if not has_perm(user, "family.view"):
        raise Http404
    data = query.dict()
    page, size = max(1, data.pop("page")), max(1, min(200, data.pop("page_size")))
    filters = VisitFilters(region=data["region"], family=data["family_id"], date_from=data["date_from"],
                           date_to=data["date_to"], channel=data["channel"], late=data["late"],
                           contact=data["contact_id"])
    qs = visit_list(user, filters)
    count = qs.count()
    rows = list(qs[(page - 1) * size: page * size])
    audit_sensitive_read(user, action="visit.listed", object_type="visit",
                 object_repr=f"API 查询走访记录第 {page} 页", region_code=user.region_id,
                 changes={"filters": {k: str(v) for k, v in data.items() if v}, "rows": len(rows)})
    return VisitPage(count=count, page=page, page_size=size, results=[visit_out(v) for v in rows])


# ---------------------------------------------------------------- historical visit import
# Defined before "/{visit_id}" so that "/imports" is not taken for a visit's id. The same
# shape as the family import (/api/imports): upload → dry run (the job's report) → commit.

def _require_import(user) -> None:
    # The import page's rule (visit.record and family.import); anyone else sees nothing.
    if not IMPORT_KIND.allowed(user):
        raise Http404


@router.get("/imports/template.xlsx", summary="下载历史走访导入模板(xlsx)")
def download_import_template(request):
    _require_import(request.auth)
    return xlsx_response(IMPORT_KIND.template_xlsx(), IMPORT_KIND.template_filename)


@router.post("/imports", response={201: ImportJobOut},
             summary="上传历史走访记录(multipart:file,xlsx/CSV;region_code 导入范围),开始检查(不写入)")
def upload_import(request, file: File[UploadedFile], region_code: Form[str] = ""):
    user = request.auth
    _require_import(user)
    try:
        region = region_get_for_user(user, region_code or user.region_id)
    except Http404:
        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None
    job = import_job_create(acting_user=user, region=region, filename=file.name or "upload.xlsx", data=file.read())
    job.refresh_from_db()
    return Status(201, job_out(job))


@router.get("/imports/{int:job_id}", response=ImportJobOut,
            summary="历史走访导入任务的状态、进度与逐行检查报告(行号、错误原因;报告可分页)")
def get_import(request, job_id: int, query: Query[ReportQuery]):
    _require_import(request.auth)
    return job_out(visit_import_job_get_for_user(request.auth, job_id), query)


@router.post("/imports/{int:job_id}/commit", response={202: ImportJobOut},
             summary="确认导入:写入全部有效行(一个事务)")
def commit_import(request, job_id: int):
    _require_import(request.auth)
    job = visit_import_job_get_for_user(request.auth, job_id)
    job = import_commit_request(job=job, acting_user=request.auth)
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get("/imports/{int:job_id}/errors.xlsx", summary="下载历史走访导入的错误行(原始列 + 行号 + 错误原因)")
def download_import_errors(request, job_id: int):
    _require_import(request.auth)
    job = visit_import_job_get_for_user(request.auth, job_id)
    return api_errors_download(IMPORT_KIND, job, acting_user=request.auth)


@router.get("/{visit_id}", response=VisitOut, summary="走访记录详情")
def get_visit(request, visit_id: int):
    visit = visit_get_for_user(request.auth, visit_id)
    audit_sensitive_read(request.auth, action="visit.viewed", obj=visit)
    return visit_out(visit)


@router.patch("/{visit_id}", response=VisitOut, summary="修改走访记录(记录人或乡镇、县级干部)")
def update_visit(request, visit_id: int, payload: VisitFields):
    visit = visit_get_for_user(request.auth, visit_id, write=True)
    data = _text_fields(payload.dict(exclude_unset=True))
    if "visit_date" in data and data["visit_date"] is None:
        raise ValidationError({"visit_date": "请填写走访日期"})
    services.visit_update(acting_user=request.auth, visit=visit, data=data)
    return visit_out(visit)


class ReasonIn(Schema):
    reason: str


@router.delete("/{visit_id}", response={204: None}, summary="删除走访记录(须填写理由)")
def delete_visit(request, visit_id: int, payload: ReasonIn):
    visit = visit_get_for_user(request.auth, visit_id, write=True)
    services.visit_delete(acting_user=request.auth, visit=visit, reason=payload.reason)
    return Status(204, None)


# ---------------------------------------------------------------- photos

class PhotoOut(Schema):
    id: int
    visit_id: int
    content_type: str
    size: int | None
    uploaded_at: dt.datetime
    url: str  # the download checks the caller's jurisdiction again


def photo_out(photo: VisitPhoto) -> PhotoOut:
    try:
        size = photo.image.size
    except (OSError, ValueError):
        size = None  # the file is missing from storage; the row still lists it
    return PhotoOut(id=photo.pk, visit_id=photo.visit_id, content_type=photo.content_type, size=size,
                    uploaded_at=photo.uploaded_at, url=f"/api/visits/photos/{photo.pk}")


@router.post("/{int:visit_id}/photos", response={201: list[PhotoOut]},
             summary="为走访记录添加照片(multipart:photos,可多张;JPEG/PNG,每张不超过 8 MB,每条记录最多 9 张)")
def add_photos(request, visit_id: int, photos: File[list[UploadedFile]] = None):
    # The rule of editing the visit: its recorder, or a township or county officer above it.
    visit = visit_get_for_user(request.auth, visit_id, write=True)
    added = services.visit_add_photos(acting_user=request.auth, visit=visit, photos=photos or [])
    return Status(201, [photo_out(p) for p in added])


@router.get("/{int:visit_id}/photos", response=list[PhotoOut], summary="走访记录的照片(元数据与下载地址)")
def list_photos(request, visit_id: int):
    visit = visit_get_for_user(request.auth, visit_id)
    audit_sensitive_read(request.auth, action="visit.viewed", obj=visit)
    return [photo_out(p) for p in visit.photos.order_by("pk")]


@router.get("/photos/{int:photo_id}", summary="下载走访照片")
def download_photo(request, photo_id: int):
    return photo_response(request.auth, photo_id)


# ---------------------------------------------------------------- major events

class EventOut(Schema):
    id: int
    family_id: int
    family_name: str
    region_code: str
    kind: str
    kind_label: str
    petition_level: str
    event_date: dt.date
    description: str
    state: str
    state_label: str
    response_due: dt.date
    responded_on: dt.date | None
    overdue: bool
    outcome: str
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    visit_ids: list[int] | None = None


def event_out(e: MajorEvent, *, with_visits: bool = False) -> EventOut:
    return EventOut(
        id=e.pk, family_id=e.family_id, family_name=e.family.head_name, region_code=e.region_id, kind=e.kind,
        kind_label=e.get_kind_display(), petition_level=e.petition_level, event_date=e.event_date,
        description=e.description, state=e.state, state_label=e.get_state_display(), response_due=e.response_due,
        responded_on=e.responded_on, overdue=event_is_overdue(e), outcome=e.outcome, reported_at=e.reported_at,
        closed_at=e.closed_at,
        visit_ids=list(e.visits.order_by("visit_date", "id").values_list("pk", flat=True)) if with_visits else None,
    )


class EventIn(Schema):
    family_id: int
    kind: str
    event_date: dt.date
    description: str
    petition_level: str = ""


@events_router.post("", response={201: EventOut}, summary="上报重大事件(通知县级,省级/进京信访倾向同时通知市级)")
def report_event(request, payload: EventIn):
    family = family_for_recording(request.auth, payload.family_id)
    event = services.event_report(acting_user=request.auth, family=family, kind=payload.kind,
                                  event_date=payload.event_date, description=payload.description,
                                  petition_level=payload.petition_level)
    return Status(201, event_out(event, with_visits=True))


class EventPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EventOut]


class EventQuery(Schema):
    state: str = "open"
    kind: str = ""
    family_id: int | None = None
    region: str = ""
    overdue: bool = False
    page: int = 1
    page_size: int = 50


@events_router.get("", response=EventPage, summary="重大事件列表(默认处理中,逾期最久的在前)")
def list_events(request, query: Query[EventQuery]):
    user = request.auth
    if not has_perm(user, "family.view"):
        raise Http404
    data = query.dict()
    page, size = max(1, data.pop("page")), max(1, min(200, data.pop("page_size")))
    filters = EventFilters(state=data["state"], kind=data["kind"], family=data["family_id"], region=data["region"],
                           overdue=data["overdue"])
    qs = event_list(user, filters)
    count = qs.count()
    rows = list(qs[(page - 1) * size: page * size])
    audit_sensitive_read(user, action="event.listed", object_type="majorevent",
                 object_repr=f"API 查询重大事件第 {page} 页", region_code=user.region_id,
                 changes={"filters": {k: str(v) for k, v in data.items() if v}, "rows": len(rows)})
    return EventPage(count=count, page=page, page_size=size, results=[event_out(e) for e in rows])


@events_router.get("/{event_id}", response=EventOut, summary="重大事件详情(含对应走访)")
def get_event(request, event_id: int):
    event = event_get_for_user(request.auth, event_id)
    audit_sensitive_read(request.auth, action="event.viewed", obj=event)
    return event_out(event, with_visits=True)


class CloseIn(Schema):
    outcome: str


@events_router.post("/{event_id}/close", response=EventOut, summary="办结重大事件(乡镇、县级干部;须已上门)")
def close_event(request, event_id: int, payload: CloseIn):
    event = event_get_for_user(request.auth, event_id, close=True)
    services.event_close(acting_user=request.auth, event=event, outcome=payload.outcome)
    return event_out(event, with_visits=True)
