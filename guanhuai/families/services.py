"""Writes to the archive. Every function validates, runs in one transaction
and writes its audit event in that same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, diff_values
from guanhuai.lib.crypto import default_blind_index
from guanhuai.lib.idnumber import check_id_number, normalise
from guanhuai.lib.masking import mask
from guanhuai.regions.codes import VILLAGE
from guanhuai.regions.models import Region

from .hooks import families_changed
from .models import NEEDS, Category, ExitReason, Family, Member, MemberRole, RiskFlag, Sex, Status
from .selectors import DuplicateHit, id_number_duplicates

FAMILY_FIELDS = [
    "head_name", "address", "category", "disability_grade", "certificate_no", "registered_on",
    "health", "mental", "living", "income", "housing", "pension", "medical",
    *[name for name, _ in NEEDS], "needs_note", "risk_flags", "bank_name", "account_holder", "bank_account",
]
MEMBER_FIELDS = ["role", "name", "sex", "id_number", "birth_date", "is_alive", "death_date", "phone", "hukou", "marital"]
SENSITIVE = {"id_number": "id_number", "phone": "phone", "bank_account": "bank_account"}


class DuplicateIdNumbers(ValidationError):
    """Raised when an ID number already exists in another family and the user did not confirm."""

    def __init__(self, hits: dict[str, list[DuplicateHit]]):
        self.hits = hits
        messages = {
            key: [f"可能重复:该身份证号已登记在{', '.join(h.label for h in found)}"] for key, found in hits.items()
        }
        super().__init__(messages)


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise ValidationError("您没有执行此操作的权限")


def _check_region(user, region: Region) -> None:
    if region.level != VILLAGE:
        raise ValidationError({"region": "家庭必须登记到村(居)一级"})
    if not region.code.startswith(user.region.prefix):
        raise ValidationError({"region": "所选村(居)不在您的管辖范围内"})


def _snapshot(obj, names: list[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    return out


@dataclass
class MemberCheck:
    data: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def member_check(data: dict[str, Any], *, known_areas: set[str] | None = None, today: dt.date | None = None) -> MemberCheck:
    """Normalise and check one member's data (shared by forms, API and import).

    A missing birth date or sex is taken from the ID number; a given one must
    agree with it.
    """
    data = dict(data)
    result = MemberCheck(data=data)
    errors = result.errors
    today = today or timezone.localdate()
    data["name"] = "".join(str(data.get("name") or "").split())
    if not data["name"]:
        errors.setdefault("name", []).append("姓名不能为空")
    if data.get("role") not in MemberRole.values:
        errors.setdefault("role", []).append("家庭角色无效")
    number = normalise(data.get("id_number") or "")
    data["id_number"] = number
    if number:
        check = check_id_number(number, birth_date=data.get("birth_date"), sex=data.get("sex") or None,
                                known_areas=known_areas, today=today)
        if check.errors:
            errors.setdefault("id_number", []).extend(check.errors)
        else:
            from guanhuai.lib.idnumber import birth_date_of, sex_of

            data.setdefault("birth_date", None)
            data["birth_date"] = data["birth_date"] or birth_date_of(number)
            data["sex"] = data.get("sex") or sex_of(number)
        result.warnings.extend(check.warnings)
    if not data.get("birth_date"):
        errors.setdefault("birth_date", []).append("出生日期不能为空(或填写身份证号)")
    elif data["birth_date"] > today:
        errors.setdefault("birth_date", []).append("出生日期不能晚于今天")
    if data.get("sex") not in Sex.values:
        errors.setdefault("sex", []).append("性别无效")
    if data.get("is_alive") is None:
        data["is_alive"] = True
    if not data["is_alive"]:
        if not data.get("death_date"):
            errors.setdefault("death_date", []).append("已故成员须填写死亡日期")
        elif data["death_date"] > today:
            errors.setdefault("death_date", []).append("死亡日期不能晚于今天")
        elif data.get("birth_date") and data["death_date"] < data["birth_date"]:
            errors.setdefault("death_date", []).append("死亡日期早于出生日期")
    else:
        data["death_date"] = None
    phone = "".join(str(data.get("phone") or "").split())
    phone = phone.replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors.setdefault("phone", []).append("电话号码应为 7–12 位数字")
    data["phone"] = phone
    data.setdefault("hukou", "")
    data.setdefault("marital", "")
    return result


def family_check(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    if not str(data.get("head_name") or "").strip():
        errors["head_name"] = ["户主姓名不能为空"]
    if data.get("category") not in Category.values:
        errors["category"] = ["家庭类别无效"]
    if data.get("category") == Category.CHILD_DISABLED:
        if data.get("disability_grade") not in (1, 2, 3, 4):
            errors["disability_grade"] = ["独生子女伤残家庭须填写伤残等级(1–4 级)"]
    else:
        data["disability_grade"] = None
    registered = data.get("registered_on")
    if not registered:
        errors["registered_on"] = ["纳入登记日期不能为空"]
    elif registered > today:
        errors["registered_on"] = ["纳入登记日期不能晚于今天"]
    flags = data.get("risk_flags") or []
    bad = [f for f in flags if f not in RiskFlag.values]
    if bad:
        errors["risk_flags"] = [f"未知的风险标记:{'、'.join(bad)}"]
    account = "".join(str(data.get("bank_account") or "").split())
    if account and not (account.isdigit() and 8 <= len(account) <= 30):
        errors["bank_account"] = ["银行账号应为 8–30 位数字"]
    data["bank_account"] = account
    return errors


def _apply_member(member: Member, data: dict[str, Any]) -> None:
    for name in MEMBER_FIELDS:
        if name in data:
            setattr(member, name, data[name])
    member.id_number_bidx = default_blind_index(member.id_number, kind="id_number") if member.id_number else ""
    member.phone_bidx = default_blind_index(member.phone, kind="phone") if member.phone else ""


def _set_bank(family: Family) -> None:
    family.bank_account_bidx = (
        default_blind_index(family.bank_account, kind="bank_account") if family.bank_account else ""
    )


def family_create(
    *,
    acting_user,
    region: Region,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    confirm_duplicates: bool = False,
) -> Family:
    """Create a family with its members.

    An ID number already held in another family raises DuplicateIdNumbers
    unless the user confirmed; the same number twice in one family is an error.
    """
    _require(acting_user, "family.edit")
    _check_region(acting_user, region)
    data = {k: v for k, v in data.items() if k in FAMILY_FIELDS}
    errors = family_check(data)
    checked = [member_check(m) for m in members]
    if not members:
        errors["members"] = ["至少登记一名家庭成员"]
    seen: dict[str, int] = {}
    for index, check in enumerate(checked):
        for key, messages in check.errors.items():
            errors[f"members.{index}.{key}"] = messages
        number = check.data.get("id_number")
        if number:
            if number in seen:
                errors[f"members.{index}.id_number"] = [f"与第 {seen[number] + 1} 位成员的身份证号相同"]
            seen[number] = index
    if errors:
        raise ValidationError(errors)
    hits = {}
    for index, check in enumerate(checked):
        found = id_number_duplicates(acting_user, check.data.get("id_number"))
        if found:
            hits[f"members.{index}.id_number"] = found
    if hits and not confirm_duplicates:
        raise DuplicateIdNumbers(hits)
    with transaction.atomic():
        family = Family(region=region, created_by=acting_user, status=Status.ACTIVE)
        for name, value in data.items():
            setattr(family, name, value)
        _set_bank(family)
        family.full_clean()
        family.save()
        created = []
        for check in checked:
            member = Member(family=family)
            _apply_member(member, check.data)
            member.full_clean()
            member.save()
            created.append(member)
        changes = diff_values({}, _snapshot(family, [f for f in FAMILY_FIELDS if f in data] or ["head_name"]),
                              sensitive=SENSITIVE)
        changes["members"] = [None, [f"{m.name}({m.get_role_display()}) {mask('id_number', m.id_number)}" for m in created]]
        if hits:
            changes["possible_duplicates"] = [None, sorted(hits)]
        audit_record(actor=acting_user, action="family.created", obj=family, changes=changes)
        families_changed([family])
    return family


def family_update(*, acting_user, family: Family, data: dict[str, Any], region: Region | None = None) -> Family:
    _require(acting_user, "family.edit")
    data = {k: v for k, v in data.items() if k in FAMILY_FIELDS}
    before = _snapshot(family, FAMILY_FIELDS) | {"region": family.region_id}
    merged = before | data
    for name in ("registered_on",):
        if isinstance(merged.get(name), str):
            merged[name] = dt.date.fromisoformat(merged[name])
    errors = family_check(merged)
    if errors:
        raise ValidationError(errors)
    if region is not None and region.code != family.region_id:
        _check_region(acting_user, region)
    with transaction.atomic():
        for name in FAMILY_FIELDS:
            if name in data or name == "disability_grade":
                setattr(family, name, merged[name])
        if region is not None:
            family.region = region
        _set_bank(family)
        family.full_clean()
        family.save()
        after = _snapshot(family, FAMILY_FIELDS) | {"region": family.region_id}
        changes = diff_values(before, after, sensitive=SENSITIVE)
        if changes:
            audit_record(actor=acting_user, action="family.updated", obj=family, changes=changes)
            families_changed([family])
    return family


def family_exit(*, acting_user, family: Family, reason: str, exit_date: dt.date, note: str = "") -> Family:
    """Take a family off the register (退出) with a reason and date."""
    _require(acting_user, "family.edit")
    errors = {}
    if family.status == Status.EXITED:
        raise ValidationError("该家庭已退出,无需重复操作")
    if reason not in ExitReason.values:
        errors["reason"] = ["请选择退出原因"]
    if not exit_date:
        errors["exit_date"] = ["请填写退出日期"]
    elif exit_date > timezone.localdate():
        errors["exit_date"] = ["退出日期不能晚于今天"]
    elif exit_date < family.registered_on:
        errors["exit_date"] = ["退出日期不能早于纳入登记日期"]
    if reason == ExitReason.OTHER and not note.strip():
        errors["note"] = ["退出原因为“其他”时请填写说明"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        family.status = Status.EXITED
        family.exit_reason = reason
        family.exit_date = exit_date
        family.exit_note = note.strip()[:200]
        family.full_clean()
        family.save(update_fields=["status", "exit_reason", "exit_date", "exit_note", "updated_at"])
        audit_record(actor=acting_user, action="family.exited", obj=family, changes={
            "status": [Status.ACTIVE, Status.EXITED], "exit_reason": [None, reason],
            "exit_date": [None, exit_date.isoformat()], "exit_note": [None, family.exit_note]})
        families_changed([family])
    return family


def family_reinstate(*, acting_user, family: Family, note: str) -> Family:
    """Undo an exit made in error (恢复在册)."""
    _require(acting_user, "family.edit")
    if family.status != Status.EXITED:
        raise ValidationError("该家庭在册,无需恢复")
    if not note.strip():
        raise ValidationError({"note": "请填写恢复在册的理由"})
    with transaction.atomic():
        old = [family.exit_reason, family.exit_date.isoformat() if family.exit_date else None]
        family.status = Status.ACTIVE
        family.exit_reason = ""
        family.exit_date = None
        family.exit_note = ""
        family.save(update_fields=["status", "exit_reason", "exit_date", "exit_note", "updated_at"])
        audit_record(actor=acting_user, action="family.reinstated", obj=family, reason=note.strip(),
                     changes={"status": [Status.EXITED, Status.ACTIVE], "exit": [old, None]})
        families_changed([family])
    return family


def member_add(*, acting_user, family: Family, data: dict[str, Any], confirm_duplicates: bool = False) -> Member:
    _require(acting_user, "family.edit")
    check = member_check(data)
    if check.errors:
        raise ValidationError(check.errors)
    number = check.data.get("id_number")
    if number and family.members.filter(id_number_bidx=default_blind_index(number, kind="id_number")).exists():
        raise ValidationError({"id_number": ["本家庭已有成员使用该身份证号"]})
    hits = id_number_duplicates(acting_user, number, exclude_family_id=family.pk)
    if hits and not confirm_duplicates:
        raise DuplicateIdNumbers({"id_number": hits})
    with transaction.atomic():
        member = Member(family=family)
        _apply_member(member, check.data)
        member.full_clean()
        member.save()
        audit_record(actor=acting_user, action="member.created", obj=member, region_code=family.region_id,
                     changes=diff_values({}, _snapshot(member, MEMBER_FIELDS), sensitive=SENSITIVE))
    return member


def member_update(*, acting_user, member: Member, data: dict[str, Any], confirm_duplicates: bool = False) -> Member:
    _require(acting_user, "family.edit")
    before = _snapshot(member, MEMBER_FIELDS)
    merged = {k: getattr(member, k) for k in MEMBER_FIELDS} | {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    check = member_check(merged)
    if check.errors:
        raise ValidationError(check.errors)
    number = check.data.get("id_number")
    if number and number != member.id_number:
        bidx = default_blind_index(number, kind="id_number")
        if member.family.members.exclude(pk=member.pk).filter(id_number_bidx=bidx).exists():
            raise ValidationError({"id_number": ["本家庭已有成员使用该身份证号"]})
        hits = id_number_duplicates(acting_user, number, exclude_family_id=member.family_id)
        if hits and not confirm_duplicates:
            raise DuplicateIdNumbers({"id_number": hits})
    with transaction.atomic():
        _apply_member(member, check.data)
        member.full_clean()
        member.save()
        changes = diff_values(before, _snapshot(member, MEMBER_FIELDS), sensitive=SENSITIVE)
        if changes:
            audit_record(actor=acting_user, action="member.updated", obj=member, region_code=member.family.region_id,
                         changes=changes)
    return member


def member_remove(*, acting_user, member: Member, reason: str) -> None:
    _require(acting_user, "family.edit")
    if not reason.strip():
        raise ValidationError({"reason": "请填写删除成员的理由"})
    if member.family.members.count() <= 1:
        raise ValidationError("家庭至少要保留一名成员")
    with transaction.atomic():
        snapshot = diff_values(_snapshot(member, MEMBER_FIELDS), {}, sensitive=SENSITIVE)
        region_code = member.family.region_id
        audit_record(actor=acting_user, action="member.deleted", obj=member, region_code=region_code,
                     changes=snapshot, reason=reason.strip())
        member.delete()


REVEAL_FIELDS = {
    ("member", "id_number"): "id_number",
    ("member", "phone"): "phone",
    ("family", "bank_account"): "bank_account",
}


def sensitive_reveal(*, acting_user, obj: Family | Member, field_name: str, reason: str) -> str:
    """Return the unmasked value; the reveal itself is an audited event."""
    _require(acting_user, "sensitive.reveal")
    kind = REVEAL_FIELDS.get((obj._meta.model_name, field_name))
    if kind is None:
        raise ValidationError("该字段不能查看")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": "查看完整信息须填写理由"})
    value = getattr(obj, field_name) or ""
    region_code = obj.region_id if isinstance(obj, Family) else obj.family.region_id
    with transaction.atomic():
        audit_record(actor=acting_user, action="sensitive.reveal", obj=obj, region_code=region_code,
                     changes={"field": field_name, "value": mask(kind, value)}, reason=reason[:500])
    return value
