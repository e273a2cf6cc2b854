"""JSON API of the official working-day calendar: the same calendar and loader as the page and commands.

The calendar is national, not case data: any signed-in user may compute a
deadline or read a year's status. Loading a year is for administrators only
(the rule of ``/workdays/``); anyone else gets 404 and nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from guanhuai.accounts.roles import has_perm

from .calendar import add_working_days
from .festivals import festivals_of
from .models import CalendarDay, CalendarYear
from .services import calendar_load

router = Router(tags=["工作日历"])

FIRST_YEAR, LAST_YEAR = 1901, 2099  # the festival table's range, as on the calendar page
MAX_N = 2500  # about ten years of working days: enough for any deadline, and a bounded loop
MAX_FILE_BYTES = 1024 * 1024
PROVISIONAL_NOTE = "涉及尚未公布官方日历的年份,已按周一至周五推算(暂定)"


class ErrorOut(Schema):
    """The API's one error shape (config/api.py)."""

    code: str
    message: str
    fields: dict[str, list[str]]


class WorkdaysAddOut(Schema):
    start: dt.date
    n: int
    date: dt.date
    provisional: bool
    note: str


def _start_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({"date": "日期格式应为 YYYY-MM-DD"}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError({"date": f"日期须在 {FIRST_YEAR}–{LAST_YEAR} 年之间"})
    return day


@router.get("/add", response=WorkdaysAddOut,
            summary="给定日期(YYYY-MM-DD)之后第 N 个法定工作日;涉及未公布日历的年份时标记为暂定")
def workdays_add(request, date: str, n: int):
    start = _start_date(date)
    if not 0 <= n <= MAX_N:
        raise ValidationError({"n": f"N 须在 0 到 {MAX_N} 之间"})
    deadline = add_working_days(start, n)
    return WorkdaysAddOut(start=start, n=n, date=deadline.date, provisional=deadline.provisional,
                          note=PROVISIONAL_NOTE if deadline.provisional else "")


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    kind_label: str
    name: str


class FestivalOut(Schema):
    key: str
    name: str
    date: dt.date


class CalendarYearOut(Schema):
    year: int
    published: bool
    provisional: bool
    status_label: str
    source: str
    loaded_at: dt.datetime | None
    days: list[CalendarDayOut]
    festivals: list[FestivalOut]


def _year_out(year: int) -> CalendarYearOut:
    loaded = CalendarYear.objects.filter(year=year).first()
    days = CalendarDay.objects.filter(date__year=year).order_by("date") if loaded else []
    return CalendarYearOut(
        year=year, published=loaded is not None, provisional=loaded is None,
        status_label="已公布官方日历" if loaded else "尚未公布官方日历,按周一至周五推算(暂定)",
        source=loaded.source if loaded else "", loaded_at=loaded.loaded_at if loaded else None,
        days=[CalendarDayOut(date=d.date, kind=d.kind, kind_label=d.get_kind_display(), name=d.name) for d in days],
        festivals=[FestivalOut(key=k, name=name, date=day) for k, name, day in festivals_of(year)],
    )


@router.get("/calendar", response=CalendarYearOut,
            summary="某年日历的状态(已公布或暂定)、放假与调休上班日、春节/端午/中秋日期(默认今年)")
def calendar_year(request, year: int | None = None):
    year = timezone.localdate().year if year is None else year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": f"年份须在 {FIRST_YEAR}–{LAST_YEAR} 之间"})
    return _year_out(year)


class CalendarLoadOut(Schema):
    years: list[int]
    message: str
    calendars: list[CalendarYearOut]


@router.post("/calendar", response={201: CalendarLoadOut, 422: ErrorOut},
             summary="载入官方放假与调休安排(系统管理员;multipart:file 为 CSV 日期,休/班,名称 或 JSON;"
                     "替换所含年份的数据)")
def calendar_upload(request, file: File[UploadedFile] = None, source: Form[str] = ""):
    user = request.auth
    if not has_perm(user, "regions.manage"):
        raise Http404
    if file is None:
        raise ValidationError({"file": "请选择文件"})
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise ValidationError({"file": "日历文件不能超过 1 MB"})
    try:
        years = calendar_load(acting_user=user, data=file.read(), filename=file.name or "calendar.csv",
                              source=source.strip())
    except ValidationError as exc:
        # Every bad line, each with its line number, as the page and workdays_load report them.
        # The one error shape, with every message listed under "file" rather than only the first.
        return Status(422, ErrorOut(code="invalid", message=";".join(exc.messages), fields={"file": exc.messages}))
    except UnicodeDecodeError:
        raise ValidationError({"file": "文件应为 UTF-8 编码的 CSV 或 JSON"}) from None
    except (TypeError, ValueError, AttributeError):
        # JSON that parses but is not the documented shape ({"year", "holidays", "workdays"}).
        raise ValidationError({"file": 'JSON 结构不正确,应为 {"year": 2027, "holidays": {...}, "workdays": {...}}'}) \
            from None
    return Status(201, CalendarLoadOut(years=years, message=f"已载入 {'、'.join(map(str, years))} 年的官方日历",
                                       calendars=[_year_out(y) for y in years]))
