"""Writes of relief: apply, the approval steps, public notice and objections, revocation and recovery.

Every transition locks the application row (``select_for_update``) and checks the version the officer's
form was drawn from, so when two officers act on one application at once exactly one succeeds and the
other is told who got there first (``StaleApplication``). Payment batches are in ``payments.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.families.models import Family, Member

from . import eligibility
from .models import (
    ZERO,
    Application,
    Attachment,
    Batch,
    Document,
    Line,
    Objection,
    Recovery,
    ReliefItem,
    Repayment,
    State,
    Step,
)

# Which permission acts at which review step, where the step goes on approval, and where a send-back lands.
STEP_PERM = {State.VILLAGE: "relief.review_village", State.TOWNSHIP: "relief.review_township",
             State.COUNTY: "relief.review_county"}
STEP_LEVEL = {State.VILLAGE: "村(居)", State.TOWNSHIP: "乡镇", State.COUNTY: "县级卫健部门"}
FORWARD = {State.VILLAGE: State.TOWNSHIP, State.TOWNSHIP: State.COUNTY, State.COUNTY: State.NOTICE}
BACK = {State.VILLAGE: State.RETURNED, State.TOWNSHIP: State.VILLAGE, State.COUNTY: State.TOWNSHIP}
ACTIONS = ("approve", "return", "reject")
REVOCABLE = (State.NOTICE, State.APPROVED, State.PAID)

FILE_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
              b"%PDF-": ("application/pdf", "pdf")}
MAX_FILE_BYTES = 10 * 1024 * 1024


class StaleApplication(ValidationError):
    """Someone else changed the application since this officer's page was drawn (HTTP 409 in the API)."""


def in_jurisdiction(user, region_code: str) -> bool:
    return bool(getattr(user, "region_id", None)) and region_code.startswith(user.region.prefix)


def _require(user, perm: str, region_code: str, message: str) -> None:
    if not has_perm(user, perm) or not in_jurisdiction(user, region_code):
        raise PermissionDenied(message)


def _lock(application: Application, expected_version: int | None) -> Application:
    fresh = (Application.objects.select_for_update().select_related("item", "family", "region")
             .get(pk=application.pk))
    if expected_version is not None and fresh.version != expected_version:
        raise StaleApplication(_stale_message(fresh))
    return fresh


def _stale_message(app: Application) -> str:
    last = app.steps.order_by("-acted_at", "-id").first()
    who = f"{last.actor_name} 于 {timezone.localtime(last.acted_at):%m-%d %H:%M} {last.get_action_display()}" if last else "他人"
    return f"该申请刚刚已由{who},当前状态为“{app.get_state_display()}”;您的操作未执行,请刷新页面查看"


def _step(app: Application, action: str, from_state: str, user, **texts) -> Step:
    step = Step(application=app, action=action, from_state=from_state, to_state=app.state, actor=user,
                actor_name=getattr(user, "full_name", "") or getattr(user, "username", "") or "系统",
                acted_at=timezone.now(), **texts)
    step.full_clean(exclude=["application", "actor"])
    step.save()
    return step


def _move(app: Application, to_state: str, user, action: str, *, extra_fields=(), **texts) -> Step:
    from_state = app.state
    app.state = to_state
    app.version += 1
    app.save(update_fields=["state", "version", "updated_at", *extra_fields])
    step = _step(app, action, from_state, user, **texts)
    audit_record(actor=user, action=f"relief.{action}", obj=app,
                 changes={"state": [from_state, to_state], **{k: v for k, v in texts.items() if v}})
    return step


def _file_type(data: bytes) -> tuple[str, str]:
    for magic, kind in FILE_TYPES.items():
        if data.startswith(magic):
            return kind
    raise ValidationError({"documents": "申请材料只支持 JPEG、PNG 照片或 PDF 扫描件"})


def _attach(app: Application, kind: str, upload, user) -> Attachment:
    from django.core.files.base import ContentFile

    if kind not in Document.values:
        raise ValidationError({"kind": "请选择材料类别"})
    content = upload.read()
    if not content:
        raise ValidationError({"documents": "上传的文件是空的"})
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError({"documents": "单个材料文件不能超过 10 MB"})
    content_type, ext = _file_type(content)
    att = Attachment(application=app, kind=kind, content_type=content_type, uploaded_by=user,
                     original_name=(getattr(upload, "name", "") or "")[-120:])
    att.file.save(f"relief{app.pk}-{kind}.{ext}", ContentFile(content), save=False)
    att.save()
    return att


def application_apply(*, acting_user, family: Family, item: ReliefItem, reason: str, member: Member | None = None,
                      event_date: dt.date | None = None, written: bool = False, applied_on: dt.date | None = None,
                      documents: list[tuple[str, object]] | None = None) -> Application:
    """Apply on behalf of a family (or record its written application); eligibility is checked at once.

    A refusal raises ValidationError with the reasons in Chinese and writes nothing; an identical
    application sent twice (double click, two officers) meets the unique constraint and is refused too.
    """
    _require(acting_user, "relief.apply", family.region_id, "您没有代家庭提出救助申请的权限")
    today = timezone.localdate()
    applied_on = applied_on or today
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["请填写申请理由"]
    if applied_on > today:
        errors["applied_on"] = ["申请日期不能晚于今天"]
    if member is not None and member.family_id != family.pk:
        errors["member"] = ["所选成员不属于该家庭"]
    if errors:
        raise ValidationError(errors)
    verdict = eligibility.check(item, family, today=today, member=member, event_date=event_date)
    if not verdict.eligible:
        raise ValidationError({"item": verdict.refusals})
    try:
        with transaction.atomic():
            app = Application(item=item, family=family, region_id=family.region_id, member=verdict.member or member,
                              event_date=event_date or (verdict.member.death_date if verdict.member else None),
                              event_key=verdict.event_key, reason=reason.strip(), written=written,
                              applied_on=applied_on, amount=verdict.amount, persons=verdict.persons,
                              eligibility_note=verdict.explanation, created_by=acting_user)
            app.full_clean(exclude=["family", "item", "region", "member", "created_by"])
            app.save()
            for kind, upload in documents or []:
                _attach(app, kind, upload, acting_user)
            _step(app, Step.Action.APPLY, "", acting_user, opinion=app.reason)
            audit_record(actor=acting_user, action="relief.applied", obj=app,
                         changes={"item": item.code, "family": family.pk, "amount": str(app.amount),
                                  "event_key": app.event_key, "written": written})
    except IntegrityError:
        raise ValidationError({"item": [f"该家庭的{item.name}已有同一事项的申请,不能重复提交"]}) from None
    return app


def attachment_add(*, acting_user, application: Application, kind: str, upload) -> Attachment:
    """Add a document while the application is still being reviewed (by anyone who may apply or review it)."""
    allowed = any(has_perm(acting_user, p) for p in ("relief.apply", *STEP_PERM.values()))
    if not allowed or not in_jurisdiction(acting_user, application.region_id):
        raise PermissionDenied("您没有为该申请上传材料的权限")
    if not application.is_open:
        raise ValidationError("该申请已办结,不能再补充材料")
    with transaction.atomic():
        att = _attach(application, kind, upload, acting_user)
        audit_record(actor=acting_user, action="relief.document_added", obj=application,
                     changes={"kind": kind, "attachment": att.pk})
    return att


def missing_documents(app: Application) -> list[str]:
    have = set(app.attachments.values_list("kind", flat=True))
    labels = dict(Document.choices)
    return [labels.get(code, code) for code in app.item.documents if code not in have]


def application_decide(*, acting_user, application: Application, action: str, expected_version: int | None = None,
                       opinion: str = "", findings: str = "", signatory_1: str = "", signatory_2: str = "") -> Application:
    """One review step: 村(居)调查 → 乡镇审查 → 县审核认定, each only by its own level in its jurisdiction.

    ``approve`` moves on one step (the county's approval opens the public notice), ``return`` sends the
    application back one step with a reason, ``reject`` refuses it (不予认定) with a reason.
    """
    if action not in ACTIONS:
        raise ValidationError({"action": "操作无效(同意、退回或不予认定)"})
    today = timezone.localdate()
    with transaction.atomic():
        app = _lock(application, expected_version)
        if app.state not in STEP_PERM:
            raise StaleApplication(f"该申请当前为“{app.get_state_display()}”,不在审核环节")
        perm = STEP_PERM[app.state]
        _require(acting_user, perm, app.region_id,
                 f"“{app.get_state_display()}”环节须由{STEP_LEVEL[app.state]}经办人员办理,不能越级或代办")
        opinion, findings = (opinion or "").strip(), (findings or "").strip()
        errors: dict[str, list[str]] = {}
        if action in ("return", "reject") and not opinion:
            errors["opinion"] = ["退回或不予认定须写明理由"]
        if action == "approve" and app.state == State.VILLAGE:
            if not findings:
                errors["findings"] = ["请填写调查情况(出生时间、户口、生育状况、家庭经济等)"]
            if not opinion:
                errors["opinion"] = ["请填写村(居)意见"]
            if not (signatory_1 or "").strip():
                errors["signatory_1"] = ["请填写签字的计生专干姓名"]
            if not (signatory_2 or "").strip():
                errors["signatory_2"] = ["请填写签字的村(居)委会主任姓名"]
            missing = missing_documents(app)
            if missing:
                errors["documents"] = [f"缺少申请材料:{'、'.join(missing)}"]
        elif action == "approve" and not opinion:
            errors["opinion"] = ["请填写审查意见"]
        if errors:
            raise ValidationError(errors)
        texts = {"opinion": opinion, "findings": findings, "signatory_1": (signatory_1 or "").strip(),
                 "signatory_2": (signatory_2 or "").strip()}
        if action == "approve":
            extra = ()
            if FORWARD[app.state] == State.NOTICE:
                app.notice_start = today
                app.notice_end = today + dt.timedelta(days=app.item.notice_days)
                extra = ("notice_start", "notice_end")
            _move(app, FORWARD[app.state], acting_user, Step.Action.APPROVE, extra_fields=extra, **texts)
        elif action == "return":
            _move(app, BACK[app.state], acting_user, Step.Action.RETURN, **texts)
        else:
            _move(app, State.REJECTED, acting_user, Step.Action.REJECT, **texts)
    return app


def application_resubmit(*, acting_user, application: Application, expected_version: int | None = None,
                         note: str = "") -> Application:
    """After a send-back to the applicant (退回补正): corrected and submitted to the village again."""
    with transaction.atomic():
        app = _lock(application, expected_version)
        _require(acting_user, "relief.apply", app.region_id, "您没有重新提交救助申请的权限")
        if app.state != State.RETURNED:
            raise StaleApplication(f"该申请当前为“{app.get_state_display()}”,不需要重新提交")
        verdict = eligibility.check(app.item, app.family, today=timezone.localdate(), member=app.member,
                                    event_date=app.event_date, exclude_pk=app.pk)
        if not verdict.eligible:
            raise ValidationError({"item": verdict.refusals})
        _move(app, State.VILLAGE, acting_user, Step.Action.RESUBMIT, opinion=(note or "").strip())
    return app


def objection_record(*, acting_user, application: Application, content: str, raised_by: str = "",
                     raised_on: dt.date | None = None) -> Objection:
    """Record an objection received during the public notice."""
    _require(acting_user, "relief.review_county", application.region_id, "公示异议由县级卫健部门登记")
    if not (content or "").strip():
        raise ValidationError({"content": "请填写异议内容"})
    with transaction.atomic():
        app = _lock(application, None)
        if app.state != State.NOTICE:
            raise ValidationError("只有公示中的申请可以登记异议")
        objection = Objection(application=app, content=content.strip(), raised_by=(raised_by or "").strip(),
                              raised_on=raised_on or timezone.localdate(), recorded_by=acting_user)
        objection.full_clean(exclude=["application", "recorded_by"])
        objection.save()
        app.version += 1
        app.save(update_fields=["version", "updated_at"])
        _step(app, Step.Action.OBJECTION, app.state, acting_user, opinion=objection.content)
        audit_record(actor=acting_user, action="relief.objection_recorded", obj=app,
                     changes={"objection": objection.pk, "raised_by": objection.raised_by})
    return objection


def objection_resolve(*, acting_user, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Resolve an objection: an upheld one refuses the application (不予认定)."""
    app = objection.application
    _require(acting_user, "relief.review_county", app.region_id, "公示异议由县级卫健部门处理")
    if not (resolution or "").strip():
        raise ValidationError({"resolution": "请填写处理结果"})
    with transaction.atomic():
        app = _lock(app, None)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.resolved_at is not None:
            raise StaleApplication("该异议已处理")
        objection.upheld, objection.resolution = upheld, resolution.strip()
        objection.resolved_at, objection.resolved_by = timezone.now(), acting_user
        objection.save(update_fields=["upheld", "resolution", "resolved_at", "resolved_by"])
        text = f"异议{'成立' if upheld else '不成立'}:{objection.resolution}"
        if upheld and app.state == State.NOTICE:
            _move(app, State.REJECTED, acting_user, Step.Action.OBJECTION_RESOLVED, opinion=text)
        else:
            app.version += 1
            app.save(update_fields=["version", "updated_at"])
            _step(app, Step.Action.OBJECTION_RESOLVED, app.state, acting_user, opinion=text)
            audit_record(actor=acting_user, action="relief.objection_resolved", obj=app,
                         changes={"objection": objection.pk, "upheld": upheld})
    return objection


def application_close_notice(*, acting_user, application: Application, expected_version: int | None = None,
                             today: dt.date | None = None) -> Application:
    """End the public notice: approved for payment once its days have passed and every objection is resolved."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _lock(application, expected_version)
        _require(acting_user, "relief.review_county", app.region_id, "公示期满认定须由县级卫健部门办理")
        if app.state != State.NOTICE:
            raise StaleApplication(f"该申请当前为“{app.get_state_display()}”,不在公示期")
        if today < app.notice_end:
            raise ValidationError(f"公示期至 {app.notice_end:%Y-%m-%d} 止({app.item.notice_days} 天),"
                                  f"期满后方可认定")
        open_objections = app.objections.filter(resolved_at__isnull=True).count()
        if open_objections:
            raise ValidationError(f"还有 {open_objections} 条公示异议未处理,处理后方可认定")
        app.approved_on = today
        _move(app, State.APPROVED, acting_user, Step.Action.NOTICE_CLOSE, extra_fields=("approved_on",),
              opinion=f"公示 {app.item.notice_days} 天期满无异议(或异议不成立),认定通过")
    return app


def paid_total(app: Application) -> Decimal:
    from django.db.models import Sum

    return (app.lines.filter(state=Line.LineState.PAID).aggregate(s=Sum("amount"))["s"] or ZERO).quantize(ZERO)


def application_revoke(*, acting_user, application: Application, reason: str,
                       expected_version: int | None = None) -> Application:
    """Revoke eligibility (弄虚作假或不符合条件): pending unsent lines are withdrawn, money already paid
    is computed and a recovery is opened for it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写撤销资格的原因"})
    today = timezone.localdate()
    with transaction.atomic():
        app = _lock(application, expected_version)
        _require(acting_user, "relief.review_county", app.region_id, "撤销资格须由县级卫健部门办理")
        if app.state not in REVOCABLE:
            raise StaleApplication(f"该申请当前为“{app.get_state_display()}”,不能撤销资格")
        pending = list(app.lines.select_for_update().filter(state=Line.LineState.PENDING).select_related("batch"))
        if any(line.batch.state != Batch.BatchState.DRAFT for line in pending):
            raise ValidationError("该申请有款项已导出银行、正在发放中,请先导入银行回盘再撤销资格")
        from .payments import batch_refresh_totals

        for batch in {line.batch for line in pending}:
            Line.objects.filter(batch=batch, application=app, state=Line.LineState.PENDING).delete()
            batch_refresh_totals(batch)
        paid = paid_total(app)
        app.revoked_on, app.revoke_reason = today, reason.strip()
        _move(app, State.REVOKED, acting_user, Step.Action.REVOKE, extra_fields=("revoked_on", "revoke_reason"),
              opinion=f"{app.revoke_reason};已发放 {paid} 元" + (",立案追回" if paid else ""))
        if paid > 0:
            recovery = Recovery(application=app, region_id=app.region_id, amount_due=paid, opened_on=today,
                                created_by=acting_user)
            recovery.save()
            audit_record(actor=acting_user, action="relief.recovery_opened", obj=recovery,
                         changes={"amount_due": str(paid), "application": app.pk})
    return app


def recovery_outstanding(recovery: Recovery) -> Decimal:
    from django.db.models import Sum

    repaid = recovery.repayments.aggregate(s=Sum("amount"))["s"] or ZERO
    return (recovery.amount_due - repaid).quantize(ZERO)


def repayment_record(*, acting_user, recovery: Recovery, amount: Decimal, paid_on: dt.date | None = None,
                     note: str = "") -> Repayment:
    """Record money returned; the recovery is settled when nothing is outstanding."""
    _require(acting_user, "relief.pay", recovery.region_id, "追回款登记须由县级经办人员办理")
    paid_on = paid_on or timezone.localdate()
    with transaction.atomic():
        recovery = Recovery.objects.select_for_update().get(pk=recovery.pk)
        if recovery.is_settled:
            raise ValidationError("该追回已全部追回,无需再登记")
        outstanding = recovery_outstanding(recovery)
        if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError({"amount": ["退回金额须为大于 0 的金额(最多两位小数)"]})
        if amount > outstanding:
            raise ValidationError({"amount": [f"退回金额超过尚未追回的 {outstanding} 元"]})
        if paid_on > timezone.localdate():
            raise ValidationError({"paid_on": ["退回日期不能晚于今天"]})
        repayment = Repayment(recovery=recovery, amount=amount, paid_on=paid_on, note=(note or "").strip(),
                              recorded_by=acting_user)
        repayment.full_clean(exclude=["recovery", "recorded_by"])
        repayment.save()
        changes = {"amount": str(amount), "outstanding": str(outstanding - amount)}
        if outstanding - amount == 0:
            recovery.settled_on = paid_on
            recovery.save(update_fields=["settled_on"])
            changes["settled_on"] = paid_on.isoformat()
        audit_record(actor=acting_user, action="relief.repayment_recorded", obj=recovery, changes=changes)
    return repayment
