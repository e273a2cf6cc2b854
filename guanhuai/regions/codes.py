"""The 12-digit statistical division code: pure functions, no database."""

from __future__ import annotations

import re

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
PREFIX_LENGTH = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
LEVEL_NAMES = {PROVINCE: "省", CITY: "市(州)", COUNTY: "县(市、区)", TOWNSHIP: "乡镇(街道)", VILLAGE: "村(居)"}
# ASCII digits only, whole string: "\d" would also accept full-width digits and "$" a trailing newline.
_CODE = re.compile(r"[0-9]{12}")


class CodeError(ValueError):
    pass


def level_of(code: str) -> int:
    """Level from the trailing zeros of a 12-digit code."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise CodeError(f"区划代码应为12位数字:{code!r}")
    if code[:2] == "00":
        raise CodeError(f"区划代码省级部分不能为00:{code}")
    if code[2:] == "0" * 10:
        return PROVINCE
    if code[4:] == "0" * 8:
        return CITY
    if code[6:] == "0" * 6:
        return COUNTY
    if code[9:] == "000":
        return TOWNSHIP
    return VILLAGE


def prefix_of(code: str) -> str:
    """The significant prefix: everything in this region's subtree starts with it."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code_of(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    keep = PREFIX_LENGTH[level - 1]
    return code[:keep] + "0" * (12 - keep)


def ancestor_code(code: str, level: int) -> str:
    keep = PREFIX_LENGTH[level]
    return code[:keep] + "0" * (12 - keep)
