import datetime as dt

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from guanhuai.workdays.calendar import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def test_the_national_day_week_is_skipped_and_the_adjusted_sunday_counts():
    # 2024-09-29 (Sunday) was an adjusted working day; 10-01..10-07 were holidays.
    assert is_working_day(dt.date(2024, 9, 29))
    assert not is_working_day(dt.date(2024, 10, 3))
    deadline = add_working_days(dt.date(2024, 9, 27), 5)
    assert deadline.date == dt.date(2024, 10, 10) and not deadline.provisional


def test_spring_festival_2025_pushes_a_five_day_deadline_past_the_holiday():
    # 2025-01-28..02-04 off; 01-26 (Sun) and 02-08 (Sat) worked.
    assert add_working_days(dt.date(2025, 1, 24), 5).date == dt.date(2025, 2, 7)


def test_a_year_without_a_published_calendar_falls_back_to_weekdays_and_is_provisional():
    deadline = add_working_days(dt.date(2030, 9, 27), 5)
    assert deadline.date == dt.date(2030, 10, 4)
    assert deadline.provisional


def test_crossing_into_an_unpublished_year_is_provisional():
    assert add_working_days(dt.date(2026, 12, 30), 3).provisional


def test_zero_days_is_the_start_itself():
    assert add_working_days(dt.date(2024, 10, 3), 0).date == dt.date(2024, 10, 3)


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2028, 12, 31)), n=st.integers(1, 30))
def test_the_result_is_a_working_day_exactly_n_working_days_later(start, n):
    deadline = add_working_days(start, n)
    assert is_working_day(deadline.date)
    assert working_days_between(start, deadline.date) == n
    assert deadline.date > start


def test_the_workdays_add_command_prints_the_date(capsys):
    call_command("workdays", "add", "2024-09-27", "5")
    assert capsys.readouterr().out.strip() == "2024-10-10"


def test_the_workdays_add_command_warns_when_provisional(capsys):
    call_command("workdays", "add", "2031-01-01", "1")
    captured = capsys.readouterr()
    assert captured.out.strip() == "2031-01-02"
    assert "暂定" in captured.err
