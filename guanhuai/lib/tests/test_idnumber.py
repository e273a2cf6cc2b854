"""Citizen ID numbers (GB 11643-1999): checksum, birth date and sex, area code."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanhuai.lib.idnumber import (
    birth_date_of,
    check_digit,
    check_id_number,
    make_id_number,
    normalise,
    sex_of,
)

TODAY = dt.date(2026, 6, 1)
areas = st.sampled_from(["510104", "110101", "440305", "650102", "810000"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
sexes = st.sampled_from(["M", "F"])


@given(areas, births, st.integers(0, 10_000), sexes)
def test_a_made_number_always_validates(area, birth, sequence, sex):
    number = make_id_number(area, birth, sequence, sex)
    result = check_id_number(number, birth_date=birth, sex=sex, today=TODAY)
    assert result.ok, result.errors
    assert result.warnings == []
    assert birth_date_of(number) == birth and sex_of(number) == sex


@given(areas, births, st.integers(0, 999), sexes, st.integers(0, 17), st.data())
def test_changing_any_one_character_breaks_the_checksum(area, birth, sequence, sex, position, data):
    number = make_id_number(area, birth, sequence, sex)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1:]
    assert check_id_number(changed, today=TODAY).errors == ["身份证号校验位错误"]


def test_the_check_digit_follows_the_standard():
    # Worked example from GB 11643-1999 appendix: 11010519491231002X.
    assert check_digit("11010519491231002") == "X"
    assert check_id_number("11010519491231002X", birth_date=dt.date(1949, 12, 31), sex="F").ok


def test_a_birth_date_that_does_not_match_is_an_error():
    number = make_id_number("510104", dt.date(1962, 5, 17), 11, "M")
    result = check_id_number(number, birth_date=dt.date(1962, 5, 18), today=TODAY)
    assert result.errors == ["身份证号中的出生日期(1962-05-17)与填写的出生日期(1962-05-18)不一致"]


def test_a_sex_that_does_not_match_is_an_error():
    number = make_id_number("510104", dt.date(1962, 5, 17), 11, "M")
    assert check_id_number(number, sex="F", today=TODAY).errors == ["身份证号中的性别码与填写的性别不一致"]


def test_an_unknown_province_code_is_only_a_warning():
    number = make_id_number("990101", dt.date(1970, 1, 1), 21, "M")
    result = check_id_number(number, today=TODAY)
    assert result.ok
    assert result.warnings == ["身份证号地区码 990101 不是已知的省级行政区划"]


def test_an_area_missing_from_the_division_table_is_only_a_warning():
    number = make_id_number("510199", dt.date(1970, 1, 1), 21, "M")
    result = check_id_number(number, known_areas={"510104"}, today=TODAY)
    assert result.ok and result.warnings == ["身份证号地区码 510199 不在行政区划表中"]


def test_a_fifteen_digit_number_is_rejected():
    result = check_id_number("510104620517001", today=TODAY)
    assert result.errors == ["15位旧身份证号,请填写18位公民身份号码"]


@pytest.mark.parametrize("raw", ["51010419620517001", "5101041962051700111", "51010419620517001Y",
                                 "٥١٠١٠٤١٩٦٢٠٥١٧٠٠١١"])
def test_a_number_of_the_wrong_shape_is_rejected(raw):
    assert check_id_number(raw, today=TODAY).errors == ["身份证号应为18位(前17位数字,最后一位数字或X)"]


def test_an_empty_number_is_rejected():
    assert check_id_number("  ", today=TODAY).errors == ["身份证号为空"]


@pytest.mark.parametrize(("birth", "ok"), [(dt.date(2026, 6, 2), False), (dt.date(1879, 12, 31), False),
                                           (dt.date(2026, 6, 1), True)])
def test_a_birth_date_in_the_future_or_before_1880_is_invalid(birth, ok):
    result = check_id_number(make_id_number("510104", birth, 1, "M"), today=TODAY)
    assert result.ok is ok
    if not ok:
        assert result.errors == ["身份证号中的出生日期无效"]


def test_an_impossible_calendar_date_is_invalid():
    first17 = "51010419620230001"  # 30 February
    assert check_id_number(first17 + check_digit(first17), today=TODAY).errors == ["身份证号中的出生日期无效"]


def test_lower_case_x_full_width_digits_and_spaces_are_normalised():
    assert normalise(" １１０１０５ 19491231002x ") == "11010519491231002X"
    result = check_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert result.ok and result.number == "11010519491231002X"


def test_the_sequence_is_adjusted_to_match_the_sex():
    for sequence in (0, 1, 998, 999):
        assert sex_of(make_id_number("510104", dt.date(1980, 1, 1), sequence, "M")) == "M"
        assert sex_of(make_id_number("510104", dt.date(1980, 1, 1), sequence, "F")) == "F"
