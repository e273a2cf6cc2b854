"""Importing the division tree from CSV or xlsx."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from guanhuai.audit.services import audit_record
from guanhuai.lib.excel import read_table, text_of

from .codes import CodeError, level_of, parent_code_of
from .models import Region

SYNONYMS = {
    "code": ["区划代码", "代码", "统计用区划代码", "行政区划代码", "code"],
    "name": ["名称", "区划名称", "单位名称", "name"],
    "hotline": ["服务热线", "热线", "hotline"],
}


@dataclass
class RegionImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, code, reason)
    committed: bool = False


def _changed(region: Region, name: str, hotline: str) -> bool:
    return region.name != name or bool(hotline and region.hotline != hotline)


def region_import(*, acting_user, data: bytes, filename: str, commit: bool = True) -> RegionImportReport:
    """Validate every line (code shape, parent exists in the table or the file,
    inside the administrator's region) and write the accepted ones in one
    transaction. Existing codes are renamed; re-importing a file changes nothing.
    ``acting_user`` None is the command line, which may import any region."""
    table = read_table(data, filename, SYNONYMS, required=["code", "name"])
    report = RegionImportReport()
    scope = acting_user.region.prefix if acting_user is not None and acting_user.region_id else None
    if acting_user is not None and scope is None:
        raise PermissionDenied("您没有导入行政区划的权限")
    parsed: dict[str, tuple[int, str, str]] = {}
    for row_number, values in table.rows:
        code = text_of(values.get("code"))
        name = text_of(values.get("name"))
        if not name:
            report.rejected.append((row_number, code, "名称为空"))
            continue
        try:
            level_of(code)
        except CodeError as exc:
            report.rejected.append((row_number, code, str(exc)))
            continue
        if code in parsed:
            report.rejected.append((row_number, code, f"与第 {parsed[code][0]} 行重复"))
            continue
        if scope is not None and not code.startswith(scope):
            report.rejected.append((row_number, code, "不在您的管辖范围内"))
            continue
        parsed[code] = (row_number, name, text_of(values.get("hotline")))
    existing = {r.code: r for r in Region.objects.filter(code__in=list(parsed))}
    known = set(Region.objects.filter(code__in={parent_code_of(c) for c in parsed} - {None}).values_list("code", flat=True))
    accepted: dict[str, tuple[int, str, str]] = {}
    # Parents first, so a child can rely on a parent earlier in the same file.
    for code in sorted(parsed, key=lambda c: (level_of(c), c)):
        row_number, name, hotline = parsed[code]
        parent = parent_code_of(code)
        if parent is not None and parent not in known and parent not in accepted:
            report.rejected.append((row_number, code, f"上级区划 {parent} 不存在"))
            continue
        accepted[code] = parsed[code]
    report.rejected.sort()
    if not commit:
        report.created = sum(1 for c in accepted if c not in existing)
        report.updated = sum(1 for c in accepted if c in existing and _changed(existing[c], *accepted[c][1:]))
        report.unchanged = len(accepted) - report.created - report.updated
        return report
    with transaction.atomic():
        new_rows = []
        for code in sorted(accepted, key=lambda c: (level_of(c), c)):
            _, name, hotline = accepted[code]
            if code in existing:
                region = existing[code]
                if _changed(region, name, hotline):
                    region.name = name
                    region.hotline = hotline or region.hotline
                    region.save(update_fields=["name", "hotline"])
                    report.updated += 1
                else:
                    report.unchanged += 1
            else:
                new_rows.append(Region(code=code, name=name, level=level_of(code), parent_id=parent_code_of(code),
                                       hotline=hotline))
                report.created += 1
        Region.objects.bulk_create(new_rows, batch_size=2000)
        audit_record(actor=acting_user, action="regions.imported", object_type="region", object_id=filename[:64],
                     object_repr=f"区划导入 {filename}"[:200],
                     changes={"created": report.created, "updated": report.updated,
                              "rejected": len(report.rejected)})
        report.committed = True
    return report
