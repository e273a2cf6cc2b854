"""Family roster import (表一): a dry run first, then one transaction.

One spreadsheet row is one family: the village, the family's fields, and up to
three members (father, mother, only child). ``import_check`` reads the file
kept in the ``ImportJob`` and reports every bad row with its row number and a
Chinese reason; it writes nothing but the job itself. ``import_commit``
re-reads and re-validates the same bytes and writes all valid rows, their
history and one audit event per family in a single transaction.

Invariants:
- an ID number is never written twice: a number seen earlier in the file
  or already in the database (blind index) makes the row an error, and the
  database check is repeated under a lock inside the commit transaction, so
  neither a race nor importing the same file again creates duplicates;
- a family outside the importing user's jurisdiction is never described,
  only said to exist;
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
from guanhuai.lib.bulk import insert_instances
from guanhuai.lib.crypto import default_blind_index
from guanhuai.lib.dates import DateParseError, parse_date
from guanhuai.lib.excel import SheetError, Table, read_table, text_of
from guanhuai.lib.idnumber import normalise
from guanhuai.lib.masking import mask_id_number
from guanhuai.regions.codes import VILLAGE, ancestor_code
from guanhuai.regions.models import Region

from . import import_columns as cols
from .import_jobs import job_commit_claim, job_commit_start, job_create, job_error_rows, job_file
from .models import NEEDS, Category, Family, ImportJob, Member, MemberRole, Status
from .services import family_check, member_check

ProgressCallback = Callable[[int, str], None]

PROGRESS_EVERY = 500
MAX_ROWS = 50_000
LOOKUP_CHUNK = 5000
SYSTEM_ACTOR = SimpleNamespace(pk=None, username="system", is_authenticated=False)

SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")
SCIENTIFIC_MESSAGE = ("身份证号被 Excel 转成了科学计数法(如 5.10104E+17),后几位数字已经丢失;"
                      "请把该列设置为“文本”格式后重新填写")
NUMBER_HINT = "(该单元格是数字格式,Excel 只保留 15 位有效数字,请把该列设置为“文本”后重新填写)"
ROLES = [(MemberRole.FATHER, "father", "父亲", "M"), (MemberRole.MOTHER, "mother", "母亲", "F"),
         (MemberRole.CHILD, "child", "子女", None)]
_FAMILY_LIMITS = [(f.name, f.max_length, f.verbose_name) for f in Family._meta.concrete_fields
                  if getattr(f, "max_length", None) and f.choices is None and f.name != "region"]
_MEMBER_LIMITS = [(f.name, f.max_length, f.verbose_name) for f in Member._meta.concrete_fields
                  if getattr(f, "max_length", None) and f.choices is None]


# ---------------------------------------------------------------- villages

def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _stem(text: str, suffixes: tuple[str, ...]) -> str:
    text = _fold(text)
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "社区", "村", "居")
TOWNSHIP_SUFFIXES = ("人民政府", "街道办事处", "街道", "镇", "乡")


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str


class VillageIndex:
    """Every village inside the job's region, found by code or by (township and) name."""

    def __init__(self, root: Region):
        self.root = root
        rows = list(Region.objects.filter(code__startswith=root.prefix, level=VILLAGE).values_list("code", "name"))
        township_codes = {ancestor_code(code, VILLAGE - 1) for code, _ in rows}
        townships = dict(Region.objects.filter(code__in=township_codes).values_list("code", "name"))
        self.by_code: dict[str, Village] = {}
        self.by_name: dict[str, list[Village]] = defaultdict(list)
        self.by_stem: dict[str, list[Village]] = defaultdict(list)
        self.by_full: dict[str, list[Village]] = defaultdict(list)
        for code, name in rows:
            village = Village(code, name, townships.get(ancestor_code(code, VILLAGE - 1), ""))
            self.by_code[code] = village
            self.by_name[_fold(name)].append(village)
            self.by_stem[_stem(name, VILLAGE_SUFFIXES)].append(village)
            self.by_full[_fold(village.township + name)].append(village)
        self._cache: dict[tuple[str, str, str], tuple[Village | None, str, str]] = {}

    def resolve(self, name: str, code: str, township: str) -> tuple[Village | None, str, str]:
        """(village, error, warning) for one row's village cells."""
        key = (name, code, township)
        if key not in self._cache:
            self._cache[key] = self._resolve(name, code, township)
        return self._cache[key]

    def _resolve(self, name: str, code: str, township: str) -> tuple[Village | None, str, str]:
        name, code = _fold(name), _fold(code)
        if not code and re.fullmatch(r"\d{12}", name):
            code, name = name, ""
        scope = self.root.name
        if code:
            if not re.fullmatch(r"\d{12}", code):
                return None, f"村级区划代码“{code}”应为12位数字", ""
            village = self.by_code.get(code)
            if village is None:
                if code.startswith(self.root.prefix):
                    return None, f"区划代码 {code} 不是{scope}内已登记的村(居)", ""
                return None, f"区划代码 {code} 不在导入范围({scope})内", ""
            if name and name not in (_fold(village.name), _stem(village.name, VILLAGE_SUFFIXES)):
                return village, "", f"村名“{name}”与区划代码 {code}({village.name})不一致,已按区划代码导入"
            return village, "", ""
        if not name:
            if self.root.level == VILLAGE and self.root.code in self.by_code:
                return self.by_code[self.root.code], "", ""
            return None, "村(居)不能为空", ""
        candidates = (self.by_name.get(name) or self.by_full.get(name)
                      or self.by_stem.get(_stem(name, VILLAGE_SUFFIXES)) or [])
        if township and candidates:
            wanted = {_fold(township), _stem(township, TOWNSHIP_SUFFIXES)}
            candidates = [v for v in candidates
                          if _fold(v.township) in wanted or _stem(v.township, TOWNSHIP_SUFFIXES) in wanted]
        if len(candidates) == 1:
            return candidates[0], "", ""
        if not candidates:
            where = f"{township}" if township else scope
            return None, f"在{where}找不到村(居)“{name}”(导入范围:{scope})", ""
        choices = "、".join(sorted({v.township or v.code[:9] for v in candidates}))
        return None, (f"村(居)“{name}”在{scope}有重名,分别属于:{choices};"
                      "请填写“乡镇(街道)”列或村级区划代码"), ""


# ---------------------------------------------------------------- one row

@dataclass
class RowResult:
    row: int
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""
    region_code: str = ""
    family: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    # (who, ID number) for the duplicate checks
    numbers: list[tuple[str, str]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        return {"row": self.row, "errors": self.errors, "warnings": self.warnings, "summary": self.summary}


@dataclass
class Analysis:
    table: Table
    results: list[RowResult]
    skipped: int = 0


def _date(value: object, label: str, errors: list[str]) -> dt.date | None:
    try:
        return parse_date(value)
    except DateParseError as exc:
        errors.append(f"{label}:{exc}")
        return None


def _name(value: object) -> str:
    return "".join(text_of(value).split())


def _id_text(value: object) -> tuple[str, str, bool]:
    """(number, error, was a number cell)."""
    if value is None or isinstance(value, bool):
        return "", "", False
    if isinstance(value, float):
        if abs(value) >= 1e15 or not value.is_integer():
            return "", SCIENTIFIC_MESSAGE, True
        return str(int(value)), "", True
    if isinstance(value, int):
        return str(value), "", True
    text = normalise(text_of(value))
    if SCIENTIFIC.match(text):
        return "", SCIENTIFIC_MESSAGE, False
    return text, "", False


def _phone(value: object, label: str, warnings: list[str]) -> str:
    text = text_of(value)
    parts = [p for p in re.split(r"[/、,,;;\s]+", text) if p]
    if len(parts) > 1:
        warnings.append(f"{label}有多个号码,只保存了第一个:{parts[0]}")
    return parts[0] if parts else ""


def _length_errors(data: dict[str, Any], limits: list[tuple[str, int, str]], prefix: str = "") -> list[str]:
    return [f"{prefix}{label}超过 {limit} 个字符" for name, limit, label in limits
            if isinstance(data.get(name), str) and len(data[name]) > limit]


class RowChecker:
    """Turns one spreadsheet row into service data, or reasons in Chinese."""

    def __init__(self, villages: VillageIndex, columns: dict[str, int], today: dt.date):
        self.villages = villages
        self.columns = columns
        self.today = today
        self.seen: dict[str, tuple[int, str]] = {}  # ID number → (row, who)

    def check(self, row_number: int, values: dict[str, object]) -> RowResult:
        result = RowResult(row=row_number)
        errors, warnings = result.errors, result.warnings
        village, error, warning = self.villages.resolve(
            text_of(values.get("village")), text_of(values.get("village_code")), text_of(values.get("township")))
        if error:
            errors.append(error)
        if warning:
            warnings.append(warning)
        family = self._family(values, errors, warnings)
        result.family = family
        members = self._members(values, family, errors, warnings, result)
        result.members = members
        if not members:
            errors.append("至少登记一名家庭成员(父亲、母亲或子女)")
        elif not result.numbers and not any("身份证号" in e for e in errors):
            errors.append("至少填写一名成员的身份证号(用于查重)")
        if village is not None:
            result.region_code = village.code
        category = dict(Category.choices).get(family.get("category"), "类别不明")
        grade = f"{family['disability_grade']}级" if family.get("disability_grade") else ""
        where = village.name if village else "村(居)不明"
        result.summary = f"{family.get('head_name') or '(无户主)'}家 · {where} · {category}{grade} · {len(members)} 人"
        return result

    def _family(self, values: dict[str, object], errors: list[str], warnings: list[str]) -> dict[str, Any]:
        data: dict[str, Any] = {"head_name": _name(values.get("head_name"))}
        category_text = text_of(values.get("category"))
        data["category"] = cols.category_of(category_text)
        if category_text and data["category"] is None:
            errors.append(f"家庭类别“{category_text}”无法识别,可填:独生子女死亡、独生子女伤残、计划生育手术并发症")
        grade_text = text_of(values.get("disability_grade"))
        grade = cols.grade_of(grade_text or (category_text if data["category"] == Category.CHILD_DISABLED else ""))
        if grade_text and grade is None:
            errors.append(f"伤残等级“{grade_text}”无法识别,应为 1–4 级(如 一级、2级、3)")
        data["disability_grade"] = grade
        data["registered_on"] = _date(values.get("registered_on"), "纳入登记日期", errors)
        data["certificate_no"] = text_of(values.get("certificate_no"))
        data["address"] = text_of(values.get("address"))
        for key, choices in cols.CHOICE_FIELDS.items():
            text = text_of(values.get(key))
            if not text:
                continue
            code = choices.get(cols.fold(text))
            if code is None:
                labels = "、".join(dict.fromkeys(label for label in cols.CHOICE_LABELS[key]))
                errors.append(f"{cols.FIELD_LABELS[key]}“{text}”无法识别,可填:{labels}")
            else:
                data[key] = code
        needs, note = cols.needs_of(text_of(values.get("needs")))
        for name, _ in NEEDS:
            data[name] = name in needs
        if note:
            warnings.append(f"利益诉求中“{'、'.join(note)}”不是标准选项,已记为“其他”并写入诉求说明")
        data["needs_note"] = "；".join(filter(None, [text_of(values.get("needs_note")), "、".join(note)]))
        flags_text = text_of(values.get("risk_flags"))
        flags, unknown = cols.flags_of(flags_text)
        if unknown:
            errors.append(f"风险标记“{'、'.join(unknown)}”无法识别,可填:{'、'.join(cols.RISK_LABELS)}")
        data["risk_flags"] = flags
        data["bank_name"] = text_of(values.get("bank_name"))
        data["account_holder"] = _name(values.get("account_holder"))
        account, error, _ = _id_text(values.get("bank_account"))
        if error:
            errors.append("银行账号被 Excel 转成了科学计数法,后几位数字已经丢失;请把该列设置为“文本”格式后重新填写")
        data["bank_account"] = account
        for key, messages in family_check(data, today=self.today).items():
            # The category and a grade we could not read were reported above in the user's words.
            if key == "category" or (key == "disability_grade" and grade_text and grade is None) or (
                    key == "registered_on" and data["registered_on"] is None and text_of(values.get("registered_on"))):
                continue
            errors.extend(messages)
        if data["category"] is None and not category_text:
            errors.append("家庭类别不能为空")
        errors.extend(_length_errors(data, _FAMILY_LIMITS))
        return data

    def _members(self, values, family, errors, warnings, result: RowResult) -> list[dict[str, Any]]:
        raw = {}
        for role, key, label, sex in ROLES:
            name = _name(values.get(f"{key}_name"))
            number, number_error, numeric = _id_text(values.get(f"{key}_id"))
            birth = values.get(f"{key}_birth")
            death = values.get(f"{key}_death")
            if not (name or number or number_error or text_of(birth) or text_of(death)):
                continue
            raw[key] = (role, label, sex, name, number, number_error, numeric, birth, death)
        family_phone = _phone(values.get("phone"), "联系电话", warnings)
        phone_owner = next((k for k, r in raw.items() if r[3] and r[3] == family.get("head_name")), None)
        phone_owner = phone_owner or next((k for k in ("father", "mother", "child") if k in raw), None)
        members = []
        in_row: dict[str, str] = {}
        for key, (role, label, sex, name, number, number_error, numeric, birth, death) in raw.items():
            if number_error:
                errors.append(f"{label}:{number_error}")
                continue
            if key == "child":
                sex = cols.sex_of(text_of(values.get("child_sex")))
            phone = _phone(values.get(f"{key}_phone"), f"{label}联系电话", warnings)
            if not phone and key == phone_owner:
                phone = family_phone
            before = len(errors)
            birth_date = _date(birth, f"{label}出生日期", errors)
            death_date = _date(death, f"{label}死亡日期", errors)
            if len(errors) > before:
                continue
            check = member_check({"role": role, "name": name, "sex": sex, "id_number": number,
                                  "birth_date": birth_date, "is_alive": death_date is None,
                                  "death_date": death_date, "phone": phone}, today=self.today)
            for field_name, messages in check.errors.items():
                if "id_number" in check.errors and (
                        (field_name == "birth_date" and birth_date is None) or (field_name == "sex" and not sex)):
                    continue  # follows from the bad ID number; one reason is enough
                for message in messages:
                    if numeric and "校验位" in message:
                        message += NUMBER_HINT
                    errors.append(f"{label}:{message}")
            warnings.extend(f"{label}:{w}" for w in check.warnings)
            if key == "child" and family.get("category") == Category.CHILD_DECEASED and death_date is None:
                errors.append("独生子女死亡家庭须填写子女死亡日期")
            if key == "child" and family.get("category") == Category.CHILD_DISABLED and death_date is not None:
                warnings.append("伤残家庭填写了子女死亡日期,请核实家庭类别")
            errors.extend(_length_errors(check.data, _MEMBER_LIMITS, prefix=label))
            number = check.data.get("id_number") or ""
            if number and not check.errors.get("id_number"):
                if number in in_row:
                    errors.append(f"{label}身份证号与本行{in_row[number]}的身份证号相同")
                elif number in self.seen:
                    row, who = self.seen[number]
                    errors.append(f"{label}身份证号与第 {row} 行{who}的身份证号重复")
                else:
                    self.seen[number] = (result.row, label)
                in_row[number] = label
                result.numbers.append((label, number))
            members.append(check.data)
        return members


# ---------------------------------------------------------------- the whole file

def _viewer(job: ImportJob) -> tuple[str, bool]:
    """Whose jurisdiction decides what a duplicate hit may reveal."""
    user = job.created_by if job.created_by_id else None
    if user is not None and user.region_id:
        return user.region.prefix, has_perm(user, "family.view")
    return job.region.prefix, True


def _progress(job: ImportJob, value: int, on_progress: ProgressCallback | None, note: str = "") -> None:
    value = max(0, min(100, value))
    job.progress = value
    if job.pk:
        ImportJob.objects.filter(pk=job.pk).update(progress=value)
    if on_progress is not None:
        on_progress(value, note)


def _read(job: ImportJob) -> Table:
    table = read_table(job_file(job), job.filename, cols.SYNONYMS, required=cols.REQUIRED, max_rows=MAX_ROWS)
    if job.region.level != VILLAGE and "village" not in table.columns and "village_code" not in table.columns:
        raise SheetError("缺少必需的列:村(居)(或村级区划代码)")
    if not any(f"{key}_name" in table.columns for _, key, _, _ in ROLES):
        raise SheetError("缺少必需的列:父亲姓名、母亲姓名或子女姓名(至少一列)")
    if not table.rows:
        raise SheetError("文件中没有数据行(表头下面是空的)")
    return table


def _skip(values: dict[str, object]) -> bool:
    """The template's example row and total lines are not families."""
    marks = {text_of(values.get("seq")), text_of(values.get("head_name"))}
    return bool(marks & {"示例", "合计", "总计", "小计"})


def _analyse(job: ImportJob, on_progress: ProgressCallback | None, *, share: int) -> Analysis:
    """Read and check every row; ``share`` is the part of the progress bar this takes."""
    _progress(job, 2, on_progress, "读取文件")
    table = _read(job)
    checker = RowChecker(VillageIndex(job.region), table.columns, timezone.localdate())
    results: list[RowResult] = []
    skipped = 0
    total = len(table.rows)
    for done, (row_number, values) in enumerate(table.rows, start=1):
        if _skip(values):
            skipped += 1
            continue
        results.append(checker.check(row_number, values))
        if done % PROGRESS_EVERY == 0:
            _progress(job, 5 + share * done // total, on_progress, f"已检查 {done}/{total} 行")
    if not results:
        raise SheetError("文件中没有数据行(只有示例行)")
    return Analysis(table=table, results=results, skipped=skipped)


def _existing(numbers: list[str]) -> dict[str, tuple[int, str, str]]:
    """Blind index → (family id, region code, head name) for numbers already stored."""
    found: dict[str, tuple[int, str, str]] = {}
    unique = sorted(set(numbers))
    for start in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[start:start + LOOKUP_CHUNK]
        rows = Member.objects.filter(id_number_bidx__in=chunk).values_list(
            "id_number_bidx", "family_id", "family__region_id", "family__head_name")
        for bidx, family_id, region_code, head_name in rows:
            found.setdefault(bidx, (family_id, region_code, head_name))
    return found


def _mark_database_duplicates(job: ImportJob, results: list[RowResult]) -> int:
    """Make every row holding an ID number already stored an error; returns how many rows turned bad."""
    prefix, can_view = _viewer(job)
    index = {}
    for result in results:
        for who, number in result.numbers:
            index[(result.row, who)] = default_blind_index(number, kind="id_number")
    found = _existing(list(index.values()))
    turned = 0
    for result in results:
        was_ok = not result.errors
        for who, _ in result.numbers:
            hit = found.get(index[(result.row, who)])
            if hit is None:
                continue
            family_id, region_code, head_name = hit
            where = (f"{head_name}家(档案号 {family_id})" if can_view and region_code.startswith(prefix)
                     else "您辖区以外的另一个家庭")
            result.errors.append(f"{who}身份证号可能重复:已登记在{where}")
        turned += was_ok and bool(result.errors)
    return turned


def _fill_job(job: ImportJob, analysis: Analysis) -> None:
    results = analysis.results
    job.total_rows = len(results)
    job.error_rows = sum(1 for r in results if r.errors)
    job.valid_rows = job.total_rows - job.error_rows
    job.warning_rows = sum(1 for r in results if r.warnings)
    job.report = [r.report() for r in results if r.errors or r.warnings]


def _summary_message(job: ImportJob, skipped: int) -> str:
    text = f"共 {job.total_rows} 行:可导入 {job.valid_rows} 户,有错误 {job.error_rows} 行"
    if job.warning_rows:
        text += f",有提示 {job.warning_rows} 行"
    if skipped:
        text += f"(已跳过示例或合计行 {skipped} 行)"
    return text


REPORT_FIELDS = ["state", "progress", "total_rows", "valid_rows", "error_rows", "warning_rows", "message",
                 "report", "checked_at"]


def _save(job: ImportJob, fields: list[str]) -> None:
    if job.pk:
        job.save(update_fields=fields)


def import_check(job: ImportJob, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Dry run: check every row and store the report in the job. Writes no family.

    A file that cannot be read leaves the job ``failed`` with the reason.
    The job may be unsaved (the management command), then nothing at all is written.
    """
    if job.state in (ImportJob.State.COMMITTING, ImportJob.State.COMMITTED):
        raise ValidationError("该导入任务已写入,不能重新检查")
    job.state = ImportJob.State.CHECKING
    job.progress = 0
    _save(job, ["state", "progress"])
    try:
        analysis = _analyse(job, on_progress, share=80)
    except SheetError as exc:
        job.state = ImportJob.State.FAILED
        job.message = str(exc)
        job.total_rows = job.valid_rows = job.error_rows = job.warning_rows = 0
        job.report = []
        job.progress = 100
        job.checked_at = timezone.now()
        _save(job, REPORT_FIELDS)
        return job
    _progress(job, 88, on_progress, "查重")
    _mark_database_duplicates(job, analysis.results)
    _fill_job(job, analysis)
    job.state = ImportJob.State.CHECKED
    job.message = _summary_message(job, analysis.skipped)
    job.progress = 100
    job.checked_at = timezone.now()
    _save(job, REPORT_FIELDS)
    if on_progress is not None:
        on_progress(100, "检查完成")
    return job


def _require_import(acting_user, region: Region) -> None:
    if acting_user is None:
        return  # the system itself (management command)
    if not has_perm(acting_user, "family.import") or not acting_user.region_id:
        raise ValidationError("您没有批量导入的权限")
    if not region.code.startswith(acting_user.region.prefix):
        raise ValidationError({"region": "导入范围不在您的管辖范围内"})


def import_commit_request(*, job: ImportJob, acting_user) -> ImportJob:
    """Claim a checked job for writing and hand it to the background worker (a double click starts one write)."""
    _require_import(acting_user, job.region)
    if job.state != ImportJob.State.CHECKED or job.valid_rows <= 0:
        raise ValidationError("检查完成且至少有一行有效数据后才能确认导入")
    from .tasks import import_commit_task

    return job_commit_claim(job, user_id=getattr(acting_user, "pk", None), commit_task=import_commit_task)


def _lock_province(region: Region) -> None:
    """Serialise imports on PostgreSQL so two files cannot slip the same ID number in
    between the duplicate check and the insert (SQLite takes its write lock at BEGIN)."""
    for code in (ancestor_code(region.code, 1), region.code):
        if list(Region.objects.select_for_update().filter(code=code).values_list("code", flat=True)):
            return


def import_commit(job: ImportJob, acting_user, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Write every valid row in one transaction, re-validating the stored file first.

    ``acting_user`` None means the system (management command without --user);
    the audit trail still records every family.
    """
    _require_import(acting_user, job.region)
    job_commit_start(job)
    try:
        analysis = _analyse(job, on_progress, share=50)
        _progress(job, 60, on_progress, "写入数据库")
        with transaction.atomic():
            _lock_province(job.region)
            _mark_database_duplicates(job, analysis.results)
            families, members = _write(job, acting_user, analysis.results)
            _fill_job(job, analysis)
            job.state = ImportJob.State.COMMITTED
            job.committed_rows = families
            job.committed_at = timezone.now()
            job.progress = 100
            job.message = f"已写入 {families} 户、{members} 名成员"
            if job.error_rows:
                job.message += f";{job.error_rows} 行有错误,未写入"
            _save(job, REPORT_FIELDS + ["committed_rows", "committed_at"])
    except Exception as exc:
        job.state = ImportJob.State.CHECKED
        job.message = ("写入失败,没有写入任何数据:" + str(exc)) if isinstance(exc, SheetError | ValidationError) \
            else "写入失败,没有写入任何数据,请稍后重试或联系管理员"
        _save(job, ["state", "message"])
        raise
    if on_progress is not None:
        on_progress(100, job.message)
    return job


def _write(job: ImportJob, acting_user, results: list[RowResult]) -> tuple[int, int]:
    valid = [r for r in results if not r.errors]
    user = acting_user if getattr(acting_user, "pk", None) else None
    user_id = getattr(user, "pk", None)
    families = []
    for result in valid:
        family = Family(region_id=result.region_code, created_by_id=user_id, status=Status.ACTIVE, **result.family)
        family.bank_account_bidx = (default_blind_index(family.bank_account, kind="bank_account")
                                    if family.bank_account else "")
        families.append(family)
    # What simple_history's bulk_create_with_history writes, through lib.bulk: Django's
    # per-value SQL compiling took most of the commit time (bench/bench_import.py).
    insert_instances(families, with_history=True, history_user=user)
    members = []
    for family, result in zip(families, valid, strict=True):
        for data in result.members:
            member = Member(family_id=family.pk, **data)
            member.id_number_bidx = default_blind_index(member.id_number, kind="id_number") if member.id_number else ""
            member.phone_bidx = default_blind_index(member.phone, kind="phone") if member.phone else ""
            members.append(member)
    insert_instances(members, with_history=True, history_user=user)
    by_family: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        by_family[member.family_id].append(member)
    roles, categories = dict(MemberRole.choices), dict(Category.choices)
    events = [
        PendingEvent(
            action="family.imported", object_type="family", object_id=str(family.pk),
            object_repr=f"{family.head_name}家({categories[family.category]})", region_code=family.region_id,
            changes={"import_job": job.pk, "file": job.filename, "row": result.row,
                     "members": [f"{m.name}({roles[m.role]}) {mask_id_number(m.id_number)}"
                                 for m in by_family[family.pk]]},
        )
        for family, result in zip(families, valid, strict=True)
    ]
    events.append(PendingEvent(
        action="family.import_committed", object_type="importjob", object_id=str(job.pk or ""),
        object_repr=f"导入 {job.filename}", region_code=job.region_id,
        changes={"families": len(families), "members": len(members),
                 "error_rows": sum(1 for r in results if r.errors)},
    ))
    audit_record_many(actor=acting_user or SYSTEM_ACTOR, events=events)
    return len(families), len(members)


def import_job_create(*, acting_user, region: Region, filename: str, data: bytes) -> ImportJob:
    """Store an upload and queue its dry run (after the transaction commits)."""
    _require_import(acting_user, region)
    from .tasks import import_check_task

    return job_create(kind="families", acting_user=acting_user, region=region, filename=filename, data=data,
                      audit_action="family.import_uploaded", check_task=import_check_task)



def import_error_workbook(job: ImportJob) -> bytes:
    """The user's own bad rows, every original column, plus 行号 and 错误原因."""
    from guanhuai.lib.excel import SheetSpec, write_xlsx

    bad = {entry["row"]: entry for entry in job_error_rows(job)}
    try:
        table = read_table(job_file(job), job.filename, cols.SYNONYMS)
    except SheetError:
        table = Table(header_row=0, columns={})
    headers = [*table.labels, "行号", "错误原因"]
    rows = []
    for number in sorted(bad):
        cells = [_plain(v) for v in table.raw_rows.get(number, [None] * len(table.labels))]
        rows.append([*cells, number, ";".join(bad[number]["errors"])])
    text_columns = [table.columns[key] for key in cols.TEXT_KEYS if key in table.columns]
    widths = {len(table.labels) + 1: 80}
    return write_xlsx([SheetSpec("错误行", headers, rows, text_columns=text_columns, widths=widths)])


def _plain(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 10:
        return str(value)
    return value
