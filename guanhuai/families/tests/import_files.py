"""Spreadsheets for the import tests, built the way townships really send them."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from conftest import member_data

HEADER = ["序号", "村(居)", "户主姓名", "家庭类别", "伤残等级", "光荣证号", "纳入登记日期",
          "父亲姓名", "父亲身份证号", "母亲姓名", "母亲身份证号", "子女姓名", "子女身份证号", "子女死亡日期",
          "联系电话", "住址"]


def xlsx(grid: Iterable[Iterable[object]], *, merges: Iterable[str] = (), exact: dict[str, str] | None = None) -> bytes:
    """An xlsx of ``grid`` (first sheet). ``exact`` writes cells as numbers with
    every digit kept (as some programs do), which openpyxl alone cannot."""
    workbook = Workbook()
    sheet = workbook.active
    for row in grid:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    return with_exact_numbers(data, exact) if exact else data


def with_exact_numbers(data: bytes, cells: dict[str, str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, digits in cells.items():
                    text, count = re.subn(rf'<c r="{ref}"[^>]*>.*?</c>', f'<c r="{ref}" t="n"><v>{digits}</v></c>', text)
                    assert count == 1, ref
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def ref(row: int, col: int) -> str:
    """Cell reference from 1-based row and column."""
    return f"{get_column_letter(col)}{row}"


def family_row(seq: object = 1, *, village: str = "桃园村", head: str = "张建国", category: str = "独生子女死亡",
               grade: object = "", registered: object = "2020-1-5", father: dict | None = None,
               mother: dict | None = None, child_name: str = "张小明", child_id: str | None = None,
               child_death: object = "2012-06-01", phone: object = "13812345678", address: str = "桃园村3组") -> list:
    father = father if father is not None else member_data("father", name=head)
    mother = mother if mother is not None else member_data("mother", sex="F", birth=dt.date(1964, 8, 2), name="李秀英")
    if child_id is None:
        child_id = member_data("child", birth=dt.date(1986, 4, 4), name=child_name)["id_number"]
    return [seq, village, head, category, grade, "光荣证001", registered,
            father.get("name", ""), father.get("id_number", ""), mother.get("name", ""), mother.get("id_number", ""),
            child_name, child_id, child_death, phone, address]


def roster(rows: list[list], *, header: list[str] = HEADER, title: str | None = "东城县特殊家庭花名册") -> bytes:
    grid = ([[title]] if title else []) + [header] + rows
    return xlsx(grid, merges=[f"A1:{get_column_letter(len(header))}1"] if title else [])


def docx_bytes() -> bytes:
    """A real (minimal) Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?>'
                   '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   '<w:body><w:p><w:r><w:t>特殊家庭花名册</w:t></w:r></w:p></w:body></w:document>')
    return out.getvalue()


def upload(client, capture, data: bytes, *, name: str = "花名册.xlsx", region: str = "510104000000"):
    """Upload through the page and run the queued dry run, as the huey worker would."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    with capture(execute=True):
        return client.post(reverse("families:import"), {"region": region, "file": SimpleUploadedFile(name, data)})


def confirm(client, capture, job):
    from django.urls import reverse

    with capture(execute=True):
        return client.post(reverse("families:import_commit", args=[job.pk]))


def errors_of(job, row: int) -> str:
    return ";".join(next(e for e in job.report if e["row"] == row)["errors"])


def many_rows(count: int) -> list[list]:
    """``count`` distinct families (birth dates vary so that no ID number repeats)."""
    rows = []
    for i in range(count):
        day = dt.timedelta(days=i)
        father = member_data("father", birth=dt.date(1950, 1, 1) + day, name=f"张{i}")
        mother = member_data("mother", sex="F", birth=dt.date(1952, 1, 1) + day, name=f"李{i}")
        child = member_data("child", birth=dt.date(1980, 1, 1) + day, name=f"张小{i}")
        rows.append(family_row(i + 1, head=father["name"], father=father, mother=mother,
                               child_name=child["name"], child_id=child["id_number"]))
    return rows
