"""Contact rosters (名册) for the import tests, laid out the way townships send them."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

HEADER = ["序号", "村(居)", "户主姓名", "身份证号", "第一联系人姓名", "第一联系人职务", "第一联系人电话",
          "第二联系人姓名", "第二联系人职务", "第二联系人电话"]


def xlsx(grid: Iterable[Iterable[object]], *, merges: Iterable[str] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in grid:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(seq: object, id_number: object, *, village="桃园村", head="张建国", first=("王建华", "副镇长", "13900000001"),
        second=("李秀兰", "村委会主任", "13900000002")) -> list:
    return [seq, village, head, id_number, *first, *second]


def roster(rows: Iterable[list], *, title: bool = True) -> bytes:
    """A title row, the header, then the rows."""
    grid = [["东城县计划生育特殊家庭双岗联系人名册"]] if title else []
    return xlsx([*grid, HEADER, *rows])


def merged_roster(rows: Iterable[list]) -> bytes:
    """Two title rows and a two-row header: 第一联系人 / 第二联系人 merged over 姓名 职务 电话."""
    group = ["序号", "村(居)", "户主姓名", "身份证号", "第一联系人(乡镇干部)", None, None, "第二联系人(村居)", None, None]
    sub = [None, None, None, None, "姓名", "职务", "联系电话", "姓名", "职务", "手机号码"]
    grid = [["东城县计划生育特殊家庭双岗联系人名册"], ["填报单位:东城县卫健局  2025年3月"], group, sub, *rows]
    merges = ["A1:J1", "A2:J2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:G3", "H3:J3"]
    return xlsx(grid, merges=merges)
