"""The obligation engine: pure functions from a family's visits to statuses.

No database access here. The same ``evaluate`` serves the incremental update
(after a visit is recorded, edited or deleted), the daily refresh and the
full rebuild, which is why they always agree. Meanings follow DOMAIN.md
"Exact meaning of the shipped profiles":

* periods are calendar periods; a family is judged from the first full period
  starting on or after the day it entered the register (earlier visits still
  count in its history); exited families are judged up to their exit date;
* status on day D: met (the current period has the count) · overdue (not met
  and the last judged period was missed) · due soon (not met, last period met
  or none judged, and the period ends within 2 official working days after D)
  · open (otherwise);
* "≥ N a year" is judged per quarter on the year's cumulative count
  (quarter q needs ⌈N·q/4⌉);
* festival windows run from ``window_before`` days before to ``window_after``
  days after each festival; inside a window met / due soon / open, between
  windows the last window's outcome (met, or overdue when missed).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .periods import Span, festival_windows, first_full_period, next_period, period_of, previous_period
from .rules import Obligation

AddWorkingDays = Callable[[dt.date, int], dt.date]
SpecAt = Callable[[dt.date], Obligation | None]

MET, OVERDUE, DUE_SOON, OPEN, NOT_JUDGED, EXITED = "met", "overdue", "due_soon", "open", "not_judged", "exited"
STATUS_LABELS = {MET: "已完成", OVERDUE: "逾期", DUE_SOON: "即将到期", OPEN: "进行中", NOT_JUDGED: "不考核",
                 EXITED: "已退出"}
URGENCY = {OVERDUE: 0, DUE_SOON: 1, OPEN: 2, MET: 3, NOT_JUDGED: 4, EXITED: 5}


@dataclass
class PeriodResult:
    span: Span
    required: int
    count: int
    met: bool


@dataclass
class Evaluation:
    key: str
    base_status: str
    span: Span | None = None
    required: int = 0
    count: int = 0
    prev_met: bool | None = None
    due_soon_from: dt.date | None = None
    valid_until: dt.date = dt.date.max
    last_visit: dt.date | None = None
    history: list[PeriodResult] = field(default_factory=list)

    def status_on(self, day: dt.date) -> str:
        if self.base_status == OPEN and self.due_soon_from is not None and day >= self.due_soon_from:
            return DUE_SOON
        return self.base_status


@dataclass(frozen=True)
class FamilyFacts:
    registered_on: dt.date
    exited_on: dt.date | None
    visits: Sequence[tuple[dt.date, str]]  # (visit date, channel), sorted by date


def _dates(visits: Sequence[tuple[dt.date, str]], channels: tuple[str, ...]) -> list[dt.date]:
    return [d for d, c in visits if c in channels]


class _DateCache:
    """Qualifying dates per channel set, computed once per evaluation."""

    def __init__(self, visits: Sequence[tuple[dt.date, str]]):
        self.visits = visits
        self.cache: dict[tuple[str, ...], list[dt.date]] = {}

    def __call__(self, channels: tuple[str, ...]) -> list[dt.date]:
        if channels not in self.cache:
            self.cache[channels] = _dates(self.visits, channels)
        return self.cache[channels]


def _count(dates: list[dt.date], start: dt.date, end: dt.date) -> int:
    return bisect.bisect_right(dates, end) - bisect.bisect_left(dates, start)


def _due_soon_from(span: Span, add_wd: AddWorkingDays) -> dt.date:
    """The first day D in ``span`` with span.end ≤ add_working_days(D, 2) (at most 14 days before the end).

    add_working_days(D, 2) never decreases as D grows, so a binary search finds it in ~4 steps.
    """
    lo, hi = max(span.start, span.end - dt.timedelta(days=14)), span.end
    while lo < hi:
        mid = lo + (hi - lo) // 2
        if add_wd(mid, 2) < span.end:
            lo = mid + dt.timedelta(days=1)
        else:
            hi = mid
    return lo


def _last(dates: list[dt.date], upto: dt.date) -> dt.date | None:
    i = bisect.bisect_right(dates, upto)
    return dates[i - 1] if i else None


def evaluate(key: str, spec_at: SpecAt, facts: FamilyFacts, day: dt.date, add_wd: AddWorkingDays,
             *, history_from: dt.date | None = None, with_history: bool = True) -> Evaluation:
    """Status of one obligation on ``day`` (the spec may change over time: ``spec_at(period start)``)."""
    current = spec_at(day)
    if current is None:
        return Evaluation(key, NOT_JUDGED, valid_until=day)
    if current.period == "festival":
        return _evaluate_festival(key, spec_at, facts, day, add_wd, history_from)
    return _evaluate_periodic(key, spec_at, facts, day, add_wd, history_from, with_history)


def _spec_for(spec_at: SpecAt, span: Span) -> Obligation | None:
    return spec_at(span.start)


def _evaluate_periodic(key, spec_at, facts, day, add_wd, history_from, with_history=True) -> Evaluation:
    spec = spec_at(day)
    cumulative = spec.period == "year"
    tiling = "quarter" if cumulative else spec.period
    exited = facts.exited_on is not None and day > facts.exited_on
    judge_day = facts.exited_on if exited else day
    judged_start = first_full_period(tiling, facts.registered_on).start
    dates_for = _DateCache(facts.visits)

    def measure(span: Span, upto: dt.date, s: Obligation) -> tuple[int, int]:
        dates = dates_for(s.channels)
        if cumulative:
            q = (span.start.month - 1) // 3 + 1
            return math.ceil(s.count * q / 4), _count(dates, dt.date(span.start.year, 1, 1), min(span.end, upto))
        return s.count, _count(dates, span.start, min(span.end, upto))

    def judged(span: Span) -> bool:
        return span.start >= judged_start and (facts.exited_on is None or span.end <= facts.exited_on)

    history: list[PeriodResult] = []
    current = period_of(tiling, judge_day)
    span = period_of(tiling, max(judged_start, history_from or judged_start))
    while with_history and span.end < current.start:
        s = _spec_for(spec_at, span)
        if s is not None and s.period == spec.period and judged(span):
            required, count = measure(span, span.end, s)
            history.append(PeriodResult(span, required, count, count >= required))
        span = next_period(tiling, span)
    prev = previous_period(tiling, current)
    prev_spec = _spec_for(spec_at, prev)
    prev_met: bool | None = None
    if prev_spec is not None and prev_spec.period == spec.period and judged(prev):
        required, count = measure(prev, prev.end, prev_spec)
        prev_met = count >= required
    last_visit = _last(dates_for(spec.channels), judge_day)
    if exited:
        return Evaluation(key, EXITED, None, prev_met=prev_met, valid_until=dt.date.max, last_visit=last_visit,
                          history=history)
    required, count = measure(current, day, spec)
    result = Evaluation(key, OPEN, current, required, count, prev_met, None, current.end, last_visit, history)
    if facts.exited_on is not None:
        result.valid_until = min(result.valid_until, facts.exited_on)
    if count >= required:
        result.base_status = MET
    elif current.start < judged_start:
        result.base_status = OPEN  # partial first period: not judged, never due soon or overdue
    elif prev_met is False:
        result.base_status = OVERDUE
    else:
        result.due_soon_from = _due_soon_from(current, add_wd)
    return result


def _evaluate_festival(key, spec_at, facts, day, add_wd, history_from) -> Evaluation:
    spec = spec_at(day)
    exited = facts.exited_on is not None and day > facts.exited_on
    judge_day = facts.exited_on if exited else day
    first_year = (history_from or facts.registered_on).year - 1
    windows = festival_windows(first_year, judge_day.year + 1, spec.window_before, spec.window_after)
    dates_for = _DateCache(facts.visits)
    dates = dates_for(spec.channels)

    def judged(span: Span) -> bool:
        return span.start >= facts.registered_on and (facts.exited_on is None or span.end <= facts.exited_on)

    history: list[PeriodResult] = []
    inside: Span | None = None
    upcoming: Span | None = None
    for window in windows:
        if window.end < judge_day:
            s = spec_at(window.start)
            if s is not None and s.period == "festival" and judged(window):
                count = _count(dates_for(s.channels), window.start, window.end)
                history.append(PeriodResult(window, s.count, count, count >= s.count))
        elif window.start <= judge_day:
            inside = window
        elif upcoming is None:
            upcoming = window
    last_outcome = history[-1].met if history else None
    last_visit = _last(dates, judge_day)
    if exited:
        return Evaluation(key, EXITED, None, prev_met=last_outcome, last_visit=last_visit, history=history)
    if inside is not None:
        count = _count(dates, inside.start, day)
        result = Evaluation(key, OPEN, inside, spec.count, count, last_outcome, None, inside.end, last_visit, history)
        if count >= spec.count:
            result.base_status = MET
        elif judged(inside):
            result.due_soon_from = _due_soon_from(inside, add_wd)
    else:
        status = OPEN if last_outcome is None else (MET if last_outcome else OVERDUE)
        valid = (upcoming.start - dt.timedelta(days=1)) if upcoming else dt.date.max
        result = Evaluation(key, status, upcoming, spec.count, 0, last_outcome, None, valid, last_visit, history)
    if facts.exited_on is not None:
        result.valid_until = min(result.valid_until, facts.exited_on)
    return result
