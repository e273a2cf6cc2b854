"""The exact meanings of DOMAIN.md's last section, case by case (pure engine, Mon–Fri calendar)."""

import datetime as dt

import pytest

from guanhuai.compliance.engine import DUE_SOON, EXITED, MET, OPEN, OVERDUE, FamilyFacts, evaluate
from guanhuai.compliance.rules import Obligation

D = dt.date
ALL = ("phone", "online", "meeting", "home", "festival", "emergency")
FACE = ("meeting", "home", "festival", "emergency")
HOME = ("home", "festival", "emergency")
WEEKLY = Obligation("weekly_contact", "contact", "每周联系", 1, "week", ALL)
MONTHLY = Obligation("monthly_meeting", "face_to_face", "每月面见", 1, "month", FACE)
YEARLY4 = Obligation("home_visits", "home_visit", "上门", 4, "year", HOME)
FESTIVAL = Obligation("festival_visit", "festival", "节日", 1, "festival", FACE, 15, 5)


def add_wd(day, n):
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def status(spec, day, visits=(), registered=None, exited=None):
    facts = FamilyFacts(registered or D(2024, 1, 1), exited, sorted(visits))
    ev = evaluate(spec.key, lambda _d: spec, facts, day, add_wd)
    return ev.status_on(day), ev


def test_the_partial_first_week_is_not_judged():
    # Registered on a Wednesday: judged from the following Monday.
    st, ev = status(WEEKLY, D(2025, 3, 7), registered=D(2025, 3, 5))
    assert st == OPEN and ev.due_soon_from is None
    st, _ = status(WEEKLY, D(2025, 3, 10), registered=D(2025, 3, 5))
    assert st == OPEN  # the partial week before is not "missed"


def test_a_missed_week_makes_the_next_week_overdue_until_a_contact():
    reg = D(2025, 3, 5)
    assert status(WEEKLY, D(2025, 3, 17), registered=reg)[0] == OVERDUE
    st, ev = status(WEEKLY, D(2025, 3, 18), [(D(2025, 3, 18), "phone")], registered=reg)
    assert st == MET and ev.prev_met is False


def test_due_soon_starts_when_the_week_ends_within_two_working_days():
    reg = D(2025, 3, 5)
    visits = [(D(2025, 3, 12), "phone")]  # week of 3-10 met
    assert status(WEEKLY, D(2025, 3, 19), visits, reg)[0] == OPEN  # Wed: Fri + 2 wd is past Sunday? no
    assert status(WEEKLY, D(2025, 3, 20), visits, reg)[0] == DUE_SOON  # Thu → Mon ≥ Sun
    _, ev = status(WEEKLY, D(2025, 3, 17), visits, reg)
    assert ev.due_soon_from == D(2025, 3, 20) and ev.span.end == D(2025, 3, 23)


def test_a_phone_call_is_not_a_face_to_face_meeting():
    visits = [(D(2025, 4, 3), "phone"), (D(2025, 4, 9), "online")]
    assert status(MONTHLY, D(2025, 5, 2), visits)[0] == OVERDUE
    assert status(MONTHLY, D(2025, 5, 2), visits + [(D(2025, 4, 20), "meeting")])[0] == OPEN


def test_home_visits_are_judged_per_quarter_on_the_cumulative_count():
    visits = [(D(2025, 2, 10), "home")]
    st, ev = status(YEARLY4, D(2025, 4, 1), visits, registered=D(2024, 12, 1))
    assert ev.prev_met is True and ev.required == 2 and ev.count == 1 and st == OPEN
    # Two visits in Q1 carry Q2 as well: cumulative 2 ≥ 2.
    st, _ = status(YEARLY4, D(2025, 5, 1), visits + [(D(2025, 3, 3), "festival")], registered=D(2024, 12, 1))
    assert st == MET
    # Nothing more by the end of Q2: Q2 missed, Q3 overdue.
    assert status(YEARLY4, D(2025, 7, 2), visits, registered=D(2024, 12, 1))[0] == OVERDUE


def test_q1_of_a_new_year_starts_from_zero_and_looks_back_at_q4():
    visits = [(D(2025, m, 5), "home") for m in (1, 4, 7, 10)]
    st, ev = status(YEARLY4, D(2026, 1, 10), visits)
    assert ev.prev_met is True and ev.required == 1 and ev.count == 0 and st == OPEN
    st, _ = status(YEARLY4, D(2026, 1, 10), visits[:3])  # only 3 visits in 2025: Q4 missed
    assert st == OVERDUE


def test_a_phone_call_does_not_count_as_a_home_visit():
    assert status(YEARLY4, D(2025, 4, 2), [(D(2025, 2, 1), "phone")])[0] == OVERDUE


def test_festival_window_inside_and_between():
    # 端午 2025 is 5-31: window 5-16 … 6-05.
    reg = D(2025, 1, 1)
    assert status(FESTIVAL, D(2025, 5, 20), registered=reg, visits=[(D(2025, 1, 20), "home")])[0] == OPEN
    assert status(FESTIVAL, D(2025, 6, 4), registered=reg, visits=[(D(2025, 1, 20), "home")])[0] == DUE_SOON
    st, ev = status(FESTIVAL, D(2025, 6, 10), registered=reg, visits=[(D(2025, 1, 20), "home")])
    assert st == OVERDUE and ev.span.label == "2025中秋"
    visits = [(D(2025, 1, 20), "home"), (D(2025, 5, 25), "festival")]
    assert status(FESTIVAL, D(2025, 6, 10), visits, reg)[0] == MET
    assert status(FESTIVAL, D(2025, 5, 26), visits, reg)[0] == MET


def test_a_festival_phone_call_does_not_count():
    visits = [(D(2025, 1, 20), "home"), (D(2025, 5, 25), "phone")]
    assert status(FESTIVAL, D(2025, 6, 10), visits, D(2025, 1, 1))[0] == OVERDUE


def test_between_windows_with_none_judged_yet_is_open():
    # Registered after 端午 began: that window is not judged.
    assert status(FESTIVAL, D(2025, 6, 10), registered=D(2025, 5, 20))[0] == OPEN


def test_an_exited_family_is_judged_only_up_to_its_exit():
    st, ev = status(WEEKLY, D(2025, 6, 1), registered=D(2025, 1, 1), exited=D(2025, 3, 1))
    assert st == EXITED
    assert ev.history and ev.history[-1].span.end <= D(2025, 3, 1)


def test_history_lists_every_judged_period_as_met_or_missed():
    visits = [(D(2025, 3, 11), "phone"), (D(2025, 3, 26), "online")]
    _, ev = status(WEEKLY, D(2025, 4, 1), visits, registered=D(2025, 3, 10))
    assert [(p.span.label, p.met) for p in ev.history] == [
        ("2025-W11", True), ("2025-W12", False), ("2025-W13", True)]


def test_a_rule_change_judges_earlier_periods_by_the_old_rule():
    old = Obligation("weekly_contact", "contact", "每周联系", 1, "week", ALL)
    new = Obligation("weekly_contact", "contact", "每周联系两次", 2, "week", ALL)

    def spec_at(day):
        return new if day >= D(2025, 3, 17) else old

    visits = [(D(2025, 3, 11), "phone"), (D(2025, 3, 18), "phone")]
    facts = FamilyFacts(D(2025, 3, 10), None, visits)
    ev = evaluate("weekly_contact", spec_at, facts, D(2025, 3, 25), add_wd)
    assert [(p.span.label, p.required, p.met) for p in ev.history] == [("2025-W11", 1, True), ("2025-W12", 2, False)]
    assert ev.base_status == OVERDUE


@pytest.mark.django_db
def test_due_soon_from_is_the_first_day_within_two_working_days_of_the_end():
    """The binary search agrees with walking day by day, across holidays and adjusted working days."""
    from guanhuai.compliance.engine import _due_soon_from
    from guanhuai.compliance.periods import period_of
    from guanhuai.workdays.calendar import add_working_days

    def real_wd(day, n):
        return add_working_days(day, n).date

    checked = 0
    for kind in ("week", "month", "quarter"):
        day = dt.date(2024, 1, 1)
        while day < dt.date(2026, 12, 31):
            span = period_of(kind, day)
            walk = max(span.start, span.end - dt.timedelta(days=14))
            while walk < span.end and real_wd(walk, 2) < span.end:
                walk += dt.timedelta(days=1)
            assert _due_soon_from(span, real_wd) == walk, span
            checked += 1
            day = span.end + dt.timedelta(days=1)
    assert checked > 150
