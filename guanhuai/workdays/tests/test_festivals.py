import datetime as dt

import pytest

from guanhuai.workdays.festivals import festival_date, festivals_of


@pytest.mark.parametrize(("year", "spring", "dragon", "autumn"), [
    (2024, dt.date(2024, 2, 10), dt.date(2024, 6, 10), dt.date(2024, 9, 17)),
    (2025, dt.date(2025, 1, 29), dt.date(2025, 5, 31), dt.date(2025, 10, 6)),
    (2026, dt.date(2026, 2, 17), dt.date(2026, 6, 19), dt.date(2026, 9, 25)),
])
def test_festival_dates_follow_the_lunar_calendar(year, spring, dragon, autumn):
    assert festival_date("spring", year) == spring
    assert festival_date("dragon_boat", year) == dragon
    assert festival_date("mid_autumn", year) == autumn
    assert [name for _, name, _ in festivals_of(year)] == ["春节", "端午", "中秋"]


def test_years_outside_1901_to_2099_are_refused():
    festival_date("spring", 1901)
    festival_date("mid_autumn", 2099)
    with pytest.raises(ValueError):
        festival_date("spring", 2100)
