"""JSON API for the archive; the same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .exports import family_list_xlsx
from .history import family_history
from .models import NEEDS, Family, Member
from .selectors import FamilyFilters, family_get_for_user, family_list, member_get_for_user

router = Router(tags=["家庭档案"])


class MemberOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    sex: str
    id_number_masked: str
    birth_date: dt.date
    is_alive: bool
    death_date: dt.date | None
    phone_masked: str
    hukou: str
    marital: str


class FamilyOut(Schema):
    id: int
    region_code: str
    region_name: str
    head_name: str
    address: str
    category: str
    category_label: str
    disability_grade: int | None
    certificate_no: str
    registered_on: dt.date
    status: str
    exit_reason: str
    exit_date: dt.date | None
    exit_note: str
    health: str
    mental: str
    living: str
    income: str
    housing: str
    pension: str
    medical: str
    needs: list[str]
    needs_note: str
    risk_flags: list[str]
    bank_name: str
    account_holder: str
    bank_account_masked: str
    members: list[MemberOut]


def member_out(m: Member) -> MemberOut:
    return MemberOut(id=m.pk, role=m.role, role_label=m.get_role_display(), name=m.name, sex=m.sex,
                     id_number_masked=m.id_number_masked, birth_date=m.birth_date, is_alive=m.is_alive,
                     death_date=m.death_date, phone_masked=m.phone_masked, hukou=m.hukou, marital=m.marital)


def family_out(f: Family) -> FamilyOut:
    return FamilyOut(
        id=f.pk, region_code=f.region_id, region_name=f.region.name, head_name=f.head_name, address=f.address,
        category=f.category, category_label=f.get_category_display(), disability_grade=f.disability_grade,
        certificate_no=f.certificate_no, registered_on=f.registered_on, status=f.status, exit_reason=f.exit_reason,
        exit_date=f.exit_date, exit_note=f.exit_note, health=f.health, mental=f.mental, living=f.living,
        income=f.income, housing=f.housing, pension=f.pension, medical=f.medical,
        needs=[name for name, _ in NEEDS if getattr(f, name)], needs_note=f.needs_note,
        risk_flags=list(f.risk_flags or []), bank_name=f.bank_name, account_holder=f.account_holder,
        bank_account_masked=f.bank_account_masked, members=[member_out(m) for m in f.members.all()],
    )


class FamilyPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[FamilyOut]


class ListQuery(Schema):
    region: str = ""
    category: str = ""
    status: str = ""
    health: str = ""
    need: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 50


@router.get("", response=FamilyPage, summary="家庭列表(筛选、搜索、分页;敏感字段脱敏)")
def list_families(request, query: Query[ListQuery]):
    if not has_perm(request.auth, "family.view"):
        raise Http404
    data = query.dict()
    page, size = max(1, data.pop("page")), max(1, min(200, data.pop("page_size")))
    qs = family_list(request.auth, FamilyFilters(**data))
    count = qs.count()
    rows = list(qs[(page - 1) * size: page * size])
    audit_sensitive_read(request.auth, action="family.listed", object_type="family",
                 object_repr=f"API 查询家庭列表第 {page} 页", region_code=request.auth.region_id,
                 changes={"filters": {k: v for k, v in data.items() if v}, "rows": len(rows)})
    return FamilyPage(count=count, page=page, page_size=size, results=[family_out(f) for f in rows])


@router.get("/export.xlsx", summary="导出筛选后的家庭名单(xlsx,脱敏)")
def export_families(request, query: Query[ListQuery]):
    if not has_perm(request.auth, "family.export"):
        raise Http404
    data = query.dict()
    data.pop("page"), data.pop("page_size")
    filters = FamilyFilters(**data)
    content, count = family_list_xlsx(family_list(request.auth, filters))
    audit_record(actor=request.auth, action="family.exported", object_type="family", object_repr=f"导出 {count} 户(脱敏)",
                 region_code=request.auth.region_id, changes={"filters": {k: v for k, v in data.items() if v},
                                                             "rows": count})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=families-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return response


class MemberIn(Schema):
    role: str
    name: str
    sex: str = ""
    id_number: str = ""
    birth_date: dt.date | None = None
    is_alive: bool = True
    death_date: dt.date | None = None
    phone: str = ""
    hukou: str = ""
    marital: str = ""


class FamilyFields(Schema):
    head_name: str | None = None
    address: str | None = None
    category: str | None = None
    disability_grade: int | None = None
    certificate_no: str | None = None
    registered_on: dt.date | None = None
    health: str | None = None
    mental: str | None = None
    living: str | None = None
    income: str | None = None
    housing: str | None = None
    pension: str | None = None
    medical: str | None = None
    needs: list[str] | None = None
    needs_note: str | None = None
    risk_flags: list[str] | None = None
    bank_name: str | None = None
    account_holder: str | None = None
    bank_account: str | None = None


class FamilyIn(FamilyFields):
    region_code: str
    head_name: str
    category: str
    registered_on: dt.date
    members: list[MemberIn]
    confirm_duplicates: bool = False


class FamilyPatch(FamilyFields):
    region_code: str | None = None


def _service_fields(payload: FamilyFields, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    for key in ("region_code", "members", "confirm_duplicates"):
        data.pop(key, None)
    needs = data.pop("needs", None)
    if needs is not None:
        unknown = set(needs) - {n for n, _ in NEEDS}
        if unknown:
            raise HttpError(422, f"未知的诉求:{'、'.join(sorted(unknown))}")
        for name, _ in NEEDS:
            data[name] = name in needs
    if not partial:
        data = {k: v for k, v in data.items() if v is not None}
    return data


def _region(request, code: str):
    try:
        return region_get_for_user(request.auth, code)
    except Http404:
        from django.core.exceptions import ValidationError

        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None


@router.post("", response={201: FamilyOut}, summary="新建家庭档案")
def create_family(request, payload: FamilyIn):
    if not has_perm(request.auth, "family.edit"):
        raise Http404
    family = services.family_create(
        acting_user=request.auth, region=_region(request, payload.region_code),
        data=_service_fields(payload, partial=False), members=[m.dict() for m in payload.members],
        confirm_duplicates=payload.confirm_duplicates,
    )
    return Status(201, family_out(family))


@router.get("/{family_id}", response=FamilyOut, summary="家庭档案详情")
def get_family(request, family_id: int):
    family = family_get_for_user(request.auth, family_id)
    audit_sensitive_read(request.auth, action="family.viewed", obj=family)
    return family_out(family)


@router.patch("/{family_id}", response=FamilyOut, summary="修改家庭档案")
def update_family(request, family_id: int, payload: FamilyPatch):
    family = family_get_for_user(request.auth, family_id, write=True)
    region = _region(request, payload.region_code) if payload.region_code else None
    services.family_update(acting_user=request.auth, family=family, data=_service_fields(payload, partial=True),
                           region=region)
    return family_out(family_get_for_user(request.auth, family_id))


class ExitIn(Schema):
    reason: str
    exit_date: dt.date
    note: str = ""


@router.post("/{family_id}/exit", response=FamilyOut, summary="办理退出")
def exit_family(request, family_id: int, payload: ExitIn):
    family = family_get_for_user(request.auth, family_id, write=True)
    services.family_exit(acting_user=request.auth, family=family, reason=payload.reason,
                         exit_date=payload.exit_date, note=payload.note)
    return family_out(family)


class NoteIn(Schema):
    note: str


@router.post("/{family_id}/reinstate", response=FamilyOut, summary="恢复在册")
def reinstate_family(request, family_id: int, payload: NoteIn):
    family = family_get_for_user(request.auth, family_id, write=True)
    services.family_reinstate(acting_user=request.auth, family=family, note=payload.note)
    return family_out(family)


class MemberCreateIn(MemberIn):
    confirm_duplicates: bool = False


@router.post("/{family_id}/members", response={201: MemberOut}, summary="添加成员")
def add_member(request, family_id: int, payload: MemberCreateIn):
    family = family_get_for_user(request.auth, family_id, write=True)
    data = payload.dict()
    confirm = data.pop("confirm_duplicates")
    member = services.member_add(acting_user=request.auth, family=family, data=data, confirm_duplicates=confirm)
    return Status(201, member_out(member))


class MemberPatch(Schema):
    role: str | None = None
    name: str | None = None
    sex: str | None = None
    id_number: str | None = None
    birth_date: dt.date | None = None
    is_alive: bool | None = None
    death_date: dt.date | None = None
    phone: str | None = None
    hukou: str | None = None
    marital: str | None = None
    confirm_duplicates: bool = False


@router.patch("/members/{member_id}", response=MemberOut, summary="修改成员")
def update_member(request, member_id: int, payload: MemberPatch):
    member = member_get_for_user(request.auth, member_id, write=True)
    data = payload.dict(exclude_unset=True)
    confirm = data.pop("confirm_duplicates", False)
    services.member_update(acting_user=request.auth, member=member, data=data, confirm_duplicates=confirm)
    return member_out(member)


class ReasonIn(Schema):
    reason: str


@router.delete("/members/{member_id}", response={204: None}, summary="删除成员(须填写理由)")
def delete_member(request, member_id: int, payload: ReasonIn):
    member = member_get_for_user(request.auth, member_id, write=True)
    services.member_remove(acting_user=request.auth, member=member, reason=payload.reason)
    return Status(204, None)


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


@router.post("/members/{member_id}/reveal", response=RevealOut, summary="查看完整身份证号或电话(须填理由,留痕)")
def reveal_member(request, member_id: int, payload: RevealIn):
    if not has_perm(request.auth, "sensitive.reveal"):
        raise Http404
    member = member_get_for_user(request.auth, member_id)
    value = services.sensitive_reveal(acting_user=request.auth, obj=member, field_name=payload.field,
                                      reason=payload.reason)
    return RevealOut(field=payload.field, value=value)


@router.post("/{family_id}/reveal", response=RevealOut, summary="查看完整银行账号(须填理由,留痕)")
def reveal_family(request, family_id: int, payload: RevealIn):
    if not has_perm(request.auth, "sensitive.reveal"):
        raise Http404
    family = family_get_for_user(request.auth, family_id)
    value = services.sensitive_reveal(acting_user=request.auth, obj=family, field_name=payload.field,
                                      reason=payload.reason)
    return RevealOut(field=payload.field, value=value)


class HistoryOut(Schema):
    when: dt.datetime
    who: str
    what: str
    subject: str
    changes: list[tuple[str, str, str]]


@router.get("/{family_id}/history", response=list[HistoryOut], summary="档案变更历史")
def get_history(request, family_id: int):
    family = family_get_for_user(request.auth, family_id)
    return [HistoryOut(**vars(e)) for e in family_history(family)]
