"""Lenient date parsing for township spreadsheets."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


class DateParseError(ValueError):
    pass


def parse_date(value: object) -> dt.date | None:
    """Accept date/datetime objects, Excel serial numbers and common text forms.

    Returns None for empty values; raises DateParseError with a Chinese message.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed as the number 20200105 (yyyymmdd) is far beyond any Excel serial day.
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return parse_date(str(int(value)))
        if 1 <= value < 2958466:  # Excel serial day numbers (1900 date system)
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise DateParseError(f"无法识别的日期:{value}")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise DateParseError(f"日期不存在:{text}") from None
    raise DateParseError(f"无法识别的日期格式:{text}(可用 2020-1-5、2020/01/05 或 2020年1月5日)")


def as_date(value: dt.date | str) -> dt.date:
    """A date read back by plain SQL: SQLite hands dates back as ISO text, PostgreSQL as dates."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
