"""Roster (名册) import: each row names a family by a member's ID number and its
first and second contact (name, post, phone). A dry run first, then one transaction.

``roster_analyse`` reads the bytes and checks every row against the database
without writing; ``roster_write`` re-analyses the same bytes and, in a single
transaction, creates the contacts that do not exist yet, updates changed
posts and calls ``assignment_set`` for every slot whose contact changes.

Invariants:
- a family outside the importer's jurisdiction gets exactly the message an
  unknown ID number gets, so the report never tells that it exists;
- a contact is reused when one with the same name and phone (blind index)
  is registered in a region holding the family; otherwise it is created in the
  family's township (first contact) or village (second contact);
- a row whose contacts are already the family's contacts changes nothing, so
  importing the same file twice is a no-op the second time;
- the stored upload is encrypted at rest (it holds ID numbers).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.families.hooks import families_changed
from guanhuai.families.import_jobs import job_commit_claim, job_create, job_error_rows, job_file
from guanhuai.families.models import Family, ImportJob, Member, Status
from guanhuai.lib.crypto import default_blind_index
from guanhuai.lib.dates import DateParseError, parse_date
from guanhuai.lib.excel import SheetError, Table, read_table, text_of, write_xlsx
from guanhuai.lib.idnumber import check_id_number, normalise
from guanhuai.lib.masking import mask_id_number
from guanhuai.regions.codes import TOWNSHIP, ancestor_code, prefix_of
from guanhuai.regions.models import Region

from .models import SLOT_KINDS, Assignment, ContactKind, ContactPerson, Slot, allowed_kinds_label
from .services import assignment_set, contact_create, contact_update

JOB_KIND = "contacts"
MAX_ROWS = 50_000
LOOKUP_CHUNK = 2000
PROGRESS_EVERY = 200
ProgressCallback = Callable[[int, str], None]

# ---------------------------------------------------------------- columns

_NAME = ["姓名", "", "名字"]
_POST = ["职务", "职位", "所任职务", "岗位"]
_PHONE = ["电话", "联系电话", "手机", "手机号", "手机号码", "电话号码", "联系方式", "办公电话"]
_KIND = ["类别", "身份", "人员类别", "类型"]
FIRST_PREFIXES = ["第一联系人", "第一联系人(乡镇)", "第一联系人(乡镇干部)", "乡镇联系人", "乡镇干部", "乡镇联系干部",
                  "乡镇级联系人", "乡镇包保干部", "第一责任人"]
SECOND_PREFIXES = ["第二联系人", "第二联系人(村居)", "第二联系人(村居干部)", "第二联系人(村级)", "村级联系人",
                   "村(居)联系人", "村居联系人", "村干部", "村(居)干部", "村联系人", "村级包保人", "第二责任人"]


def _cross(prefixes: list[str], suffixes: list[str]) -> list[str]:
    return [p + s for s in suffixes for p in prefixes]


SYNONYMS: dict[str, list[str]] = {
    "seq": ["序号", "编号", "顺序号"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "成员身份证号", "家庭成员身份证号", "户主身份证号",
                  "身份证", "证件号码", "夫妻一方身份证号", "父亲或母亲身份证号"],
    "head_name": ["户主姓名", "户主", "家庭户主", "户主名"],
    "village": ["村(居)", "村居", "村", "村(社区)", "所在村", "所在村(居)", "村名", "村(居)委会"],
    "township": ["乡镇(街道)", "乡镇", "乡(镇)", "乡镇街道", "所在乡镇"],
    "first_name": _cross(FIRST_PREFIXES, _NAME),
    "first_post": _cross(FIRST_PREFIXES, _POST),
    "first_phone": _cross(FIRST_PREFIXES, _PHONE),
    "second_name": _cross(SECOND_PREFIXES, _NAME),
    "second_post": _cross(SECOND_PREFIXES, _POST),
    "second_phone": _cross(SECOND_PREFIXES, _PHONE),
    "second_kind": _cross(SECOND_PREFIXES, _KIND),
    "start_date": ["起始日期", "开始日期", "确定日期", "分工日期", "联系起始日期", "生效日期", "变更日期"],
    "reason": ["变更原因", "确定/变更原因", "调整原因", "原因"],
}
HEADERS = ["序号", "乡镇(街道)", "村(居)", "户主姓名", "身份证号",
           "第一联系人姓名", "第一联系人职务", "第一联系人电话",
           "第二联系人姓名", "第二联系人职务", "第二联系人电话", "第二联系人类别", "起始日期", "变更原因"]
KEYS = ["seq", "township", "village", "head_name", "id_number", "first_name", "first_post", "first_phone",
        "second_name", "second_post", "second_phone", "second_kind", "start_date", "reason"]
SLOT_COLUMNS = {Slot.FIRST: "first", Slot.SECOND: "second"}
SLOT_WORDS = {Slot.FIRST: "第一联系人", Slot.SECOND: "第二联系人"}
SECOND_KIND_LABELS = {label: value for value, label in ContactKind.choices if value in SLOT_KINDS[Slot.SECOND]}
SECOND_KIND_LABELS.update({"村干部": ContactKind.VILLAGE_CADRE, "村(居)干部": ContactKind.VILLAGE_CADRE,
                           "村居委干部": ContactKind.VILLAGE_CADRE, "协会会员": ContactKind.ASSOCIATION,
                           "计生协": ContactKind.ASSOCIATION, "医生": ContactKind.DOCTOR,
                           "签约医生": ContactKind.DOCTOR})
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)
SCIENTIFIC_MESSAGE = "身份证号被 Excel 转成了科学计数法(如 5.10104E+17),后几位已经丢失;请把该列设为“文本”后重新填写"


# ---------------------------------------------------------------- one row

@dataclass
class SlotPlan:
    slot: str
    name: str
    post: str
    phone: str
    kind: str
    region_code: str  # where a new contact is registered
    contact_id: int | None = None  # an existing contact to reuse
    current: str = ""  # the family's contact in this slot now
    assign: bool = False  # False: the family already has this contact
    update_post: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.name, self.phone


@dataclass
class RosterRow:
    row: int
    values: dict[str, object]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""
    family_id: int | None = None
    family_region: str = ""
    start_date: dt.date | None = None
    reason: str = ""
    plans: list[SlotPlan] = field(default_factory=list)

    @property
    def changes(self) -> list[str]:
        out = []
        for plan in self.plans:
            if plan.assign:
                out.append(f"{SLOT_WORDS[plan.slot]}:{plan.current or '(无)'} → {plan.name}")
            elif plan.update_post:
                out.append(f"{SLOT_WORDS[plan.slot]} {plan.name} 职务改为“{plan.post}”")
        return out

    def report(self) -> dict[str, Any]:
        return {"row": self.row, "errors": self.errors, "warnings": self.warnings, "summary": self.summary,
                "changes": [] if self.errors else self.changes}


@dataclass
class RosterAnalysis:
    table: Table
    rows: list[RosterRow]
    skipped: int = 0

    @property
    def valid(self) -> list[RosterRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def error_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def changed_rows(self) -> int:
        return sum(1 for r in self.valid if r.changes)

    @property
    def assignments(self) -> int:
        return sum(1 for r in self.valid for p in r.plans if p.assign)

    def message(self) -> str:
        valid = len(self.valid)
        text = (f"共 {len(self.rows)} 行:有效 {valid} 行(需变更 {self.changed_rows} 户、"
                f"{self.assignments} 个岗位,无变化 {valid - self.changed_rows} 户),有错误 {self.error_rows} 行")
        warned = sum(1 for r in self.rows if r.warnings)
        if warned:
            text += f",有提示 {warned} 行"
        if self.skipped:
            text += f"(已跳过示例或合计行 {self.skipped} 行)"
        return text


def _clean_phone(value: object) -> str:
    text = text_of(value)
    return "".join(text.split()).replace("-", "").replace("—", "").replace("(", "").replace(")", "")


def _phone_ok(phone: str) -> bool:
    return phone.isdigit() and 7 <= len(phone) <= 12


def _id_text(value: object) -> tuple[str, str]:
    """(number, error) for an ID number cell, which Excel may have turned into a float."""
    if value is None or isinstance(value, bool):
        return "", ""
    if isinstance(value, float):
        if abs(value) >= 1e15 or not value.is_integer():
            return "", SCIENTIFIC_MESSAGE
        return str(int(value)), ""
    if isinstance(value, int):
        return str(value), ""
    text = normalise(text_of(value))
    if SCIENTIFIC.match(text):
        return "", SCIENTIFIC_MESSAGE
    return text, ""


@dataclass(frozen=True)
class _Family:
    id: int
    region: str
    head_name: str
    status: str
    village: str


@dataclass(frozen=True)
class _Contact:
    id: int
    name: str
    phone_bidx: str
    region: str
    region_name: str
    kind: str
    is_active: bool
    post: str


@dataclass
class _Planned:
    """A contact this file will create: where, as what, first mentioned on which row."""

    region: str
    kind: str
    post: str
    row: int


def _filled(values: dict[str, object], slot: str) -> bool:
    col = SLOT_COLUMNS[slot]
    return any(text_of(values.get(f"{col}_{part}")) for part in ("name", "post", "phone"))


def _person(values: dict[str, object], col: str) -> tuple[str, str]:
    return "".join(text_of(values.get(f"{col}_name")).split()), _clean_phone(values.get(f"{col}_phone"))


class RosterChecker:
    """Checks rows against one snapshot of families, assignments and contacts."""

    def __init__(self, prefix: str, today: dt.date):
        self.prefix = prefix
        self.today = today
        self.families: dict[str, _Family] = {}  # blind index → family
        self.current: dict[tuple[int, str], tuple[int, str, dt.date]] = {}  # (family, slot) → contact, name, start
        self.contacts: dict[tuple[str, str], list[_Contact]] = {}  # (name, phone blind index) → contacts
        self.planned: dict[tuple[str, str], _Planned] = {}
        self.posts: dict[int, tuple[str, int]] = {}  # contact id → (new post, row)
        self.seen_families: dict[int, int] = {}  # family id → row

    # -- one query per kind of thing, in chunks
    def load(self, rows: list[RosterRow]) -> None:
        numbers = set()
        keys = set()
        for row in rows:
            number, _ = _id_text(row.values.get("id_number"))
            if number:
                numbers.add(default_blind_index(number, kind="id_number"))
            for col in SLOT_COLUMNS.values():
                name = "".join(text_of(row.values.get(f"{col}_name")).split())
                phone = _clean_phone(row.values.get(f"{col}_phone"))
                if name and phone:
                    keys.add((name, default_blind_index(phone, kind="phone")))
        bidx = sorted(numbers)
        family_ids: set[int] = set()
        for start in range(0, len(bidx), LOOKUP_CHUNK):
            found = (Member.objects.filter(id_number_bidx__in=bidx[start:start + LOOKUP_CHUNK])
                     .values_list("id_number_bidx", "family_id", "family__region_id", "family__head_name",
                                  "family__status", "family__region__name"))
            for index, family_id, region, head, status, village in found:
                self.families.setdefault(index, _Family(family_id, region, head, status, village))
                family_ids.add(family_id)
        ids = sorted(family_ids)
        for start in range(0, len(ids), LOOKUP_CHUNK):
            active = (Assignment.objects.filter(family_id__in=ids[start:start + LOOKUP_CHUNK], end_date__isnull=True,
                                                slot__in=[Slot.FIRST, Slot.SECOND])
                      .values_list("family_id", "slot", "contact_id", "contact__name", "start_date"))
            for family_id, slot, contact_id, name, start_date in active:
                self.current[(family_id, slot)] = (contact_id, name, start_date)
        phones = sorted({p for _, p in keys})
        for start in range(0, len(phones), LOOKUP_CHUNK):
            found = (ContactPerson.objects.filter(phone_bidx__in=phones[start:start + LOOKUP_CHUNK],
                                                  region__code__startswith=self.prefix)
                     .values_list("id", "name", "phone_bidx", "region_id", "region__name", "kind", "is_active",
                                  "post"))
            for row in found:
                contact = _Contact(*row)
                if (contact.name, contact.phone_bidx) in keys:
                    self.contacts.setdefault((contact.name, contact.phone_bidx), []).append(contact)

    def check(self, row: RosterRow) -> None:
        errors = row.errors
        family = self._family(row)
        try:
            row.start_date = parse_date(row.values.get("start_date")) or self.today
        except DateParseError as exc:
            errors.append(f"起始日期:{exc}")
        if row.start_date and row.start_date > self.today:
            errors.append("起始日期不能晚于今天")
        row.reason = text_of(row.values.get("reason"))[:200] or "名册导入"
        filled = [slot for slot in SLOT_COLUMNS if _filled(row.values, slot)]
        if not filled:
            errors.append("第一联系人和第二联系人都没有填写")
        elif len(filled) == 2 and _person(row.values, "first") == _person(row.values, "second"):
            errors.append("第一联系人和第二联系人不能是同一个人")
            return
        plans = [self._slot(row, family, slot) for slot in filled]
        row.plans = [p for p in plans if p is not None]

    def _family(self, row: RosterRow) -> _Family | None:
        number, error = _id_text(row.values.get("id_number"))
        head = "".join(text_of(row.values.get("head_name")).split())
        row.summary = f"{head or '(未填户主)'} · 身份证号 {mask_id_number(number) or '(空)'}"
        if error:
            row.errors.append(error)
            return None
        if not number:
            row.errors.append("身份证号不能为空")
            return None
        checked = check_id_number(number, today=self.today)
        if not checked.ok:
            row.errors.append(f"身份证号 {mask_id_number(number)}:{checked.errors[0]}")
            return None
        family = self.families.get(default_blind_index(number, kind="id_number"))
        if family is None or not family.region.startswith(self.prefix):
            # One message for both: a family outside the jurisdiction is not admitted to exist.
            row.errors.append(f"身份证号 {mask_id_number(number)} 在您的辖区内没有对应的家庭档案")
            return None
        row.family_id, row.family_region = family.id, family.region
        row.summary = f"{family.head_name}家 · {family.village} · 身份证号 {mask_id_number(number)}"
        if family.status != Status.ACTIVE:
            row.errors.append("该家庭已退出,不能再确定联系人")
        if family.id in self.seen_families:
            row.errors.append(f"与第 {self.seen_families[family.id]} 行是同一个家庭,每户只能填一行")
        else:
            self.seen_families[family.id] = row.row
        if head and head != family.head_name:
            row.warnings.append(f"户主姓名“{head}”与档案中的“{family.head_name}”不一致,已按身份证号对应")
        return family

    def _slot(self, row: RosterRow, family: _Family | None, slot: str) -> SlotPlan | None:
        col, word = SLOT_COLUMNS[slot], SLOT_WORDS[slot]
        errors = row.errors
        name = "".join(text_of(row.values.get(f"{col}_name")).split())
        post = text_of(row.values.get(f"{col}_post"))
        raw_phone = text_of(row.values.get(f"{col}_phone"))
        phone = _clean_phone(raw_phone)
        if not name:
            errors.append(f"{word}姓名不能为空")
        elif len(name) > 60:
            errors.append(f"{word}姓名超过 60 个字")
        if len(post) > 60:
            errors.append(f"{word}职务超过 60 个字")
        if not raw_phone:
            errors.append(f"{word}电话不能为空(联系卡上要印电话)")
        elif not _phone_ok(phone):
            errors.append(f"{word}电话“{raw_phone}”不正确:应为 7–12 位数字(手机 11 位,座机可带区号)")
        kind = ContactKind.TOWNSHIP_CADRE if slot == Slot.FIRST else ContactKind.VILLAGE_CADRE
        kind_text = "".join(text_of(row.values.get("second_kind")).split()) if slot == Slot.SECOND else ""
        if kind_text:
            kind = SECOND_KIND_LABELS.get(kind_text)
            if kind is None:
                errors.append(f"第二联系人类别“{kind_text}”无法识别,可填:{allowed_kinds_label(Slot.SECOND)}")
                kind = ContactKind.VILLAGE_CADRE
        if family is None or any(e.startswith(word) for e in errors):
            return None
        region = ancestor_code(family.region, TOWNSHIP) if slot == Slot.FIRST else family.region
        plan = SlotPlan(slot=slot, name=name, post=post, phone=phone, kind=kind, region_code=region)
        if not self._choose(row, family, plan):
            return None
        current = self.current.get((family.id, slot))
        plan.current = current[1] if current else ""
        plan.assign = current is None or plan.contact_id is None or current[0] != plan.contact_id
        if plan.assign and current is not None and row.start_date and row.start_date < current[2]:
            errors.append(f"起始日期早于现任{word}{current[1]}的起始日期 {current[2]:%Y-%m-%d}")
        return plan

    def _choose(self, row: RosterRow, family: _Family, plan: SlotPlan) -> bool:
        """Reuse a registered contact or plan a new one; False (with an error) when neither may be."""
        word = SLOT_WORDS[plan.slot]
        allowed = allowed_kinds_label(plan.slot)
        index = default_blind_index(plan.phone, kind="phone")
        found = self.contacts.get((plan.name, index), [])
        holding = [c for c in found if family.region.startswith(prefix_of(c.region))]
        if found and not holding:
            where = "、".join(sorted({c.region_name for c in found}))
            row.errors.append(f"{word}{plan.name}登记在{where},该区划不包含本户所在的{family.village}")
            return False
        if holding:
            in_post = [c for c in holding if c.is_active]
            if not in_post:
                row.errors.append(f"{word}{plan.name}已离岗,不能再分配家庭")
                return False
            contact = max(in_post, key=lambda c: (len(prefix_of(c.region)), -c.id))
            if contact.kind not in SLOT_KINDS[plan.slot]:
                row.errors.append(f"{plan.name}登记为{ContactKind(contact.kind).label},不能担任{word}(应由{allowed}担任)")
                return False
            plan.contact_id, plan.kind = contact.id, contact.kind
            if plan.post and plan.post != contact.post:
                earlier = self.posts.get(contact.id)
                if earlier is None:
                    self.posts[contact.id] = (plan.post, row.row)
                    plan.update_post = True
                    row.warnings.append(f"{plan.name}的职务将由“{contact.post or '(空)'}”改为“{plan.post}”")
                elif earlier[0] != plan.post:
                    row.warnings.append(f"{plan.name}的职务与第 {earlier[1]} 行填写的不同,以第 {earlier[1]} 行为准")
            return True
        planned = self.planned.get((plan.name, index))
        if planned is None:
            self.planned[(plan.name, index)] = _Planned(plan.region_code, plan.kind, plan.post, row.row)
            return True
        if not family.region.startswith(prefix_of(planned.region)):
            row.errors.append(f"{word}{plan.name}在第 {planned.row} 行已按另一个村(居)或乡镇登记,"
                              f"该区划不包含本户所在的{family.village}")
            return False
        if planned.kind not in SLOT_KINDS[plan.slot]:
            row.errors.append(f"{plan.name}在第 {planned.row} 行登记为{ContactKind(planned.kind).label},"
                              f"不能担任{word}(应由{allowed}担任)")
            return False
        plan.region_code, plan.kind = planned.region, planned.kind
        if plan.post != planned.post:
            row.warnings.append(f"{plan.name}的职务与第 {planned.row} 行填写的不同,以第 {planned.row} 行为准")
            plan.post = planned.post
        return True


# ---------------------------------------------------------------- the whole file

def _read(data: bytes, filename: str) -> Table:
    table = read_table(data, filename, SYNONYMS, required=["id_number"])
    columns = table.columns
    if "first_name" not in columns and "second_name" not in columns:
        raise SheetError("缺少必需的列:第一联系人姓名或第二联系人姓名(至少一组)")
    for col, word in (("first", "第一联系人"), ("second", "第二联系人")):
        if f"{col}_name" in columns and f"{col}_phone" not in columns:
            raise SheetError(f"缺少必需的列:{word}电话")
    if len(table.rows) > MAX_ROWS:
        raise SheetError(f"数据超过 {MAX_ROWS} 行的上限,请拆分成几个文件分批导入")
    return table


def _skip(values: dict[str, object]) -> bool:
    """The template's example row and total lines are not families."""
    marks = {text_of(values.get("seq")), text_of(values.get("head_name"))}
    return bool(marks & {"示例", "合计", "总计", "小计"})


def roster_analyse(data: bytes, filename: str, *, prefix: str, today: dt.date | None = None,
                   on_progress: ProgressCallback | None = None) -> RosterAnalysis:
    """Check every row of the file for an importer whose jurisdiction is ``prefix``. Writes nothing.

    Raises ``SheetError`` when the file as a whole cannot be read.
    """
    table = _read(data, filename)
    rows, skipped = [], 0
    for number, values in table.rows:
        if _skip(values):
            skipped += 1
        else:
            rows.append(RosterRow(row=number, values=values))
    if not rows:
        raise SheetError("文件中没有数据行(表头下面是空的)")
    checker = RosterChecker(prefix, today or timezone.localdate())
    checker.load(rows)
    for done, row in enumerate(rows, start=1):
        checker.check(row)
        if on_progress is not None and done % PROGRESS_EVERY == 0:
            on_progress(10 + 80 * done // len(rows), f"已检查 {done}/{len(rows)} 行")
    return RosterAnalysis(table=table, rows=rows, skipped=skipped)


@dataclass
class WriteResult:
    families: int = 0
    assignments: int = 0
    contacts_created: int = 0
    posts_updated: int = 0


def _require(acting_user, region: Region | None = None) -> None:
    if not has_perm(acting_user, "contacts.manage") or not acting_user.region_id:
        raise ValidationError("您没有维护联系人名册的权限")
    if region is not None and not region.code.startswith(acting_user.region.prefix):
        raise ValidationError("导入范围不在您的管辖范围内")


def roster_write(*, acting_user, data: bytes, filename: str, job: ImportJob | None = None) -> tuple[RosterAnalysis, WriteResult]:
    """Write every valid row of the file in one transaction, re-checked against the data as it is now.

    All or nothing: if any write is refused, nothing is written.
    """
    _require(acting_user)
    prefix = acting_user.region.prefix
    result = WriteResult()
    with transaction.atomic():
        analysis = roster_analyse(data, filename, prefix=prefix)
        created: dict[tuple[str, str], ContactPerson] = {}
        regions: dict[str, Region] = {}
        touched: dict[int, Family] = {}
        for row in analysis.valid:
            if not row.changes:
                continue
            family = Family.objects.select_related("region").get(pk=row.family_id)
            for plan in row.plans:
                try:
                    contact = _contact_for(acting_user, plan, created, regions, result)
                    if plan.update_post:
                        contact_update(acting_user=acting_user, contact=contact, data={"post": plan.post})
                        result.posts_updated += 1
                    if plan.assign:
                        assignment_set(acting_user=acting_user, family=family, slot=plan.slot, contact=contact,
                                       start_date=row.start_date, reason=row.reason, refresh=False)
                        result.assignments += 1
                        touched[family.pk] = family
                except ValidationError as exc:
                    raise ValidationError(f"第 {row.row} 行:{';'.join(exc.messages)}(没有写入任何数据)") from None
            result.families += 1
        families_changed(list(touched.values()))  # one refresh of state and coverage for the whole roster
        audit_record(actor=acting_user, action="contacts.roster_imported", object_type="importjob",
                     object_id=str(job.pk) if job is not None and job.pk else "", object_repr=f"导入名册 {filename}",
                     region_code=acting_user.region_id,
                     changes={"file": filename, "families": result.families, "assignments": result.assignments,
                              "contacts_created": result.contacts_created, "error_rows": analysis.error_rows})
    return analysis, result


def _contact_for(acting_user, plan: SlotPlan, created: dict, regions: dict, result: WriteResult) -> ContactPerson:
    if plan.contact_id is not None:
        return ContactPerson.objects.select_related("region").get(pk=plan.contact_id)
    contact = created.get(plan.key)
    if contact is None:
        region = regions.get(plan.region_code) or Region.objects.get(code=plan.region_code)
        regions[plan.region_code] = region
        contact = contact_create(acting_user=acting_user, region=region, name=plan.name, kind=plan.kind,
                                 post=plan.post, phone=plan.phone)
        created[plan.key] = contact
        result.contacts_created += 1
    return contact


# ---------------------------------------------------------------- jobs (the web page and the API)

REPORT_FIELDS = ["state", "progress", "total_rows", "valid_rows", "error_rows", "warning_rows", "message", "report",
                 "checked_at"]


def _fill(job: ImportJob, analysis: RosterAnalysis) -> None:
    job.total_rows = len(analysis.rows)
    job.error_rows = analysis.error_rows
    job.valid_rows = len(analysis.valid)
    job.warning_rows = sum(1 for r in analysis.rows if r.warnings)
    job.report = [r.report() for r in analysis.rows if r.errors or r.warnings or r.changes]


def roster_job_create(*, acting_user, filename: str, data: bytes) -> ImportJob:
    """Store an upload (encrypted) and queue its dry run after the transaction commits."""
    _require(acting_user)
    from .tasks import roster_check_task

    return job_create(kind=JOB_KIND, acting_user=acting_user, region=acting_user.region, filename=filename,
                      data=data, audit_action="contacts.roster_uploaded", check_task=roster_check_task,
                      default_filename="roster.xlsx")


def _progress(job: ImportJob, value: int) -> None:
    job.progress = value
    ImportJob.objects.filter(pk=job.pk).update(progress=value)


def roster_job_check(job: ImportJob) -> ImportJob:
    """The dry run of a stored upload: every row checked, the report kept in the job."""
    if job.state in (ImportJob.State.COMMITTING, ImportJob.State.COMMITTED):
        raise ValidationError("该导入任务已写入,不能重新检查")
    job.state = ImportJob.State.CHECKING
    job.progress = 5
    job.save(update_fields=["state", "progress"])
    try:
        analysis = roster_analyse(job_file(job), job.filename, prefix=job.region.prefix,
                                  on_progress=lambda value, _: _progress(job, value))
    except SheetError as exc:
        job.state = ImportJob.State.FAILED
        job.message = str(exc)
        job.total_rows = job.valid_rows = job.error_rows = job.warning_rows = 0
        job.report = []
    else:
        _fill(job, analysis)
        job.state = ImportJob.State.CHECKED
        job.message = analysis.message()
    job.progress = 100
    job.checked_at = timezone.now()
    job.save(update_fields=REPORT_FIELDS)
    return job


def roster_job_can_commit(job: ImportJob) -> bool:
    return job.state == ImportJob.State.CHECKED and any(entry.get("changes") for entry in job.report or [])


def roster_job_commit_request(*, job: ImportJob, acting_user) -> ImportJob:
    """Claim a checked job for writing (a conditional update: a double click writes once) and queue the write."""
    _require(acting_user, job.region)
    if not roster_job_can_commit(job):
        raise ValidationError("检查完成且至少有一行需要变更后才能确认导入")
    from .tasks import roster_commit_task

    return job_commit_claim(job, user_id=acting_user.pk, commit_task=roster_commit_task)


def roster_job_commit(job: ImportJob, acting_user) -> ImportJob:
    """Write the job's file (re-checked) in one transaction; on failure the job is handed back, nothing written."""
    _require(acting_user, job.region)
    try:
        analysis, result = roster_write(acting_user=acting_user, data=job_file(job), filename=job.filename, job=job)
    except (SheetError, ValidationError) as exc:
        text = str(exc) if isinstance(exc, SheetError) else ";".join(exc.messages)
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.CHECKED, progress=100,
                                                   message="写入失败,没有写入任何数据:" + text)
        job.refresh_from_db()
        return job
    _fill(job, analysis)
    job.state = ImportJob.State.COMMITTED
    job.committed_rows = result.families
    job.committed_at = timezone.now()
    job.progress = 100
    job.message = (f"已写入 {result.families} 户的联系人({result.assignments} 个岗位),"
                   f"新登记联系人 {result.contacts_created} 名")
    if result.posts_updated:
        job.message += f",更新职务 {result.posts_updated} 名"
    if analysis.error_rows:
        job.message += f";{analysis.error_rows} 行有错误,未写入"
    job.save(update_fields=REPORT_FIELDS + ["committed_rows", "committed_at"])
    return job



def roster_error_workbook(job: ImportJob) -> bytes:
    """The bad rows as the user wrote them (the recognised columns), plus 行号 and 错误原因."""
    bad = {entry["row"]: entry for entry in job_error_rows(job)}
    try:
        table = read_table(job_file(job), job.filename, SYNONYMS)
    except SheetError:
        table = Table(header_row=0, columns={})
    keys = [k for k in KEYS if k in table.columns]
    headers = [HEADERS[KEYS.index(k)] for k in keys] + ["行号", "错误原因"]
    values = dict(table.rows)
    rows = []
    for number in sorted(bad):
        row = values.get(number, {})
        cells = [_plain(row.get(k)) for k in keys]
        rows.append([*cells, number, ";".join(bad[number]["errors"])])
    return write_xlsx([("错误行", headers, rows)])


def _plain(value: object) -> object:
    # Long digit strings stay text, so Excel does not turn an ID number into 5.1E+17.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 10:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) >= 10 ** 10:
        return str(int(value))
    return value


def roster_template() -> bytes:
    """A blank roster with the expected headers and one example row (skipped on import)."""
    example = ["示例", "东城镇", "桃园村", "张建国", "510104196205170011", "王建华", "副镇长", "13900000001",
               "李秀兰", "村委会主任", "13900000002", "村居干部", "2025-03-01", "新建名册"]
    return write_xlsx([("联系人名册", HEADERS, [example])])
