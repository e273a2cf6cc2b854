"""Citizen ID numbers (公民身份号码, GB 11643-1999).

``check_id_number`` returns the normalised number plus errors (which block)
and warnings (which do not): a bad checksum, a birth date or sex that does not
match the member are errors; an area code that is not a known division is a
warning, because the division table changes over the years.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
CHECK_CODES = "10X98765432"
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: a regex digit class would accept any script's digits


def normalise(raw: object) -> str:
    """Full-width to half-width, spaces removed, lower-case x to X."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(text.split()).upper()


def check_digit(first17: str) -> str:
    return CHECK_CODES[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date_of(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def sex_of(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(number[16]) % 2 else "F"


@dataclass
class IdCheck:
    number: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_id_number(
    raw: object,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    known_areas: set[str] | None = None,
    today: dt.date | None = None,
) -> IdCheck:
    number = normalise(raw)
    result = IdCheck(number=number)
    if not number:
        result.errors.append("身份证号为空")
        return result
    if re.fullmatch(r"[0-9]{15}", number):
        result.errors.append("15位旧身份证号,请填写18位公民身份号码")
        return result
    if not _SHAPE.fullmatch(number):
        result.errors.append("身份证号应为18位(前17位数字,最后一位数字或X)")
        return result
    if check_digit(number[:17]) != number[17]:
        result.errors.append("身份证号校验位错误")
        return result
    born = birth_date_of(number)
    today = today or dt.date.today()
    if born is None or born > today or born.year < 1880:
        result.errors.append("身份证号中的出生日期无效")
        return result
    if birth_date is not None and born != birth_date:
        result.errors.append(
            f"身份证号中的出生日期({born:%Y-%m-%d})与填写的出生日期({birth_date:%Y-%m-%d})不一致"
        )
    if sex in {"M", "F"} and sex_of(number) != sex:
        result.errors.append("身份证号中的性别码与填写的性别不一致")
    if number[:2] not in PROVINCE_CODES:
        result.warnings.append(f"身份证号地区码 {number[:6]} 不是已知的省级行政区划")
    elif known_areas is not None and number[:6] not in known_areas:
        result.warnings.append(f"身份证号地区码 {number[:6]} 不在行政区划表中")
    return result


def make_id_number(area: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Build a valid synthetic number (for demo data and tests)."""
    seq = sequence % 1000
    if (seq % 2 == 1) != (sex == "M"):
        seq = (seq + 1) % 1000
    first17 = f"{area[:6]}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)
