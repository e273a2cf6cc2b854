"""Lunar festivals that call for a condolence visit, 1901–2099 (borax)."""

from __future__ import annotations

import datetime as dt
import functools

from borax.calendars.lunardate import LunarDate

FESTIVALS = {
    "spring": ("春节", 1, 1),
    "dragon_boat": ("端午", 5, 5),
    "mid_autumn": ("中秋", 8, 15),
}
FIRST_YEAR, LAST_YEAR = 1901, 2099


@functools.cache  # a pure function of two small values; compliance asks for it on every visit recorded
def festival_date(key: str, year: int) -> dt.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"农历节日只支持 {FIRST_YEAR}–{LAST_YEAR} 年")
    _, month, day = FESTIVALS[key]
    return LunarDate(year, month, day).to_solar_date()


def festivals_of(year: int) -> list[tuple[str, str, dt.date]]:
    """``[(key, 中文名, date), …]`` in date order."""
    return sorted(((k, v[0], festival_date(k, year)) for k, v in FESTIVALS.items()), key=lambda t: t[2])
