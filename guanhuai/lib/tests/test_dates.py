"""Lenient date parsing for township spreadsheets."""

import datetime as dt

import pytest

from guanhuai.lib.dates import DateParseError, parse_date

JAN5 = dt.date(2020, 1, 5)


@pytest.mark.parametrize("text", ["2020-1-5", "2020-01-05", "2020/01/05", "2020/1/5", "2020.1.5", "2020年1月5日",
                                  "2020年01月05日", "2020年1月5", "20200105", " 2020-01-05 ", "2020-01-05 00:00:00",
                                  "2020/1/5 8:30", "２０２０年１月５日", "２０２０－０１－０５"])
def test_it_reads_the_usual_text_forms(text):
    assert parse_date(text) == JAN5


def test_it_reads_dates_and_datetimes():
    assert parse_date(JAN5) == JAN5
    assert parse_date(dt.datetime(2020, 1, 5, 14, 30)) == JAN5


@pytest.mark.parametrize(("serial", "expected"), [(43835, JAN5), (43835.75, JAN5), (1, dt.date(1899, 12, 31)),
                                                  (61, dt.date(1900, 3, 1))])
def test_it_reads_excel_serial_day_numbers(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize("number", [20200105, 20200105.0])
def test_it_reads_a_date_typed_as_a_yyyymmdd_number(number):
    assert parse_date(number) == JAN5


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("text", ["2020-02-30", "2021年2月29日", "2020-13-01", "20201301"])
def test_a_date_that_does_not_exist_is_an_error(text):
    with pytest.raises(DateParseError, match="日期不存在"):
        parse_date(text)


@pytest.mark.parametrize("value", ["昨天", "5/1/2020", "2020-1", "abc", -3, 0, 3_000_000_000, True])
def test_an_unreadable_value_is_an_error_in_chinese(value):
    with pytest.raises(DateParseError) as exc:
        parse_date(value)
    assert "日期" in str(exc.value)
