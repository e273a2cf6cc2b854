"""JSON API of dual contacts: the same services and access functions as the pages.

Anything outside the caller's jurisdiction, or an action the caller may not
take, is a 404; errors take the one shape ``{code, message, fields}``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.families.import_jobs import api_errors_download
from guanhuai.families.models import ImportJob
from guanhuai.families.models import Status as FamilyStatus
from guanhuai.families.selectors import families_for_user, family_get_for_user
from guanhuai.regions.codes import COUNTY, TOWNSHIP
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .cards import families_cards_pdf, family_card_pdf
from .exports import roster_xlsx
from .importing import roster_job_commit_request, roster_job_create
from .models import Assignment, CardIssue, ContactPerson
from .selectors import (
    ContactFilters,
    active_assignments,
    assignable_contacts,
    assignment_get_for_user,
    assignment_history,
    contact_active_assignments,
    contact_get_for_user,
    contact_list,
    coverage_by_child_region,
    families_missing_contacts,
    pending_cards,
    roster_job_get_for_user,
)
from .views_import import KIND

router = Router(tags=["双岗联系人"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


# ---------------------------------------------------------------- schemas

class ContactOut(Schema):
    id: int
    region_code: str
    region_name: str
    name: str
    kind: str
    kind_label: str
    post: str
    unit: str
    phone: str  # in full for users who maintain the roster, masked otherwise
    is_active: bool
    left_on: dt.date | None
    active_families: int | None = None


def contact_out(c: ContactPerson, user) -> ContactOut:
    return ContactOut(id=c.pk, region_code=c.region_id, region_name=c.region.name, name=c.name, kind=c.kind,
                      kind_label=c.get_kind_display(), post=c.post, unit=c.unit,
                      phone=c.phone if has_perm(user, "contacts.manage") else c.phone_masked,
                      is_active=c.is_active, left_on=c.left_on,
                      active_families=getattr(c, "active_families", None))


class ContactPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ContactOut]


class ContactQuery(Schema):
    kind: str = ""
    region: str = ""
    active: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 50


class ContactIn(Schema):
    region_code: str
    name: str
    kind: str
    post: str = ""
    unit: str = ""
    phone: str = ""


class ContactPatch(Schema):
    name: str | None = None
    kind: str | None = None
    post: str | None = None
    unit: str | None = None
    phone: str | None = None
    is_active: bool | None = None
    left_on: dt.date | None = None


class AssignmentOut(Schema):
    id: int
    family_id: int
    slot: str
    slot_label: str
    contact_id: int
    contact_name: str
    contact_post: str
    contact_phone_masked: str
    start_date: dt.date
    end_date: dt.date | None
    reason: str
    end_reason: str
    entry_deadline: dt.date
    entry_deadline_provisional: bool
    is_late: bool


def assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(id=a.pk, family_id=a.family_id, slot=a.slot, slot_label=a.get_slot_display(),
                         contact_id=a.contact_id, contact_name=a.contact.name, contact_post=a.contact.post,
                         contact_phone_masked=a.contact.phone_masked, start_date=a.start_date, end_date=a.end_date,
                         reason=a.reason, end_reason=a.end_reason, entry_deadline=a.entry_deadline,
                         entry_deadline_provisional=a.entry_deadline_provisional, is_late=a.is_late)


class ContactDetailOut(ContactOut):
    assignments: list[AssignmentOut]


class FamilyAssignmentsOut(Schema):
    family_id: int
    first: AssignmentOut | None
    second: AssignmentOut | None
    leaders: list[AssignmentOut]
    card_pending: bool
    history: list[AssignmentOut]


class AssignmentIn(Schema):
    slot: str
    contact_id: int
    start_date: dt.date
    reason: str = ""


class EndIn(Schema):
    end_date: dt.date
    reason: str


class HandoverIn(Schema):
    from_contact_id: int
    to_contact_id: int
    change_date: dt.date
    reason: str
    mark_left: bool = True
    confirm: bool = False  # false: only say how many families would move


class HandoverOut(Schema):
    families: int
    moved: bool


class CoverageRowOut(Schema):
    region_code: str
    region_name: str
    families: int
    with_first: int
    with_second: int
    covered: int
    rate: float | None


class MissingOut(Schema):
    family_id: int
    head_name: str
    region_code: str
    village: str
    has_first: bool
    has_second: bool


class CoverageOut(Schema):
    total: CoverageRowOut
    children: list[CoverageRowOut]
    missing_count: int
    missing: list[MissingOut]


class CardOut(Schema):
    id: int
    family_id: int
    head_name: str
    region_code: str
    village: str
    reason: str
    queued_at: dt.datetime


class CardsIssuedIn(Schema):
    family_ids: list[int]
    issued_on: dt.date


class CardsIssuedOut(Schema):
    issued: int


class RosterRowOut(Schema):
    row: int
    errors: list[str]
    warnings: list[str]
    summary: str
    changes: list[str]


class RosterJobOut(Schema):
    id: int
    filename: str
    region_code: str
    state: str
    state_label: str
    progress: int
    total_rows: int
    valid_rows: int
    error_rows: int
    committed_rows: int
    message: str
    created_at: dt.datetime
    report: list[RosterRowOut]


def job_out(job: ImportJob) -> RosterJobOut:
    return RosterJobOut(id=job.pk, filename=job.filename, region_code=job.region_id, state=job.state,
                        state_label=job.get_state_display(), progress=job.progress, total_rows=job.total_rows,
                        valid_rows=job.valid_rows, error_rows=job.error_rows, committed_rows=job.committed_rows,
                        message=job.message, created_at=job.created_at,
                        report=[RosterRowOut(**{"changes": [], **e}) for e in (job.report or [])[:1000]])


# ---------------------------------------------------------------- contacts

@router.get("", response=ContactPage, summary="联系人名册(筛选、搜索、分页)")
def list_contacts(request, query: Query[ContactQuery]):
    user = request.auth
    _require(user, "family.view")
    data = query.dict()
    page, size = max(1, data.pop("page")), max(1, min(200, data.pop("page_size")))
    qs = contact_list(user, ContactFilters(**data))
    rows = list(qs[(page - 1) * size: page * size])
    audit_sensitive_read(user, action="contact.listed", object_type="contactperson",
                 object_repr=f"API 查询联系人名册第 {page} 页", region_code=user.region_id,
                 changes={"filters": {k: v for k, v in data.items() if v}, "rows": len(rows)})
    return ContactPage(count=qs.count(), page=page, page_size=size, results=[contact_out(c, user) for c in rows])


@router.post("", response={201: ContactOut}, summary="登记联系人")
def create_contact(request, payload: ContactIn):
    user = request.auth
    _require(user, "contacts.manage")
    try:
        region = region_get_for_user(user, payload.region_code)
    except Http404:
        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None
    contact = services.contact_create(acting_user=user, region=region, name=payload.name, kind=payload.kind,
                                      post=payload.post, unit=payload.unit, phone=payload.phone)
    return Status(201, contact_out(contact, user))


@router.get("/{int:contact_id}", response=ContactDetailOut, summary="联系人详情及其正在联系的家庭")
def get_contact(request, contact_id: int):
    user = request.auth
    contact = contact_get_for_user(user, contact_id)
    audit_sensitive_read(user, action="contact.viewed", obj=contact)
    out = contact_out(contact, user).dict()
    return ContactDetailOut(**out, assignments=[assignment_out(a) for a in contact_active_assignments(contact)])


@router.patch("/{int:contact_id}", response=ContactOut, summary="修改联系人(职务、电话、在岗状态等)")
def update_contact(request, contact_id: int, payload: ContactPatch):
    user = request.auth
    contact = contact_get_for_user(user, contact_id, write=True)
    services.contact_update(acting_user=user, contact=contact, data=payload.dict(exclude_unset=True))
    return contact_out(contact_get_for_user(user, contact_id), user)


# ---------------------------------------------------------------- a family's assignments

def _family_assignments(family) -> FamilyAssignmentsOut:
    active = active_assignments(family)
    first, second = active["first"], active["second"]
    return FamilyAssignmentsOut(
        family_id=family.pk, first=assignment_out(first[0]) if first else None,
        second=assignment_out(second[0]) if second else None,
        leaders=[assignment_out(a) for a in active["leader"]],
        card_pending=CardIssue.objects.filter(family=family, state=CardIssue.State.PENDING).exists(),
        history=[assignment_out(a) for a in assignment_history(family)],
    )


@router.get("/families/{int:family_id}/assignments", response=FamilyAssignmentsOut,
            summary="家庭的第一、第二联系人、领导干部联系帮扶及分工历史")
def family_assignments(request, family_id: int):
    family = family_get_for_user(request.auth, family_id)
    return _family_assignments(family)


@router.post("/families/{int:family_id}/assignments", response={201: AssignmentOut},
             summary="确定或更换家庭的联系人(原联系人自起始日期结束,生成待发放联系卡)")
def set_assignment(request, family_id: int, payload: AssignmentIn):
    user = request.auth
    _require(user, "contacts.manage")
    family = family_get_for_user(user, family_id)
    contact = assignable_contacts(user, family).filter(pk=payload.contact_id).first()
    if contact is None:
        raise ValidationError({"contact_id": "联系人不存在、已离岗,或其所在区划不包含该家庭"})
    assignment = services.assignment_set(acting_user=user, family=family, slot=payload.slot, contact=contact,
                                         start_date=payload.start_date, reason=payload.reason)
    return Status(201, assignment_out(assignment))


@router.post("/assignments/{int:assignment_id}/end", response=AssignmentOut, summary="结束领导干部联系帮扶")
def end_assignment(request, assignment_id: int, payload: EndIn):
    user = request.auth
    assignment = assignment_get_for_user(user, assignment_id, write=True)
    services.assignment_end(acting_user=user, assignment=assignment, end_date=payload.end_date,
                            reason=payload.reason)
    return assignment_out(assignment)


@router.post("/handover", response=HandoverOut,
             summary="批量交接:离任联系人的全部家庭一次移交接任人(confirm=false 时只返回户数)")
def handover(request, payload: HandoverIn):
    user = request.auth
    _require(user, "contacts.manage")
    source = contact_get_for_user(user, payload.from_contact_id, write=True)
    target = contact_get_for_user(user, payload.to_contact_id, write=True)
    if not payload.confirm:
        return HandoverOut(families=contact_active_assignments(source).count(), moved=False)
    count = services.contacts_bulk_reassign(acting_user=user, from_contact=source, to_contact=target,
                                            change_date=payload.change_date, reason=payload.reason,
                                            mark_left=payload.mark_left)
    return HandoverOut(families=count, moved=True)


# ---------------------------------------------------------------- coverage and roster

def _row_out(r) -> CoverageRowOut:
    return CoverageRowOut(region_code=r.region.code, region_name=r.region.name, families=r.families,
                          with_first=r.with_first, with_second=r.with_second, covered=r.covered, rate=r.rate)


@router.get("/coverage/{code}", response=CoverageOut, summary="区划的双岗覆盖率(按下级区划)及缺少联系人的家庭")
def coverage(request, code: str, limit: int = 500):
    user = request.auth
    _require(user, "family.view")
    region = region_get_for_user(user, code)
    rows, total = coverage_by_child_region(user, region)
    missing = families_missing_contacts(user, region).order_by("region_id", "head_name", "id")
    listed = list(missing[:max(0, min(5000, limit))])
    return CoverageOut(
        total=_row_out(total), children=[_row_out(r) for r in rows], missing_count=missing.count(),
        missing=[MissingOut(family_id=f.pk, head_name=f.head_name, region_code=f.region_id, village=f.region.name,
                            has_first=f.has_first, has_second=f.has_second) for f in listed],
    )


@router.get("/roster/{code}", summary="导出县(或更小区划)的双岗联系人名册(xlsx;成员身份证号脱敏)")
def roster_export(request, code: str):
    user = request.auth
    _require(user, "family.export")
    region = region_get_for_user(user, code)
    if region.level < COUNTY:
        raise ValidationError({"code": "名册按县(市、区)导出,请选择一个县或更小的区划"})
    full = has_perm(user, "contacts.manage")
    data, count = roster_xlsx(user, region, full_phones=full)
    audit_record(actor=user, action="contacts.roster_exported", object_type="region", object_id=region.code,
                 object_repr=f"API 导出{region.name}双岗联系人名册 {count} 户", region_code=region.code,
                 changes={"rows": count, "contact_phones": "完整" if full else "脱敏", "member_ids": "脱敏"})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=contacts-{region.code}-{timezone.localdate():%Y%m%d}.xlsx"
    return response


# ---------------------------------------------------------------- cards

@router.get("/cards/pending", response=list[CardOut], summary="待发放的联系卡")
def cards_pending(request, region: str = ""):
    user = request.auth
    _require(user, "family.edit")
    scope = region_get_for_user(user, region) if region else None
    return [CardOut(id=c.pk, family_id=c.family_id, head_name=c.family.head_name, region_code=c.region_id,
                    village=c.family.region.name, reason=c.reason, queued_at=c.queued_at)
            for c in pending_cards(user, scope)[:5000]]


@router.post("/cards/issued", response=CardsIssuedOut, summary="登记联系卡已送达家庭(家庭已知晓联系人变更)")
def cards_issued(request, payload: CardsIssuedIn):
    user = request.auth
    _require(user, "family.edit")
    if payload.issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "送达日期不能晚于今天"})
    families = list(families_for_user(user).filter(pk__in=payload.family_ids))
    if len(families) != len(set(payload.family_ids)):
        raise Http404
    return CardsIssuedOut(issued=services.cards_mark_issued(acting_user=user, families=families,
                                                            issued_on=payload.issued_on))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename={filename}"
    return response


@router.get("/cards/families/{int:family_id}", summary="一户的联系卡(PDF)")
def family_card(request, family_id: int):
    user = request.auth
    _require(user, "family.edit")
    family = family_get_for_user(user, family_id)
    content = family_card_pdf(family, issued_on=timezone.localdate())
    audit_record(actor=user, action="card.printed", obj=family, changes={"cards": 1, "api": True})
    return _pdf(content, f"contact-card-{family.pk}.pdf")


@router.get("/cards/regions/{code}", summary="乡镇或村的联系卡(PDF,A4 每页 8 张;scope=all 为全部在册家庭)")
def region_cards(request, code: str, scope: str = "pending"):
    user = request.auth
    _require(user, "family.edit")
    region = region_get_for_user(user, code)
    if region.level < TOWNSHIP:
        raise ValidationError({"code": "联系卡按乡镇(街道)或村(居)打印"})
    if scope == "all":
        families = list(families_for_user(user).filter(status=FamilyStatus.ACTIVE,
                                                       region__code__startswith=region.prefix)
                        .select_related("region", "region__parent").order_by("region_id", "head_name", "id")[:2000])
    else:
        families = [c.family for c in pending_cards(user, region)[:2000]]
    content, count = families_cards_pdf(families, issued_on=timezone.localdate(), title=f"{region.name}联系卡")
    audit_record(actor=user, action="card.printed", object_type="region", object_id=region.code,
                 object_repr=f"API 打印{region.name}联系卡 {count} 张", region_code=region.code,
                 changes={"cards": count, "scope": scope})
    return _pdf(content, f"contact-cards-{region.code}.pdf")


# ---------------------------------------------------------------- roster import

@router.post("/imports", response={201: RosterJobOut}, summary="上传名册(multipart,字段 file),排队检查(不写入)")
def upload_roster(request, file: File[UploadedFile]):
    user = request.auth
    _require(user, "contacts.manage")
    job = roster_job_create(acting_user=user, filename=file.name, data=file.read())
    job.refresh_from_db()
    return Status(201, job_out(job))


@router.get("/imports/{int:job_id}", response=RosterJobOut, summary="名册导入任务的状态和逐行检查结果")
def get_roster_job(request, job_id: int):
    user = request.auth
    _require(user, "contacts.manage")
    return job_out(roster_job_get_for_user(user, job_id))


@router.post("/imports/{int:job_id}/commit", response=RosterJobOut, summary="确认写入检查通过的行(一个事务)")
def commit_roster_job(request, job_id: int):
    user = request.auth
    _require(user, "contacts.manage")
    job = roster_job_get_for_user(user, job_id)
    roster_job_commit_request(job=job, acting_user=user)
    return job_out(roster_job_get_for_user(user, job_id))


@router.get("/imports/{int:job_id}/errors", summary="名册导入的错误行(xlsx)")
def roster_job_errors(request, job_id: int):
    user = request.auth
    _require(user, "contacts.manage")
    job = roster_job_get_for_user(user, job_id)
    return api_errors_download(KIND, job, acting_user=user)
