"""Loading a year's official calendar (holidays and adjusted working days)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from guanhuai.audit.services import audit_record
from guanhuai.lib.dates import DateParseError, parse_date

from . import calendar
from .generations import CALENDAR, generation_bump
from .models import CalendarDay, CalendarYear

KIND_WORDS = {
    "holiday": CalendarDay.Kind.HOLIDAY, "休": CalendarDay.Kind.HOLIDAY, "放假": CalendarDay.Kind.HOLIDAY,
    "假": CalendarDay.Kind.HOLIDAY, "workday": CalendarDay.Kind.WORKDAY, "班": CalendarDay.Kind.WORKDAY,
    "上班": CalendarDay.Kind.WORKDAY, "调休上班": CalendarDay.Kind.WORKDAY,
}


@dataclass
class ParsedCalendar:
    years: dict[int, list[tuple[dt.date, str, str]]]


def parse_calendar_file(data: bytes, filename: str) -> ParsedCalendar:
    """CSV (``date,kind,name``; kind 休/班 or holiday/workday) or JSON
    (``{"year": 2027, "holidays": {"2027-01-01": "元旦"}, "workdays": {...}}``)."""
    text = data.decode("utf-8-sig", errors="strict") if data else ""
    if not text.strip():
        raise ValidationError("文件为空")
    rows: list[tuple[dt.date, str, str]] = []
    errors: list[str] = []
    declared_years: set[int] = set()
    if filename.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"JSON 格式错误:第 {exc.lineno} 行") from None
        for block in payload if isinstance(payload, list) else [payload]:
            if "year" in block:
                declared_years.add(int(block["year"]))
            for key, kind in (("holidays", CalendarDay.Kind.HOLIDAY), ("workdays", CalendarDay.Kind.WORKDAY)):
                for raw, name in (block.get(key) or {}).items():
                    try:
                        rows.append((parse_date(raw), kind, str(name or "")))
                    except DateParseError as exc:
                        errors.append(f"{raw}:{exc}")
    else:
        for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not record or not record[0].strip() or record[0].strip() in {"date", "日期"}:
                continue
            try:
                day = parse_date(record[0])
            except DateParseError as exc:
                errors.append(f"第 {number} 行:{exc}")
                continue
            kind = KIND_WORDS.get(record[1].strip().lower() if len(record) > 1 else "")
            if kind is None:
                errors.append(f"第 {number} 行:类型应为 休/班(holiday/workday)")
                continue
            rows.append((day, kind, record[2].strip() if len(record) > 2 else ""))
    if errors:
        raise ValidationError(errors)
    years: dict[int, list] = {y: [] for y in declared_years}
    seen: dict[dt.date, str] = {}
    for day, kind, name in rows:
        if day in seen and seen[day] != kind:
            raise ValidationError(f"{day} 同时被标为放假和上班")
        seen[day] = kind
        years.setdefault(day.year, []).append((day, kind, name))
    if not years:
        raise ValidationError("文件中没有任何日期")
    for items in years.values():
        for day, kind, _ in items:
            if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
                raise ValidationError(f"{day} 是工作日,不需要标为调休上班")
    return ParsedCalendar(years=years)


def calendar_load(*, acting_user, data: bytes, filename: str, source: str = "") -> list[int]:
    """Replace the given years' calendars in one transaction; returns the years loaded.

    Bumps the calendar's cache generation in the same transaction, so every process drops its cached
    years within a few seconds of the commit."""
    parsed = parse_calendar_file(data, filename)
    with transaction.atomic():
        for year, items in sorted(parsed.years.items()):
            before = CalendarDay.objects.filter(date__year=year).count()
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create([CalendarDay(date=d, kind=k, name=n) for d, k, n in sorted(set(items))])
            CalendarYear.objects.update_or_create(
                year=year, defaults={"source": (source or filename)[:100], "loaded_by": acting_user})
            audit_record(actor=acting_user, action="workdays.loaded", object_type="calendaryear", object_id=str(year),
                         object_repr=f"{year} 年工作日历",
                         changes={"days": [before, len(set(items))], "source": source or filename})
        generation_bump(CALENDAR)  # the other processes' caches (workdays.generations)
        transaction.on_commit(calendar.clear_cache)
    calendar.clear_cache()
    return sorted(parsed.years)
