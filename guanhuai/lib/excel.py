"""Reading township spreadsheets and writing xlsx exports.

``read_table`` accepts .xlsx or .csv bytes, finds the header row among the
first rows (title rows above it are skipped, a two-row header with merged
group cells such as 父亲 over 姓名/身份证号 is combined), maps Chinese column
headers and their synonyms to field names, and yields each data row with its
spreadsheet row number. File-level problems raise ``SheetError`` with a
Chinese message; row-level validation is the caller's business.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

HEADER_SCAN_ROWS = 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SheetError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


def normalise_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s*:：_\-]", "", text)
    return text.replace("(", "(").replace(")", ")").lower()


@dataclass
class Table:
    header_row: int
    columns: dict[str, int]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _load_rows(data: bytes, filename: str) -> list[list[object]]:
    if not data or not data.strip():
        raise SheetError("文件为空")
    lower = filename.lower()
    if data.startswith(OLE_MAGIC):
        if lower.endswith(".xls"):
            raise SheetError("不支持旧版 .xls 文件,请在 Excel 中另存为 .xlsx 后再导入")
        raise SheetError("文件已加密或是旧版 Excel 格式,请解除密码并另存为 .xlsx 后再导入")
    if data.startswith(b"PK"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
            raise SheetError("不是有效的 Excel(.xlsx)文件,可能是改了扩展名的其他文件") from None
        try:
            sheet = workbook.worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception:
            raise SheetError("Excel 文件已损坏,无法读取") from None
        finally:
            workbook.close()
        return rows
    if lower.endswith(".xlsx") or lower.endswith(".xls"):
        raise SheetError("不是有效的 Excel(.xlsx)文件,可能是改了扩展名的其他文件")
    if lower.endswith(".csv") or lower.endswith(".txt"):
        if b"\x00" in data[:4096]:
            raise SheetError("CSV 文件包含二进制内容,无法读取")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SheetError("CSV 文件编码无法识别,请保存为 UTF-8 或 GBK")
        return [list(r) for r in csv.reader(io.StringIO(text))]
    raise SheetError("只支持 .xlsx 或 .csv 文件")


def _match(label: str, lookup: dict[str, str]) -> str | None:
    return lookup.get(normalise_header(label)) if label else None


def read_table(
    data: bytes,
    filename: str,
    synonyms: dict[str, list[str]],
    required: list[str] | tuple[str, ...] = (),
) -> Table:
    """Parse ``data`` into rows keyed by field name.

    ``synonyms`` maps each field to the header texts that mean it.
    Raises SheetError when the header cannot be found or required columns
    are missing.
    """
    raw_rows = _load_rows(data, filename)
    lookup = {normalise_header(name): key for key, names in synonyms.items() for name in names}
    best: tuple[int, int, dict[str, int], list[str]] | None = None
    previous: list[str] = []
    for index, row in enumerate(raw_rows[:HEADER_SCAN_ROWS]):
        labels = [_cell_text(v) for v in row]
        # A row above with several cells is a group row (merged cells read as
        # blanks after the first): carry each group label to the right.
        group = []
        if sum(1 for v in previous if v) >= 2:
            carry = ""
            for v in previous:
                carry = v or carry
                group.append(carry)
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for col, label in enumerate(labels):
            up = group[col] if col < len(group) else ""
            key = None
            if up and label:
                key = _match(up + label, lookup)
            if key is None and label:
                key = _match(label, lookup)
            if key is None and not label and up:
                key = _match(up, lookup)
            if key is not None and key not in columns:
                columns[key] = col
            elif label and key is None:
                ignored.append(label)
        score = len(columns)
        if score and (best is None or score > best[1]):
            best = (index, score, columns, ignored)
        previous = labels
    if best is None:
        raise SheetError("找不到表头行:前 10 行中没有可识别的列名,请使用下载的模板")
    header_index, _, columns, ignored = best
    missing = [key for key in required if key not in columns]
    if missing:
        names = "、".join(synonyms[key][0] for key in missing)
        raise SheetError(f"缺少必需的列:{names}")
    table = Table(header_row=header_index + 1, columns=columns, ignored_headers=ignored)
    for index in range(header_index + 1, len(raw_rows)):
        row = raw_rows[index]
        values = {key: (row[col] if col < len(row) else None) for key, col in columns.items()}
        if all(_cell_text(v) == "" for v in values.values()):
            continue
        table.rows.append((index + 1, values))
    return table


def text_of(value: object) -> str:
    """Cell value as clean half-width text (full-width digits and letters folded)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_xlsx(sheets: list[tuple[str, list[str], Iterator[list[object]] | list[list[object]]]]) -> bytes:
    """Write one or more sheets ``(title, headers, rows)`` to xlsx bytes.

    Values that look like long digit strings are written as text so Excel
    does not turn ID or account numbers into scientific notation.
    """
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for col, header in enumerate(headers, start=1):
            sheet.column_dimensions[_col_letter(col)].width = max(10, min(40, len(str(header)) * 2 + 4))
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)
