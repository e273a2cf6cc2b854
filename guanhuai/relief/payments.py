"""Payment batches (打卡到户、通知到人): build a county's batch for a month, export the bank file as a
password-encrypted xlsx, import the bank's return file, notify each family's contacts of each payment.

A batch holds: failed lines of earlier batches not yet retried (re-batched with the account now in the
archive), approved one-off items paid to households, and the month's 特别扶助 for each eligible person
(rule in ``eligibility.py``). ``Line.pay_key`` with a unique constraint over live lines makes paying the
same thing twice impossible, even for two batches built at once. The batch's total is the sum of its
lines, kept in the same transaction as every change to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.families.models import Family, MemberRole
from guanhuai.lib.excel import SheetError, SheetSpec, read_table, text_of, write_xlsx
from guanhuai.lib.excel_password import decrypt_xlsx, encrypt_xlsx, generate_password, is_encrypted
from guanhuai.regions.codes import COUNTY
from guanhuai.regions.models import Region

from . import eligibility
from .models import ZERO, Application, Batch, Frequency, Line, Payee, State, Step
from .services import _step, in_jurisdiction

BANK_HEADERS = ["明细编号", "户名", "身份证号", "开户银行", "银行账号", "金额(元)", "回盘结果", "失败原因", "摘要"]
RETURN_SYNONYMS = {
    "line": ["明细编号", "编号"],
    "amount": ["金额(元)", "金额"],
    "result": ["回盘结果", "结果", "发放结果", "状态"],
    "reason": ["失败原因", "原因", "备注"],
}
PAID_WORDS = {"成功", "已到账", "到账", "已发放", "paid", "ok", "success"}
FAILED_WORDS = {"失败", "发放失败", "退回", "failed", "fail"}


def _require_payer(user, region_code: str) -> None:
    if not has_perm(user, "relief.pay") or not in_jurisdiction(user, region_code):
        raise PermissionDenied("发放批次由本县(市、区)经办人员办理")


def batch_refresh_totals(batch: Batch) -> Batch:
    agg = batch.lines.aggregate(n=Count("id"), s=Sum("amount"))
    batch.line_count, batch.total = agg["n"], (agg["s"] or ZERO).quantize(ZERO)
    batch.save(update_fields=["line_count", "total"])
    return batch


@dataclass
class BatchResult:
    batch: Batch
    skipped: list[str] = field(default_factory=list)


def _payee(family: Family):
    """The household card's holder among the members (else the mother, else the father)."""
    members = list(family.members.all())
    holder = next((m for m in members if family.account_holder and m.name == family.account_holder), None)
    return holder or next((m for m in members if m.role == MemberRole.MOTHER and m.is_alive), None) or next(
        (m for m in members if m.role == MemberRole.FATHER and m.is_alive), None)


def batch_create(*, acting_user, region: Region, period: dt.date, title: str = "") -> BatchResult:
    """Build a county's batch for the month starting ``period``; lines lacking a bank account are skipped
    (and named, so the archive can be completed before the next batch)."""
    _require_payer(acting_user, region.code)
    if region.level != COUNTY:
        raise ValidationError({"region": ["发放批次以县(市、区)为单位"]})
    period = eligibility.month_start(period)
    if period > eligibility.month_start(timezone.localdate()):
        raise ValidationError({"period": ["不能为将来的月份编制发放批次"]})
    prefix = region.prefix
    skipped: list[str] = []
    lines: list[Line] = []

    def add(app: Application, kind: str, amount: Decimal, key: str, member=None, month=None, retry_of=None):
        family = app.family
        if not family.bank_account:
            skipped.append(f"{family.head_name}家({app.item.name}):档案中没有银行账号")
            return
        # Paid into the household card: the bank matches the holder's name and ID; ``member`` says for whom.
        holder = _payee(family)
        lines.append(Line(application=app, family=family, member=member or holder, region_id=family.region_id,
                          kind=kind, period=month,
                          payee_name=family.account_holder or (holder.name if holder else family.head_name),
                          id_number=holder.id_number if holder else "", bank_name=family.bank_name,
                          bank_account=family.bank_account, amount=amount, pay_key=key, retry_of=retry_of))

    live = set(Line.objects.filter(region__code__startswith=prefix).exclude(state=Line.LineState.FAILED)
               .values_list("pay_key", flat=True))
    failed = (Line.objects.filter(region__code__startswith=prefix, state=Line.LineState.FAILED, retry__isnull=True)
              .select_related("application__item", "application__family", "member", "family")
              .prefetch_related("application__family__members"))
    for old in failed:
        if old.pay_key in live or old.application.state == State.REVOKED:
            continue
        add(old.application, old.kind, old.amount, old.pay_key, member=old.member, month=old.period, retry_of=old)
        live.add(old.pay_key)
    apps = (Application.objects.filter(region__code__startswith=prefix, state=State.APPROVED,
                                       item__payee=Payee.HOUSEHOLD)
            .select_related("item", "family").prefetch_related("family__members").order_by("region_id", "pk"))
    for app in apps:
        if app.item.frequency == Frequency.MONTHLY:
            for person in eligibility.monthly_payees(app, period):
                key = f"sp:{app.pk}:{person.pk}:{period:%Y-%m}"
                if key not in live:
                    add(app, Line.Kind.MONTHLY, eligibility.special_standard(app.item, app.family), key,
                        member=person, month=period)
        elif f"app:{app.pk}" not in live:
            add(app, Line.Kind.ONE_OFF, app.amount, f"app:{app.pk}")
    if not lines:
        raise ValidationError("本月没有需要发放的款项" + (f"({len(skipped)} 笔因缺少银行账号未列入)" if skipped else ""))
    try:
        with transaction.atomic():
            batch = Batch(region=region, period=period, created_by=acting_user,
                          title=(title or "").strip() or f"{region.name}{period:%Y年%m月}关怀救助发放")
            batch.full_clean(exclude=["region", "created_by"])
            batch.save()
            for line in lines:
                line.batch = batch
            Line.objects.bulk_create(lines)
            batch_refresh_totals(batch)
            audit_record(actor=acting_user, action="relief.batch_created", obj=batch,
                         changes={"period": period.isoformat(), "lines": batch.line_count, "total": str(batch.total),
                                  "retried": sum(1 for line in lines if line.retry_of_id), "skipped": len(skipped)})
    except IntegrityError:
        raise ValidationError("另一位经办人员刚刚编制了包含相同款项的批次,请刷新后查看") from None
    return BatchResult(batch, skipped)


def bank_rows(batch: Batch) -> list[list[object]]:
    return [[line.pk, line.payee_name, line.id_number, line.bank_name, line.bank_account, line.amount, "", "",
             memo(line)] for line in batch.lines.select_related("application__item", "member").order_by("pk")]


def memo(line: Line) -> str:
    """What the household sees on its statement: the item, the month and whom a monthly grant is for."""
    text = line.application.item.name
    if line.period:
        text += f" {line.period:%Y年%m月}"
    if line.kind == Line.Kind.MONTHLY and line.member is not None:
        text += f" {line.member.name}"
    return text


def batch_export(*, acting_user, batch: Batch) -> str:
    """Write the bank file (full ID and account numbers) encrypted with a new password; return the password.

    Only a hash of the password is stored: it is shown once, and exporting again makes a new one.
    """
    _require_payer(acting_user, batch.region_id)
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.state == Batch.BatchState.RECONCILED:
            raise ValidationError("该批次已对账完毕,不能再导出")
        password = generate_password()
        rows = bank_rows(batch)
        total = sum((row[5] for row in rows), ZERO)
        if total != batch.total or len(rows) != batch.line_count:
            raise ValidationError("批次合计与明细不符,请联系管理员")  # never expected: totals move with lines
        rows.append(["合计", f"{len(rows)} 笔", "", "", "", total, "", "", ""])
        plain = write_xlsx([SheetSpec(title="发放明细", headers=BANK_HEADERS, rows=rows, caption=batch.title,
                                      text_columns=(2, 4), widths={1: 12, 2: 22, 3: 16, 4: 24, 7: 24, 8: 28})])
        batch.bank_file = encrypt_xlsx(plain, password)
        batch.password_hash = make_password(password)
        batch.state, batch.exported_at, batch.exported_by = Batch.BatchState.EXPORTED, timezone.now(), acting_user
        batch.save(update_fields=["bank_file", "password_hash", "state", "exported_at", "exported_by"])
        audit_record(actor=acting_user, action="relief.batch_exported", obj=batch,
                     changes={"lines": batch.line_count, "total": str(batch.total), "full_numbers": True})
    return password


@dataclass
class ReconcileResult:
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_result(text: str) -> str | None:
    text = text.strip().lower()
    if text in PAID_WORDS:
        return Line.LineState.PAID
    if text in FAILED_WORDS:
        return Line.LineState.FAILED
    return None


def batch_reconcile(*, acting_user, batch: Batch, data: bytes, filename: str, password: str = "",
                    settled_on: dt.date | None = None) -> ReconcileResult:
    """Import the bank's return file: each listed line becomes paid, or failed with the bank's reason.

    Any bad row refuses the whole file (nothing changes) and every problem is listed with its row number.
    A line already marked the same way is left alone, so importing a file twice changes nothing.
    """
    _require_payer(acting_user, batch.region_id)
    settled_on = settled_on or timezone.localdate()
    try:
        if is_encrypted(data):
            data = decrypt_xlsx(data, password)
        table = read_table(data, filename, RETURN_SYNONYMS, required=["line", "result"])
    except SheetError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    result = ReconcileResult()
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.state == Batch.BatchState.DRAFT:
            raise ValidationError("该批次尚未导出银行文件,不能导入回盘")
        lines = {line.pk: line for line in batch.lines.select_related("application__item", "family")}
        changes: list[tuple[Line, str, str]] = []
        seen: set[int] = set()
        for row, values in table.rows:
            raw_id = text_of(values.get("line"))
            if raw_id in ("合计", ""):
                continue
            try:
                line = lines.get(int(raw_id))
            except ValueError:
                line = None
            if line is None:
                result.errors.append(f"第 {row} 行:明细编号 {raw_id} 不属于本批次")
                continue
            if line.pk in seen:
                result.errors.append(f"第 {row} 行:明细编号 {raw_id} 重复出现")
                continue
            seen.add(line.pk)
            state = _parse_result(text_of(values.get("result")))
            reason = text_of(values.get("reason"))[:200]
            if state is None:
                if not text_of(values.get("result")):
                    continue  # the bank has not answered for this line yet
                result.errors.append(f"第 {row} 行:回盘结果“{text_of(values.get('result'))}”无法识别(成功/失败)")
                continue
            amount = values.get("amount")
            if amount not in (None, ""):
                try:
                    if Decimal(text_of(amount)) != line.amount:
                        result.errors.append(f"第 {row} 行:金额 {text_of(amount)} 与明细金额 {line.amount} 不符")
                        continue
                except InvalidOperation:
                    result.errors.append(f"第 {row} 行:金额“{text_of(amount)}”不是数字")
                    continue
            if state == Line.LineState.FAILED and not reason:
                result.errors.append(f"第 {row} 行:发放失败须写明银行给出的原因")
                continue
            if line.state == state:
                result.unchanged += 1
                continue
            if line.state != Line.LineState.PENDING:
                result.errors.append(f"第 {row} 行:明细 {line.pk} 已标记为“{line.get_state_display()}”,不能改为其他结果")
                continue
            changes.append((line, state, reason))
        if result.errors:
            raise ValidationError({"file": result.errors})
        for line, state, reason in changes:
            line.state, line.bank_reason, line.settled_on = state, reason if state == Line.LineState.FAILED else "", settled_on
            line.save(update_fields=["state", "bank_reason", "settled_on"])
            if state == Line.LineState.PAID:
                result.paid += 1
                _paid(line, acting_user)
            else:
                result.failed += 1
        result.pending = batch.lines.filter(state=Line.LineState.PENDING).count()
        if result.pending == 0:
            batch.state, batch.reconciled_at = Batch.BatchState.RECONCILED, timezone.now()
            batch.save(update_fields=["state", "reconciled_at"])
        audit_record(actor=acting_user, action="relief.batch_reconciled", obj=batch,
                     changes={"paid": result.paid, "failed": result.failed, "unchanged": result.unchanged,
                              "pending": result.pending})
    return result


def _paid(line: Line, user) -> None:
    """A line reached the household: a one-off application is paid; the family's contacts are told."""
    from guanhuai.contacts.models import Assignment
    from guanhuai.inbox.services import notify

    app = line.application
    if line.kind == Line.Kind.ONE_OFF and app.state == State.APPROVED:
        app.state, app.version = State.PAID, app.version + 1
        app.save(update_fields=["state", "version", "updated_at"])
        _step(app, Step.Action.PAID, State.APPROVED, user, opinion=f"{line.amount} 元已打卡到户")
    contacts = (Assignment.objects.filter(family_id=line.family_id, end_date__isnull=True,
                                          contact__user__isnull=False).select_related("contact__user"))
    month = f"{line.period:%Y年%m月}" if line.period else ""
    notify(users=[a.contact.user for a in contacts], kind="relief_paid",
           title=f"{line.family.head_name}家{month}{app.item.name} {line.amount} 元已到账",
           body=f"{line.payee_name} 的{app.item.name} {line.amount} 元已于 {line.settled_on:%Y-%m-%d} 打卡到户,"
                f"请告知家庭(通知到人)。",
           url=reverse("relief:application", args=[app.pk]), dedupe_key=f"relief-line-{line.pk}")

