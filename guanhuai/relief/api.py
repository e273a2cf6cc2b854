"""JSON API of relief: the same access functions and services as the pages.

A transition whose form was drawn from an older version of the application (another officer acted
first) answers 409 ``{"code": "conflict", ...}``; every other refusal uses the API's one error shape.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.families.selectors import family_get_for_user, member_get_for_user
from guanhuai.regions.selectors import region_get_for_user

from . import payments, services
from .forms_print import ROSTERS, application_pdf, roster_xlsx
from .models import Application, Batch, Line, Recovery, ReliefItem
from .selectors import (
    application_get_for_user,
    application_list,
    attachment_get_for_user,
    batch_get_for_user,
    batch_lines,
    batch_summary,
    batches_for_user,
    family_lines,
    items_active,
    objection_get_for_user,
    recoveries_for_user,
    recovery_get_for_user,
    roster,
)
from .services import StaleApplication

router = Router(tags=["关怀救助"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict = {}


class ItemOut(Schema):
    code: str
    name: str
    rule: str
    rule_note: str
    basis: str
    amount: Decimal
    amount_disabled: Decimal | None
    cover: Decimal | None
    amount_text: str
    frequency: str
    payee: str
    documents: list[str]
    notice_days: int
    mother_min_age: int | None


class StepOut(Schema):
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor_name: str
    acted_at: dt.datetime
    findings: str
    opinion: str
    signatory_1: str
    signatory_2: str


class AttachmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    original_name: str
    uploaded_at: dt.datetime


class ObjectionOut(Schema):
    id: int
    raised_on: dt.date
    raised_by: str
    content: str
    upheld: bool | None
    resolution: str
    resolved_at: dt.datetime | None


class LineOut(Schema):
    id: int
    batch_id: int
    application_id: int
    family_id: int
    region_code: str
    kind: str
    period: dt.date | None
    payee_name: str
    id_number_masked: str
    bank_name: str
    bank_account_masked: str
    amount: Decimal
    state: str
    bank_reason: str
    retry_of_id: int | None


class ApplicationRow(Schema):
    id: int
    item_code: str
    item_name: str
    family_id: int
    head_name: str
    region_code: str
    applied_on: dt.date
    amount: Decimal
    persons: int
    state: str
    state_label: str
    version: int


class ApplicationOut(ApplicationRow):
    member_id: int | None
    event_date: dt.date | None
    reason: str
    written: bool
    eligibility_note: str
    notice_start: dt.date | None
    notice_end: dt.date | None
    approved_on: dt.date | None
    revoked_on: dt.date | None
    revoke_reason: str
    missing_documents: list[str]
    recovery_id: int | None
    steps: list[StepOut]
    attachments: list[AttachmentOut]
    objections: list[ObjectionOut]
    lines: list[LineOut]


class ApplyIn(Schema):
    family_id: int | None = None
    item_code: str = ""
    reason: str = ""
    member_id: int | None = None
    event_date: dt.date | None = None
    written: bool = False
    applied_on: dt.date | None = None


class DecideIn(Schema):
    action: str = ""
    version: int | None = None
    opinion: str = ""
    findings: str = ""
    signatory_1: str = ""
    signatory_2: str = ""


class VersionIn(Schema):
    version: int | None = None
    note: str = ""


class RevokeIn(Schema):
    reason: str = ""
    version: int | None = None


class ObjectionIn(Schema):
    content: str = ""
    raised_by: str = ""
    raised_on: dt.date | None = None


class ResolveIn(Schema):
    upheld: bool = False
    resolution: str = ""


class BatchIn(Schema):
    period: dt.date | None = None
    title: str = ""
    region_code: str | None = None


class BatchOut(Schema):
    id: int
    region_code: str
    period: dt.date
    title: str
    state: str
    line_count: int
    total: Decimal
    exported_at: dt.datetime | None
    reconciled_at: dt.datetime | None


class BatchDetailOut(BatchOut):
    paid_total: Decimal
    failed_total: Decimal
    pending_total: Decimal
    skipped: list[str] = []
    lines: list[LineOut]


class ExportOut(Schema):
    password: str
    download_url: str
    note: str


class ReconcileOut(Schema):
    paid: int
    failed: int
    unchanged: int
    pending: int
    batch: BatchOut


class RepaymentIn(Schema):
    amount: Decimal | None = None
    paid_on: dt.date | None = None
    note: str = ""


class RepaymentOut(Schema):
    id: int
    amount: Decimal
    paid_on: dt.date
    note: str


class RecoveryOut(Schema):
    id: int
    application_id: int
    family_id: int
    region_code: str
    amount_due: Decimal
    repaid: Decimal
    outstanding: Decimal
    opened_on: dt.date
    settled_on: dt.date | None
    repayments: list[RepaymentOut] = []


def _item_out(i: ReliefItem) -> ItemOut:
    return ItemOut(code=i.code, name=i.name, rule=i.rule, rule_note=i.rule_note, basis=i.basis, amount=i.amount,
                   amount_disabled=i.amount_disabled, cover=i.cover, amount_text=i.amount_text, frequency=i.frequency,
                   payee=i.payee, documents=list(i.documents), notice_days=i.notice_days,
                   mother_min_age=i.mother_min_age)


def _row(a: Application) -> dict:
    return {"id": a.pk, "item_code": a.item.code, "item_name": a.item.name, "family_id": a.family_id,
            "head_name": a.family.head_name, "region_code": a.region_id, "applied_on": a.applied_on,
            "amount": a.amount, "persons": a.persons, "state": a.state, "state_label": a.get_state_display(),
            "version": a.version}


def _line_out(line: Line) -> LineOut:
    return LineOut(id=line.pk, batch_id=line.batch_id, application_id=line.application_id, family_id=line.family_id,
                   region_code=line.region_id, kind=line.kind, period=line.period, payee_name=line.payee_name,
                   id_number_masked=line.id_number_masked, bank_name=line.bank_name,
                   bank_account_masked=line.bank_account_masked, amount=line.amount, state=line.state,
                   bank_reason=line.bank_reason, retry_of_id=line.retry_of_id)


def _app_out(a: Application) -> ApplicationOut:
    a = Application.objects.select_related("item", "family", "region").get(pk=a.pk)
    recovery = Recovery.objects.filter(application=a).values_list("pk", flat=True).first()
    return ApplicationOut(
        **_row(a), member_id=a.member_id, event_date=a.event_date, reason=a.reason, written=a.written,
        eligibility_note=a.eligibility_note, notice_start=a.notice_start, notice_end=a.notice_end,
        approved_on=a.approved_on, revoked_on=a.revoked_on, revoke_reason=a.revoke_reason,
        missing_documents=services.missing_documents(a), recovery_id=recovery,
        steps=[StepOut(action=s.action, action_label=s.get_action_display(), from_state=s.from_state,
                       to_state=s.to_state, actor_name=s.actor_name, acted_at=s.acted_at, findings=s.findings,
                       opinion=s.opinion, signatory_1=s.signatory_1, signatory_2=s.signatory_2)
               for s in a.steps.all()],
        attachments=[AttachmentOut(id=t.pk, kind=t.kind, kind_label=t.get_kind_display(),
                                   original_name=t.original_name, uploaded_at=t.uploaded_at)
                     for t in a.attachments.all()],
        objections=[ObjectionOut(id=o.pk, raised_on=o.raised_on, raised_by=o.raised_by, content=o.content,
                                 upheld=o.upheld, resolution=o.resolution, resolved_at=o.resolved_at)
                    for o in a.objections.all()],
        lines=[_line_out(line) for line in family_lines(a)[:200]])


def _conflict(exc: StaleApplication):
    return Status(409, ErrorOut(code="conflict", message="; ".join(exc.messages)))


def _batch_out(b: Batch) -> dict:
    return {"id": b.pk, "region_code": b.region_id, "period": b.period, "title": b.title, "state": b.state,
            "line_count": b.line_count, "total": b.total, "exported_at": b.exported_at,
            "reconciled_at": b.reconciled_at}


def _batch_detail(b: Batch, skipped: list[str] | None = None) -> BatchDetailOut:
    s = batch_summary(b)
    return BatchDetailOut(**_batch_out(b), paid_total=s["paid"], failed_total=s["failed"], pending_total=s["pending"],
                          skipped=skipped or [], lines=[_line_out(line) for line in batch_lines(b)])


def _recovery_out(r: Recovery) -> RecoveryOut:
    repaid = sum((p.amount for p in r.repayments.all()), Decimal("0.00"))
    return RecoveryOut(id=r.pk, application_id=r.application_id, family_id=r.application.family_id,
                       region_code=r.region_id, amount_due=r.amount_due, repaid=repaid,
                       outstanding=r.amount_due - repaid, opened_on=r.opened_on, settled_on=r.settled_on,
                       repayments=[RepaymentOut(id=p.pk, amount=p.amount, paid_on=p.paid_on, note=p.note)
                                   for p in r.repayments.all()])


@router.get("/items", response=list[ItemOut], summary="救助项目(政策数据:条件、金额、频次、材料、公示天数)")
def list_items(request):
    _require(request.auth, "relief.view")
    return [_item_out(i) for i in items_active()]


@router.get("/applications", response=list[ApplicationRow], summary="辖区救助申请(mine=true 只列待我办理的)")
def list_applications(request, state: str = "", item: str = "", mine: bool = False):
    _require(request.auth, "relief.view")
    return [ApplicationRow(**_row(a)) for a in application_list(request.auth, state=state, item=item, mine=mine)[:500]]


@router.post("/applications", response={201: ApplicationOut}, summary="代家庭提出救助申请(立即审核资格,说明理由)")
def apply(request, payload: ApplyIn):
    user = request.auth
    _require(user, "relief.apply")
    try:
        family = family_get_for_user(user, payload.family_id)
    except Http404:
        raise ValidationError({"family_id": "家庭不存在或不在您的管辖范围内"}) from None
    item = items_active().filter(code=payload.item_code).first()
    if item is None:
        raise ValidationError({"item_code": "救助项目不存在或已停用"})
    member = None
    if payload.member_id:
        try:
            member = member_get_for_user(user, payload.member_id)
        except Http404:
            raise ValidationError({"member_id": "成员不存在或不在您的管辖范围内"}) from None
    app = services.application_apply(acting_user=user, family=family, item=item, reason=payload.reason,
                                     member=member, event_date=payload.event_date, written=payload.written,
                                     applied_on=payload.applied_on)
    return Status(201, _app_out(app))


@router.get("/applications/{int:application_id}", response=ApplicationOut, summary="救助申请详情及完整办理记录")
def get_application(request, application_id: int):
    app = application_get_for_user(request.auth, application_id)
    audit_sensitive_read(request.auth, action="relief.application_viewed", obj=app)
    return _app_out(app)


@router.post("/applications/{int:application_id}/decide", response={200: ApplicationOut, 409: ErrorOut},
             summary="村(居)调查 / 乡镇审查 / 县审核认定:approve、return(退回上一环节)或 reject")
def decide(request, application_id: int, payload: DecideIn):
    app = application_get_for_user(request.auth, application_id)
    try:
        app = services.application_decide(acting_user=request.auth, application=app, action=payload.action,
                                          expected_version=payload.version, opinion=payload.opinion,
                                          findings=payload.findings, signatory_1=payload.signatory_1,
                                          signatory_2=payload.signatory_2)
    except StaleApplication as exc:
        return _conflict(exc)
    return _app_out(app)


@router.post("/applications/{int:application_id}/resubmit", response={200: ApplicationOut, 409: ErrorOut},
             summary="退回补正后重新提交村(居)调查")
def resubmit(request, application_id: int, payload: VersionIn):
    app = application_get_for_user(request.auth, application_id)
    try:
        app = services.application_resubmit(acting_user=request.auth, application=app,
                                            expected_version=payload.version, note=payload.note)
    except StaleApplication as exc:
        return _conflict(exc)
    return _app_out(app)


@router.post("/applications/{int:application_id}/close-notice", response={200: ApplicationOut, 409: ErrorOut},
             summary="公示期满、异议均已处理:认定待发放")
def close_notice(request, application_id: int, payload: VersionIn):
    app = application_get_for_user(request.auth, application_id)
    try:
        app = services.application_close_notice(acting_user=request.auth, application=app,
                                                expected_version=payload.version)
    except StaleApplication as exc:
        return _conflict(exc)
    return _app_out(app)


@router.post("/applications/{int:application_id}/revoke", response={200: ApplicationOut, 409: ErrorOut},
             summary="撤销资格:计算已发放金额并立案追回")
def revoke(request, application_id: int, payload: RevokeIn):
    app = application_get_for_user(request.auth, application_id)
    try:
        app = services.application_revoke(acting_user=request.auth, application=app, reason=payload.reason,
                                          expected_version=payload.version)
    except StaleApplication as exc:
        return _conflict(exc)
    return _app_out(app)


@router.post("/applications/{int:application_id}/documents", response={201: AttachmentOut},
             summary="上传申请材料(multipart:kind、file;JPEG/PNG/PDF)")
def upload_document(request, application_id: int, kind: Form[str] = "", file: File[UploadedFile] = None):
    app = application_get_for_user(request.auth, application_id)
    if file is None:
        raise ValidationError({"file": "请选择要上传的文件"})
    t = services.attachment_add(acting_user=request.auth, application=app, kind=kind, upload=file)
    return Status(201, AttachmentOut(id=t.pk, kind=t.kind, kind_label=t.get_kind_display(),
                                     original_name=t.original_name, uploaded_at=t.uploaded_at))


@router.get("/documents/{int:attachment_id}", summary="下载申请材料")
def get_document(request, attachment_id: int):
    att = attachment_get_for_user(request.auth, attachment_id)
    audit_sensitive_read(request.auth, action="relief.document_viewed", obj=att.application)
    with att.file.open("rb") as handle:
        return HttpResponse(handle.read(), content_type=att.content_type)


@router.post("/applications/{int:application_id}/objections", response={201: ObjectionOut},
             summary="登记公示期间的异议")
def add_objection(request, application_id: int, payload: ObjectionIn):
    app = application_get_for_user(request.auth, application_id)
    o = services.objection_record(acting_user=request.auth, application=app, content=payload.content,
                                  raised_by=payload.raised_by, raised_on=payload.raised_on)
    return Status(201, ObjectionOut(id=o.pk, raised_on=o.raised_on, raised_by=o.raised_by, content=o.content,
                                    upheld=o.upheld, resolution=o.resolution, resolved_at=o.resolved_at))


@router.post("/objections/{int:objection_id}/resolve", response={200: ApplicationOut, 409: ErrorOut},
             summary="处理异议(成立则不予认定)")
def resolve_objection(request, objection_id: int, payload: ResolveIn):
    objection = objection_get_for_user(request.auth, objection_id)
    try:
        services.objection_resolve(acting_user=request.auth, objection=objection, upheld=payload.upheld,
                                   resolution=payload.resolution)
    except StaleApplication as exc:
        return _conflict(exc)
    return _app_out(objection.application)


@router.get("/applications/{int:application_id}/form.pdf", summary="申报表 PDF(表五 / 表七)")
def form_pdf(request, application_id: int):
    app = application_get_for_user(request.auth, application_id)
    # The 申报表 is the signed paper file: it prints ID and account numbers in full, so every print is logged.
    audit_record(actor=request.auth, action="relief.form_printed", obj=app, changes={"full_numbers": True})
    return HttpResponse(application_pdf(app), content_type="application/pdf")


def _roster_response(request, key: str, year: int | None):
    _require(request.auth, "relief.view")
    audit_sensitive_read(request.auth, action="relief.roster_exported", object_type="roster", object_id=key,
                         region_code=request.auth.region_id or "")
    response = HttpResponse(roster_xlsx(key, roster(request.auth, rules=ROSTERS[key][2], year=year)[:5000]),
                            content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="relief-{key}.xlsx"'
    return response


@router.get("/rosters/table6.xlsx", summary="表六 特殊救助花名册(xlsx,身份证号脱敏)")
def roster_table6(request, year: int | None = None):
    return _roster_response(request, "table6", year)


@router.get("/rosters/table8.xlsx", summary="表八 救助计划生育困难家庭花名册(xlsx,身份证号脱敏)")
def roster_table8(request, year: int | None = None):
    return _roster_response(request, "table8", year)


@router.get("/batches", response=list[BatchOut], summary="发放批次")
def list_batches(request):
    _require(request.auth, "relief.view")
    return [BatchOut(**_batch_out(b)) for b in batches_for_user(request.auth)[:500]]


@router.post("/batches", response={201: BatchDetailOut}, summary="编制本县某月的发放批次")
def create_batch(request, payload: BatchIn):
    user = request.auth
    _require(user, "relief.pay")
    try:
        region = region_get_for_user(user, payload.region_code or user.region_id)
    except Http404:
        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None
    if payload.period is None:
        raise ValidationError({"period": "请填写发放月份(该月任一天,如 2026-11-01)"})
    result = payments.batch_create(acting_user=user, region=region, period=payload.period, title=payload.title)
    return Status(201, _batch_detail(result.batch, result.skipped))


@router.get("/batches/{int:batch_id}", response=BatchDetailOut, summary="批次明细与合计(已到账、失败、待回盘)")
def get_batch(request, batch_id: int):
    batch = batch_get_for_user(request.auth, batch_id)
    audit_sensitive_read(request.auth, action="relief.batch_viewed", obj=batch)
    return _batch_detail(batch)


@router.post("/batches/{int:batch_id}/export", response=ExportOut,
             summary="导出银行文件(加密 xlsx);返回一次性显示的打开密码")
def export_batch(request, batch_id: int):
    batch = batch_get_for_user(request.auth, batch_id)
    _require(request.auth, "relief.pay")
    password = payments.batch_export(acting_user=request.auth, batch=batch)
    return ExportOut(password=password, download_url=reverse("api:relief_bank_file", args=[batch.pk]),
                     note="密码只返回这一次,系统只保存其哈希;重新导出会生成新密码")


@router.get("/batches/{int:batch_id}/bank.xlsx", url_name="relief_bank_file", summary="下载加密的银行文件")
def bank_file(request, batch_id: int):
    batch = batch_get_for_user(request.auth, batch_id)
    _require(request.auth, "relief.pay")
    data = Batch.objects.filter(pk=batch.pk).values_list("bank_file", flat=True).first()
    if not data:
        raise ValidationError("该批次尚未导出银行文件")
    audit_record(actor=request.auth, action="relief.bank_file_downloaded", obj=batch)
    response = HttpResponse(bytes(data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="relief-batch-{batch.pk}-bank.xlsx"'
    return response


@router.post("/batches/{int:batch_id}/reconcile", response=ReconcileOut,
             summary="导入银行回盘(multipart:file,加密文件另填 password)")
def reconcile(request, batch_id: int, password: Form[str] = "", file: File[UploadedFile] = None):
    batch = batch_get_for_user(request.auth, batch_id)
    _require(request.auth, "relief.pay")
    if file is None:
        raise ValidationError({"file": "请上传银行回盘文件"})
    result = payments.batch_reconcile(acting_user=request.auth, batch=batch, data=file.read(),
                                      filename=file.name or "return.xlsx", password=password)
    batch.refresh_from_db()
    return ReconcileOut(paid=result.paid, failed=result.failed, unchanged=result.unchanged, pending=result.pending,
                        batch=BatchOut(**_batch_out(batch)))


@router.get("/recoveries", response=list[RecoveryOut], summary="追回事项")
def list_recoveries(request):
    _require(request.auth, "relief.view")
    return [_recovery_out(r) for r in recoveries_for_user(request.auth).prefetch_related("repayments")[:500]]


@router.get("/recoveries/{int:recovery_id}", response=RecoveryOut, summary="追回详情与退款记录")
def get_recovery(request, recovery_id: int):
    return _recovery_out(recovery_get_for_user(request.auth, recovery_id))


@router.post("/recoveries/{int:recovery_id}/repayments", response={201: RecoveryOut}, summary="登记退款(追回完毕自动办结)")
def add_repayment(request, recovery_id: int, payload: RepaymentIn):
    recovery = recovery_get_for_user(request.auth, recovery_id)
    if payload.amount is None:
        raise ValidationError({"amount": "请填写退回金额"})
    services.repayment_record(acting_user=request.auth, recovery=recovery, amount=payload.amount,
                              paid_on=payload.paid_on, note=payload.note)
    return Status(201, _recovery_out(recovery_get_for_user(request.auth, recovery_id)))
