"""Historical visit import (xlsx/CSV): a dry run first, then one transaction.

One row is one visit: the family (found by any member's ID number), the date,
the channel in Chinese, the contact's name, notes and optionally the date it
was first entered (录入日期). ``import_check`` writes nothing but the job;
``import_commit`` re-reads the same stored bytes, re-validates every row and
writes all valid rows, their audit events and the touched families'
obligation state in a single transaction.

Invariants:
- a family outside the job's region gets exactly the message of an ID number
  that exists nowhere, so the report never tells what lies beyond it;
- importing the same file again writes nothing: a row equal to a visit already
  stored (same family, date, channel, contact name and notes) is a duplicate,
  and that check is repeated inside the commit transaction;
- without a 录入日期 a row is 补录 (backfill) and never counted late; with one,
  lateness is measured in official working days like any other entry;
- the uploaded bytes are stored encrypted (they hold ID numbers).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import PendingEvent, audit_record_many
from guanhuai.compliance.state import families_refresh
from guanhuai.compliance.visit_counts import visit_counts_add
from guanhuai.contacts.models import Assignment, ContactPerson
from guanhuai.families.import_jobs import (
    job_commit_claim,
    job_commit_start,
    job_create,
    job_error_rows,
    job_file,
)
from guanhuai.families.models import Family, ImportJob, Member, Status
from guanhuai.lib.crypto import default_blind_index
from guanhuai.lib.dates import DateParseError, parse_date
from guanhuai.lib.excel import SheetError, read_table, text_of, write_xlsx
from guanhuai.lib.idnumber import check_id_number, normalise
from guanhuai.lib.masking import mask_id_number
from guanhuai.regions.codes import ancestor_code
from guanhuai.regions.models import Region
from guanhuai.workdays.calendar import add_working_days

from .models import Channel, MajorEvent, Visit
from .selectors import IMPORT_KIND
from .services import entry_deadline_days, event_first_answer, event_set_answer

ProgressCallback = Callable[[int, str], None]

MAX_ROWS = 50_000
LOOKUP_CHUNK = 2000
PROGRESS_EVERY = 500
REFRESH_BATCH = 2000
SYSTEM_ACTOR = SimpleNamespace(pk=None, username="system", is_authenticated=False)

SYNONYMS: dict[str, list[str]] = {
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "成员身份证号", "户主身份证号"],
    "head_name": ["户主姓名", "户主", "姓名", "家庭"],
    "visit_date": ["走访日期", "联系日期", "服务日期", "日期", "走访时间"],
    "channel": ["方式", "联系方式", "走访方式", "服务方式"],
    "contact_name": ["联系人", "联系人姓名", "走访人", "走访人员", "走访干部"],
    "notes": ["内容", "走访内容", "走访情况", "情况记录", "服务内容", "备注"],
    "entry_date": ["录入日期", "登记日期", "录入时间"],
}
REQUIRED = ["id_number", "visit_date", "channel"]
COLUMNS = ["id_number", "head_name", "visit_date", "channel", "contact_name", "notes", "entry_date"]

# Every channel's own label, plus the words townships commonly write for it.
CHANNEL_WORDS: dict[str, str] = {label: value for value, label in Channel.choices} | {
    "电话联系": Channel.PHONE, "打电话": Channel.PHONE, "电话回访": Channel.PHONE, "电话慰问": Channel.PHONE,
    "网络联系": Channel.ONLINE, "微信": Channel.ONLINE, "微信联系": Channel.ONLINE, "视频": Channel.ONLINE,
    "视频通话": Channel.ONLINE, "qq": Channel.ONLINE,
    "见面": Channel.MEETING, "当面": Channel.MEETING, "约谈": Channel.MEETING,
    "上门": Channel.HOME, "入户": Channel.HOME, "入户走访": Channel.HOME, "走访": Channel.HOME,
    "家访": Channel.HOME, "上门探访": Channel.HOME,
    "节日走访": Channel.FESTIVAL, "节日上门": Channel.FESTIVAL, "慰问": Channel.FESTIVAL,
    "春节慰问": Channel.FESTIVAL, "端午慰问": Channel.FESTIVAL, "中秋慰问": Channel.FESTIVAL,
    "紧急走访": Channel.EMERGENCY, "应急上门": Channel.EMERGENCY,
} | {value: value for value in Channel.values}
CHANNEL_HINT = "、".join(label for _, label in Channel.choices)

UNKNOWN_FAMILY = "在您辖区的家庭档案中找不到该身份证号"
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")


# ---------------------------------------------------------------- rows

@dataclass
class RowResult:
    row: int
    id_number: str = ""
    head_name: str = ""
    visit_date: dt.date | None = None
    channel: str = ""
    contact_name: str = ""
    notes: str = ""
    entry_date: dt.date | None = None
    family_id: int | None = None
    region_id: str = ""
    contact_id: int | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        return (self.family_id, self.visit_date, self.channel, self.contact_name, self.notes)

    def report(self) -> dict[str, Any]:
        # Masked: the report is kept in the database as plain JSON.
        parts = [mask_id_number(self.id_number) if len(self.id_number) == 18 else self.id_number[:6] + "…",
                 self.head_name, f"{self.visit_date:%Y-%m-%d}" if self.visit_date else "",
                 dict(Channel.choices).get(self.channel, "")]
        return {"row": self.row, "summary": " ".join(p for p in parts if p), "errors": self.errors,
                "warnings": self.warnings}


@dataclass
class Analysis:
    results: list[RowResult]
    families: dict[int, dict[str, Any]]


def _fold(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", text_of(value)).split())


def _parse_row(number: int, values: dict[str, object], today: dt.date) -> RowResult:
    result = RowResult(row=number)
    raw_id = text_of(values.get("id_number"))
    result.head_name = text_of(values.get("head_name"))[:60]
    if SCIENTIFIC.match(raw_id.upper()):
        result.errors.append("身份证号被 Excel 转成了科学计数法,后几位已丢失;请把该列设为“文本”后重新填写")
    else:
        check = check_id_number(raw_id, today=today)
        result.id_number = check.number
        if check.errors:
            result.errors.append(check.errors[0])
    for name, label in (("visit_date", "走访日期"), ("entry_date", "录入日期")):
        try:
            setattr(result, name, parse_date(values.get(name)))
        except DateParseError:
            result.errors.append(f"{label}无法识别:{text_of(values.get(name))}(请写成 2024-03-05)")
    if result.visit_date is None and not any(e.startswith("走访日期") for e in result.errors):
        result.errors.append("缺少走访日期")
    elif result.visit_date is not None and result.visit_date > today:
        result.errors.append(f"走访日期 {result.visit_date:%Y-%m-%d} 晚于今天")
    if result.entry_date is not None:
        if result.entry_date > today:
            result.errors.append(f"录入日期 {result.entry_date:%Y-%m-%d} 晚于今天")
        elif result.visit_date is not None and result.entry_date < result.visit_date:
            result.errors.append("录入日期早于走访日期")
    channel_text = _fold(values.get("channel"))
    result.channel = CHANNEL_WORDS.get(channel_text.lower(), CHANNEL_WORDS.get(channel_text, ""))
    if not channel_text:
        result.errors.append(f"缺少联系方式(可填:{CHANNEL_HINT})")
    elif not result.channel:
        result.errors.append(f"无法识别的联系方式“{channel_text}”(可填:{CHANNEL_HINT})")
    result.contact_name = " ".join(text_of(values.get("contact_name")).split())
    result.notes = text_of(values.get("notes"))
    if len(result.contact_name) > 60:
        result.errors.append("联系人姓名过长(最多 60 字)")
    return result


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _find_families(results: list[RowResult], prefix: str) -> dict[int, dict[str, Any]]:
    """Resolve every row's ID number to a family inside ``prefix``; anything else is unknown."""
    by_bidx: dict[str, list[RowResult]] = defaultdict(list)
    for result in results:
        if not result.errors and result.id_number:
            by_bidx[default_blind_index(normalise(result.id_number), kind="id_number")].append(result)
    found: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(list(by_bidx)):
        rows = Member.objects.filter(id_number_bidx__in=chunk, family__region__code__startswith=prefix)
        for bidx, family_id in rows.values_list("id_number_bidx", "family_id"):
            found[bidx].add(family_id)
    family_ids = sorted({fid for ids in found.values() for fid in ids})
    families: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(family_ids):
        for row in Family.objects.filter(pk__in=chunk).values("pk", "region_id", "head_name", "registered_on",
                                                               "status", "exit_date"):
            families[row["pk"]] = row
    for bidx, rows in by_bidx.items():
        ids = found.get(bidx, set())
        for result in rows:
            if not ids:
                result.errors.append(UNKNOWN_FAMILY)
            elif len(ids) > 1:
                result.errors.append("该身份证号登记在多个家庭中,请先核实档案")
            else:
                family = families[next(iter(ids))]
                result.family_id, result.region_id = family["pk"], family["region_id"]
                result.head_name = result.head_name or family["head_name"]
    return families


def _check_dates(results: list[RowResult], families: dict[int, dict[str, Any]]) -> None:
    for result in results:
        if result.family_id is None or result.visit_date is None or result.errors:
            continue
        family = families[result.family_id]
        if result.visit_date < family["registered_on"]:
            result.errors.append(f"走访日期早于该家庭纳入登记的日期({family['registered_on']:%Y-%m-%d})")
        elif family["status"] == Status.EXITED and family["exit_date"] and result.visit_date > family["exit_date"]:
            result.errors.append(f"该家庭已于 {family['exit_date']:%Y-%m-%d} 退出,不能导入之后的走访")


def _resolve_contacts(results: list[RowResult], prefix: str) -> None:
    """A contact name becomes the contact person who is (or was) assigned to the family, else the one
    person of that name in the family's county; otherwise it is kept as a participant's name."""
    rows = [r for r in results if not r.errors and r.contact_name]
    names = sorted({r.contact_name for r in rows})
    if not names:
        return
    assigned: dict[tuple[int, str], set[int]] = defaultdict(set)
    family_ids = sorted({r.family_id for r in rows})
    for chunk in _chunks(family_ids):
        for family_id, contact_id, name in (Assignment.objects.filter(family_id__in=chunk, contact__name__in=names)
                                            .values_list("family_id", "contact_id", "contact__name")):
            assigned[(family_id, name)].add(contact_id)
    by_county: dict[tuple[str, str], set[int]] = defaultdict(set)
    for contact_id, name, region_id in (ContactPerson.objects.filter(region__code__startswith=prefix[:6],
                                                                     name__in=names)
                                        .values_list("pk", "name", "region_id")):
        by_county[(region_id[:6], name)].add(contact_id)
    for result in rows:
        ids = assigned.get((result.family_id, result.contact_name)) or by_county.get(
            (result.region_id[:6], result.contact_name), set())
        if len(ids) == 1:
            result.contact_id = next(iter(ids))
        else:
            result.warnings.append(f"联系人“{result.contact_name}”未在名册中唯一找到,记为参与人")


def _mark_duplicates(results: list[RowResult]) -> None:
    """Rows equal to an earlier row of the file or to a visit already stored are duplicates."""
    seen: dict[tuple, int] = {}
    candidates = [r for r in results if not r.errors]
    for result in candidates:
        first = seen.setdefault(result.key(), result.row)
        if first != result.row:
            result.errors.append(f"与第 {first} 行重复(同一家庭、日期、方式、联系人和内容)")
    candidates = [r for r in candidates if not r.errors]
    if not candidates:
        return
    wanted = {r.key() for r in candidates}
    stored: set[tuple] = set()
    by_family: dict[int, list[dt.date]] = defaultdict(list)
    for result in candidates:
        by_family[result.family_id].append(result.visit_date)
    for chunk in _chunks(sorted(by_family)):
        dates = [d for fid in chunk for d in by_family[fid]]
        rows = (Visit.objects.filter(family_id__in=chunk, visit_date__gte=min(dates), visit_date__lte=max(dates))
                .values_list("family_id", "visit_date", "channel", "contact__name", "participants", "notes"))
        for family_id, day, channel, contact_name, participants, notes in rows.iterator(chunk_size=5000):
            key = (family_id, day, channel, contact_name or participants.strip(), notes.strip())
            if key in wanted:
                stored.add(key)
    for result in candidates:
        if result.key() in stored:
            result.errors.append("系统中已有相同的走访记录(同一家庭、日期、方式、联系人和内容),未重复导入")


def _progress(job: ImportJob, value: int, on_progress: ProgressCallback | None, note: str) -> None:
    job.progress = value
    if job.pk:
        ImportJob.objects.filter(pk=job.pk).update(progress=value)
    if on_progress is not None:
        on_progress(value, note)


def _analyse(job: ImportJob, prefix: str, *, on_progress: ProgressCallback | None = None,
             share: int = 80) -> Analysis:
    today = timezone.localdate()
    table = read_table(job_file(job), job.filename, SYNONYMS, REQUIRED)
    if len(table.rows) > MAX_ROWS:
        raise SheetError(f"数据超过 {MAX_ROWS} 行的上限,请拆分成几个文件分批导入")
    if not table.rows:
        raise SheetError("表中没有数据行")
    results = []
    total = len(table.rows)
    for index, (number, values) in enumerate(table.rows, start=1):
        results.append(_parse_row(number, values, today))
        if index % PROGRESS_EVERY == 0:
            _progress(job, int(share * index / total * 0.5), on_progress, f"已读取 {index}/{total} 行")
    _progress(job, share // 2, on_progress, "查找家庭")
    families = _find_families(results, prefix)
    _check_dates(results, families)
    _progress(job, share * 3 // 4, on_progress, "核对联系人")
    _resolve_contacts(results, prefix)
    _progress(job, share, on_progress, "查重")
    _mark_duplicates(results)
    return Analysis(results=results, families=families)


REPORT_FIELDS = ["state", "progress", "total_rows", "valid_rows", "error_rows", "warning_rows", "message",
                 "report", "checked_at"]


def _fill_job(job: ImportJob, results: list[RowResult]) -> None:
    job.total_rows = len(results)
    job.error_rows = sum(1 for r in results if r.errors)
    job.valid_rows = job.total_rows - job.error_rows
    job.warning_rows = sum(1 for r in results if r.warnings and not r.errors)
    job.report = [r.report() for r in results if r.errors or r.warnings]


def _save(job: ImportJob, fields: list[str]) -> None:
    if job.pk:
        job.save(update_fields=fields)


def _prefix(job: ImportJob) -> str:
    """The job's scope; a job without a region (the system, from the command line) covers everything."""
    return job.region.prefix if job.region_id else ""


def _require_import(acting_user, region: Region | None) -> None:
    if acting_user is None:
        return  # the system itself (management command without --user)
    if region is None:
        raise ValidationError({"region": "请选择导入范围"})
    if not (has_perm(acting_user, "visit.record") and has_perm(acting_user, "family.import")) \
            or not acting_user.region_id:
        raise ValidationError("您没有导入走访记录的权限")
    if not region.code.startswith(acting_user.region.prefix):
        raise ValidationError({"region": "导入范围不在您的管辖范围内"})


def import_check(job: ImportJob, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Dry run: check every row and keep the report in the job. Writes no visit.

    A file that cannot be read leaves the job ``failed`` with the reason. An
    unsaved job (the management command) writes nothing at all.
    """
    if job.state in (ImportJob.State.COMMITTING, ImportJob.State.COMMITTED):
        raise ValidationError("该导入任务已写入,不能重新检查")
    job.state, job.progress = ImportJob.State.CHECKING, 0
    _save(job, ["state", "progress"])
    try:
        analysis = _analyse(job, _prefix(job), on_progress=on_progress)
    except SheetError as exc:
        job.state, job.message, job.progress = ImportJob.State.FAILED, str(exc), 100
        job.total_rows = job.valid_rows = job.error_rows = job.warning_rows = 0
        job.report, job.checked_at = [], timezone.now()
        _save(job, REPORT_FIELDS)
        return job
    _fill_job(job, analysis.results)
    job.state, job.progress, job.checked_at = ImportJob.State.CHECKED, 100, timezone.now()
    job.message = f"共 {job.total_rows} 行:可导入 {job.valid_rows} 条,有错误 {job.error_rows} 行"
    if job.warning_rows:
        job.message += f",有提示 {job.warning_rows} 行"
    _save(job, REPORT_FIELDS)
    if on_progress is not None:
        on_progress(100, "检查完成")
    return job


def _lock(region: Region | None) -> None:
    """Serialise visit imports of a province on PostgreSQL, so two uploads of the same file cannot both
    pass the duplicate check (SQLite takes its write lock when the transaction begins)."""
    provinces = Region.objects.filter(level=1)
    if region is not None:
        provinces = provinces.filter(code=ancestor_code(region.code, 1))
    list(provinces.select_for_update().order_by("code").values_list("code", flat=True))


def import_commit_request(*, job: ImportJob, acting_user) -> ImportJob:
    """Claim a checked job for writing and hand it to the background worker (a double click starts one write)."""
    _require_import(acting_user, job.region)
    if job.state != ImportJob.State.CHECKED or job.valid_rows <= 0:
        raise ValidationError("检查完成且至少有一行有效数据后才能确认导入")
    from .tasks import visit_import_commit_task

    return job_commit_claim(job, user_id=getattr(acting_user, "pk", None), commit_task=visit_import_commit_task)


def import_commit(job: ImportJob, acting_user, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Write every valid row in one transaction, re-validating the stored file first.

    ``acting_user`` None means the system (management command without --user).
    """
    _require_import(acting_user, job.region if job.region_id else None)
    job_commit_start(job)
    try:
        analysis = _analyse(job, _prefix(job), on_progress=on_progress, share=50)
        _progress(job, 60, on_progress, "写入数据库")
        with transaction.atomic():
            _lock(job.region if job.region_id else None)
            # Again under the lock: another import may have written the same visits meanwhile.
            _mark_duplicates(analysis.results)
            written, families = _write(job, acting_user, analysis)
            _refresh(families)
            _fill_job(job, analysis.results)
            job.state, job.progress = ImportJob.State.COMMITTED, 100
            job.committed_rows, job.committed_at = written, timezone.now()
            job.message = f"已写入 {written} 条走访记录,涉及 {len(families)} 户"
            if job.error_rows:
                job.message += f";{job.error_rows} 行有错误,未写入"
            _save(job, REPORT_FIELDS + ["committed_rows", "committed_at"])
    except Exception as exc:
        job.state = ImportJob.State.CHECKED
        job.message = ("写入失败,没有写入任何数据:" + "; ".join(getattr(exc, "messages", [str(exc)]))
                       if isinstance(exc, SheetError | ValidationError)
                       else "写入失败,没有写入任何数据,请稍后重试或联系管理员")
        _save(job, ["state", "message"])
        raise
    if on_progress is not None:
        on_progress(100, job.message)
    return job


def _write(job: ImportJob, acting_user, analysis: Analysis) -> tuple[int, list[Family]]:
    valid = [r for r in analysis.results if not r.errors]
    user = acting_user if getattr(acting_user, "pk", None) else None
    now, today = timezone.now(), timezone.localdate()
    visits = []
    for result in valid:
        deadline = add_working_days(result.visit_date,
                                    entry_deadline_days(result.region_id, result.visit_date))
        backfill = result.entry_date is None
        entry_date = result.entry_date or today
        visits.append(Visit(
            family_id=result.family_id, region_id=result.region_id, contact_id=result.contact_id,
            visit_date=result.visit_date, channel=result.channel, notes=result.notes,
            participants="" if result.contact_id else result.contact_name,
            entered_at=now, entry_date=entry_date, entry_deadline=deadline.date,
            entry_deadline_provisional=deadline.provisional, is_backfill=backfill,
            is_late=not backfill and entry_date > deadline.date, recorded_by=user,
        ))
    Visit.objects.bulk_create(visits, batch_size=1000)
    visit_counts_add((v.region_id, v.visit_date, v.channel, 1) for v in visits)
    family_ids = sorted({v.family_id for v in visits})
    _answer_events(family_ids)
    events = [
        PendingEvent(action="visit.imported", object_type="visit", object_id=str(v.pk or ""),
                     object_repr=f"{v.visit_date} {v.get_channel_display()}", region_code=v.region_id,
                     changes={"import_job": job.pk, "file": job.filename, "row": r.row, "family": v.family_id,
                              "visit_date": v.visit_date.isoformat(), "channel": v.channel,
                              "backfill": v.is_backfill, "late": v.is_late})
        for v, r in zip(visits, valid, strict=True)
    ]
    events.append(PendingEvent(
        action="visit.import_committed", object_type="importjob", object_id=str(job.pk or ""),
        object_repr=f"导入走访 {job.filename}", region_code=job.region_id,
        changes={"visits": len(visits), "families": len(family_ids),
                 "error_rows": sum(1 for r in analysis.results if r.errors)}))
    audit_record_many(actor=acting_user or SYSTEM_ACTOR, events=events)
    families = []
    for chunk in _chunks(family_ids):
        families.extend(Family.objects.filter(pk__in=chunk).only("pk", "region_id", "registered_on", "status",
                                                                  "exit_date"))
    return len(visits), families


def _answer_events(family_ids: list[int]) -> None:
    """An open event still waiting for its home visit is answered by the first imported face-to-face visit."""
    for chunk in _chunks(family_ids):
        waiting = MajorEvent.objects.filter(family_id__in=chunk, state=MajorEvent.State.OPEN,
                                            responded_on__isnull=True)
        for event in waiting:
            answer = event_first_answer(event)
            if answer is not None:
                event_set_answer(event, answer)


def _refresh(families: list[Family]) -> None:
    """Obligation state of every touched family, in bulk and in the import's transaction."""
    today = timezone.localdate()
    for start in range(0, len(families), REFRESH_BATCH):
        families_refresh(families[start:start + REFRESH_BATCH], day=today)


# ---------------------------------------------------------------- jobs, reports, workbooks

def import_job_create(*, acting_user, region: Region, filename: str, data: bytes) -> ImportJob:
    """Store an upload and queue its dry run (after the transaction commits)."""
    _require_import(acting_user, region)
    from .tasks import visit_import_check_task

    return job_create(kind=IMPORT_KIND, acting_user=acting_user, region=region, filename=filename, data=data,
                      audit_action="visit.import_uploaded", check_task=visit_import_check_task)



def import_error_workbook(job: ImportJob) -> bytes:
    """The user's own bad rows (every recognised column, as written) plus 行号 and 错误原因."""
    bad = {entry["row"]: entry for entry in job_error_rows(job)}
    try:
        table = read_table(job_file(job), job.filename, SYNONYMS)
        present = [key for key in COLUMNS if key in table.columns]
        rows_by_number = dict(table.rows)
    except SheetError:
        present, rows_by_number = [], {}
    headers = [SYNONYMS[key][0] for key in present] + ["行号", "错误原因"]
    rows = []
    for number in sorted(bad):
        values = rows_by_number.get(number, {})
        cells = [_cell(values.get(key)) for key in present]
        rows.append(cells + [number, ";".join(bad[number]["errors"])])
    return write_xlsx([("错误行", headers, rows)])


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10 ** 10:
        return text_of(value)  # an ID number typed as a number: keep its digits as text
    return value


def template_xlsx() -> bytes:
    headers = ["身份证号", "户主姓名", "走访日期", "方式", "联系人", "内容", "录入日期"]
    notes = [
        ["身份证号", "必填。家庭任一成员的18位身份证号,请把该列设为“文本”格式"],
        ["户主姓名", "选填,仅便于核对"],
        ["走访日期", "必填。如 2024-03-05、2024/3/5 或 2024年3月5日"],
        ["方式", f"必填。{CHANNEL_HINT}"],
        ["联系人", "选填。名册中的联系人姓名;找不到时记为参与人"],
        ["内容", "选填。走访情况、诉求和处理"],
        ["录入日期", "选填。当年录入系统的日期,用于计算是否迟报;不填则记为补录,不计入迟报率"],
    ]
    return write_xlsx([("走访记录", headers, []), ("填写说明", ["列", "说明"], notes)])
