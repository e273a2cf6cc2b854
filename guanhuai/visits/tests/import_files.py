"""Spreadsheets of historical visits for the import tests."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

HEADER = ["序号", "身份证号", "户主姓名", "走访日期", "方式", "联系人", "内容", "录入日期"]


def xlsx(grid: Iterable[Iterable[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in grid:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv(grid: Iterable[Iterable[object]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join("" if v is None else str(v) for v in row) for row in grid]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def row(seq, id_number, date, channel="上门走访", contact="", notes="", entry="", head="张建国") -> list:
    return [seq, id_number, head, date, channel, contact, notes, entry]
