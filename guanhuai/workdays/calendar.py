"""Working-day arithmetic over the official calendar table.

``add_working_days(start, n)`` answers the date n official working days after
``start`` (start itself not counted), plus whether any year it crossed has no
published calendar (then Monday–Friday was assumed and the result is
provisional). Years are cached per process; loading a calendar bumps the
calendar's generation counter, and every process empties its cache within
``generations.CHECK_INTERVAL`` seconds of seeing the new value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from .generations import CALENDAR, Generation
from .models import CalendarDay, CalendarYear


@dataclass(frozen=True)
class YearCalendar:
    published: bool
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@lru_cache(maxsize=256)
def _year_calendar(year: int) -> YearCalendar:
    published = CalendarYear.objects.filter(year=year).exists()
    days = CalendarDay.objects.filter(date__year=year).values_list("date", "kind") if published else []
    holidays = frozenset(d for d, k in days if k == CalendarDay.Kind.HOLIDAY)
    workdays = frozenset(d for d, k in days if k == CalendarDay.Kind.WORKDAY)
    return YearCalendar(published=published, holidays=holidays, workdays=workdays)


generation = Generation(CALENDAR, _year_calendar.cache_clear)


def year_calendar(year: int) -> YearCalendar:
    generation.check()
    return _year_calendar(year)


def clear_cache() -> None:
    _year_calendar.cache_clear()
    generation.cleared()


def is_working_day(day: dt.date) -> bool:
    return year_calendar(day.year).is_working_day(day)


def is_published(year: int) -> bool:
    return year_calendar(year).published


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool  # a year without a published calendar was assumed Monday–Friday


def add_working_days(start: dt.date, n: int) -> Deadline:
    """The date ``n`` official working days after ``start`` (n ≥ 0; 0 returns start)."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    if not n:
        return Deadline(start, False)
    day = start
    generation.check()  # once per call: the loop below reads the cache directly
    provisional = not _year_calendar(start.year).published
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        calendar = _year_calendar(day.year)
        provisional = provisional or not calendar.published
        if calendar.is_working_day(day):
            remaining -= 1
    return Deadline(day, provisional)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    if end > start:
        generation.check()
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if _year_calendar(day.year).is_working_day(day):
            count += 1
    return count
