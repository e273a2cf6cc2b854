"""Calendar periods in China time: week (Mon–Sun), month, quarter, year; festival windows."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from guanhuai.workdays.festivals import FESTIVALS, festival_date


@dataclass(frozen=True, order=True)
class Span:
    start: dt.date
    end: dt.date  # inclusive
    label: str = ""

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_of(kind: str, day: dt.date) -> Span:
    """The calendar period of ``kind`` that contains ``day``."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        iso = start.isocalendar()
        return Span(start, start + dt.timedelta(days=6), f"{iso.year}-W{iso.week:02d}")
    if kind == "month":
        return Span(day.replace(day=1), _month_end(day.year, day.month), f"{day.year}-{day.month:02d}")
    if kind == "quarter":
        q = (day.month - 1) // 3 + 1
        start = dt.date(day.year, 3 * q - 2, 1)
        return Span(start, _month_end(day.year, 3 * q), f"{day.year}-Q{q}")
    if kind == "year":
        return Span(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), str(day.year))
    raise ValueError(f"unknown period {kind}")


def next_period(kind: str, span: Span) -> Span:
    return period_of(kind, span.end + dt.timedelta(days=1))


def previous_period(kind: str, span: Span) -> Span:
    return period_of(kind, span.start - dt.timedelta(days=1))


def first_full_period(kind: str, registered_on: dt.date) -> Span:
    """The first period that starts on or after the registration day."""
    span = period_of(kind, registered_on)
    return span if span.start == registered_on else next_period(kind, span)


@functools.lru_cache(maxsize=256)
def festival_windows(year_from: int, year_to: int, before: int, after: int) -> tuple[Span, ...]:
    """Windows [festival − before, festival + after] for 春节, 端午, 中秋, in date order.

    Cached (festival dates are fixed; every visit recorded asks for the same few years)."""
    spans = []
    for year in range(max(1901, year_from), min(2099, year_to) + 1):
        for key, (name, _, _) in FESTIVALS.items():
            day = festival_date(key, year)
            spans.append(Span(day - dt.timedelta(days=before), day + dt.timedelta(days=after), f"{year}{name}"))
    return tuple(sorted(spans))
