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
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

HEADER_SCAN_ROWS = 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z0-9:$]+)"')


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
    # The header text of every column as the user wrote it (a group label
    # joined to its sub-label, e.g. "父亲 身份证号"), and each data row's
    # cells in column order, keyed by spreadsheet row number: enough to give
    # the user back their own rows, e.g. in an error workbook.
    labels: list[str] = field(default_factory=list)
    raw_rows: dict[int, list[object]] = field(default_factory=dict)


@dataclass
class _Sheet:
    rows: list[list[object]]
    # Merged ranges near the top, 0-based inclusive (row1, col1, row2, col2).
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    has_merge_info: bool = False


def _cell_text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _ole_error(data: bytes, lower: str) -> SheetError:
    """An OLE2 compound file: a password-protected .xlsx, an old .xls, or something else."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:
        return SheetError("文件已损坏,无法读取")
    try:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            return SheetError("文件设有打开密码(已加密),请在 Excel 中取消密码并另存为 .xlsx 后再导入")
        if ole.exists("Workbook") or ole.exists("Book"):
            return SheetError("不支持旧版 .xls 文件,请在 Excel 中另存为 .xlsx 后再导入")
    finally:
        ole.close()
    if lower.endswith(".xls"):
        return SheetError("不支持旧版 .xls 文件,请在 Excel 中另存为 .xlsx 后再导入")
    return SheetError("不是 Excel 表格文件(可能是改了扩展名的 Word 等文件),请上传 .xlsx 文件")


def _merged_ranges(data: bytes, sheet_path: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges that start in the header area, read from the sheet XML
    (openpyxl's read-only mode does not expose them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(sheet_path.lstrip("/"))
    start = xml.find(b"mergeCells")
    if start < 0:
        return []
    merges = []
    for match in _MERGE_CELL.finditer(xml, max(0, start - 10)):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode().replace("$", ""))
        except (ValueError, TypeError):
            continue
        if min_row is None or min_col is None or min_row > HEADER_SCAN_ROWS + 1:
            continue
        merges.append((min_row - 1, min_col - 1, (max_row or min_row) - 1, (max_col or min_col) - 1))
    return merges


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_C, _V, _ROW, _IS, _T, _R = (_NS + tag for tag in ("c", "v", "row", "is", "t", "r"))


def _open_workbook(data: bytes):
    """The parts of the package needed to read cell values: shared strings, date styles, first sheet."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    names = set(reader.archive.namelist())
    for _, rel in reader.parser.find_sheets():
        if "chartsheet" not in (rel.Type or "") and rel.target.lstrip("/") in names:
            return reader, rel.target.lstrip("/")
    raise SheetError("Excel 文件中没有工作表")


def _cell_rows(reader, path: str) -> list[list[object]]:
    """Cell values of one sheet, the way openpyxl's read-only mode gives them,
    at about twice its speed: one pass of iterparse, no cell objects."""
    import xml.etree.ElementTree as ET

    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    strings = reader.shared_strings
    workbook = reader.wb
    date_styles, duration_styles, epoch = workbook._date_formats, workbook._timedelta_formats, workbook.epoch
    column_of: dict[str, int] = {}
    rows: list[list[object]] = []
    current: list[object] = []
    with reader.archive.open(path) as xml:
        for _, element in ET.iterparse(xml):
            tag = element.tag
            if tag == _C:
                ref = element.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    col = column_of.get(letters)
                    if col is None:
                        col = column_of[letters] = column_index_from_string(letters) - 1
                else:
                    col = len(current)
                kind = element.get("t", "n")
                value: object = None
                if kind == "inlineStr":
                    node = element.find(_IS)
                    if node is not None:
                        value = "".join(t.text or "" for t in node.findall(_T)) + \
                            "".join(t.text or "" for t in node.findall(f"{_R}/{_T}"))
                else:
                    v = element.find(_V)
                    text = v.text if v is not None else None
                    if text is not None:
                        if kind == "n":
                            value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                            style = element.get("s")
                            if style is not None and int(style) in date_styles:
                                value = from_excel(value, epoch, timedelta=int(style) in duration_styles)
                        elif kind == "s":
                            value = strings[int(text)]
                        elif kind == "b":
                            value = bool(int(text))
                        elif kind == "d":
                            value = from_ISO8601(text)
                        else:  # "str" (formula result), "e" (error)
                            value = text
                if col < len(current):
                    current[col] = value
                else:
                    current.extend([None] * (col - len(current)))
                    current.append(value)
                element.clear()
            elif tag == _ROW:
                number = element.get("r")
                index = int(number) - 1 if number else len(rows)
                rows.extend([] for _ in range(index - len(rows)))
                rows.append(current)
                current = []
                element.clear()
    return rows


def _openpyxl_rows(data: bytes) -> list[list[object]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong <dimension>; without this, read-only
        # mode would cut the rows to it.
        sheet.reset_dimensions()
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _load_xlsx(data: bytes) -> _Sheet:
    try:
        reader, path = _open_workbook(data)
    except SheetError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError, IndexError,
            AttributeError):
        raise SheetError("不是有效的 Excel(.xlsx)文件,可能是改了扩展名的其他文件") from None
    except Exception:
        raise SheetError("Excel 文件已损坏,无法读取") from None
    try:
        try:
            rows = _cell_rows(reader, path)
        except Exception:
            # Anything the fast reader does not expect: let openpyxl have the last word.
            rows = _openpyxl_rows(data)
        merges = _merged_ranges(data, path)
    except Exception:
        raise SheetError("Excel 文件已损坏,无法读取") from None
    finally:
        reader.archive.close()
    return _Sheet(rows=rows, merges=merges, has_merge_info=True)


def _load_rows(data: bytes, filename: str) -> _Sheet:
    if not data or not data.strip():
        raise SheetError("文件为空")
    lower = filename.lower()
    if data.startswith(OLE_MAGIC):
        raise _ole_error(data, lower)
    if data.startswith(b"PK"):
        return _load_xlsx(data)
    if lower.endswith(".xlsx") or lower.endswith(".xls") or lower.endswith(".xlsm"):
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
        return _Sheet(rows=[list(r) for r in csv.reader(io.StringIO(text))])
    raise SheetError("只支持 .xlsx 或 .csv 文件")


def _match(label: str, lookup: dict[str, str]) -> str | None:
    return lookup.get(normalise_header(label)) if label else None


def _header_grid(sheet: _Sheet) -> list[list[str]]:
    """Header-area labels with every merged cell carrying its anchor's text."""
    top = sheet.rows[:HEADER_SCAN_ROWS + 1]
    width = max((len(r) for r in top), default=0)
    grid = [[_cell_text(r[c]) if c < len(r) else "" for c in range(width)] for r in top]
    for row1, col1, row2, col2 in sheet.merges:
        if row1 >= len(grid):
            continue
        anchor = grid[row1][col1] if col1 < width else ""
        for r in range(row1, min(row2, len(grid) - 1) + 1):
            for c in range(col1, min(col2, width - 1) + 1):
                if not grid[r][c]:
                    grid[r][c] = anchor
    return grid


def _group_labels(grid: list[list[str]], sheet: _Sheet, index: int) -> list[str]:
    """The labels of the row above ``index`` seen as a group row."""
    if index == 0:
        return []
    above = grid[index - 1]
    if sheet.has_merge_info:
        return above
    # No merge information (CSV): a row above with several cells is taken as
    # a group row whose merged cells read as blanks after the first.
    if sum(1 for v in above if v) < 2:
        return []
    group, carry = [], ""
    for v in above:
        carry = v or carry
        group.append(carry)
    return group


def _is_column_number_row(row: list[object]) -> bool:
    """Forms often number their columns (1, 2, 3 …) in a row under the header."""
    values = [_cell_text(v) for v in row if _cell_text(v)]
    if len(values) < 3:
        return False
    try:
        numbers = [int(float(v)) for v in values]
    except ValueError:
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def read_table(
    data: bytes,
    filename: str,
    synonyms: dict[str, list[str]],
    required: list[str] | tuple[str, ...] = (),
    *,
    max_rows: int | None = None,
) -> Table:
    """Parse ``data`` into rows keyed by field name.

    ``synonyms`` maps each field to the header texts that mean it; a header
    of two rows is matched by joining the group label to the sub-label
    (父亲 + 姓名 → 父亲姓名). Raises SheetError when the header cannot be
    found, required columns are missing, or there are more than
    ``max_rows`` data rows.
    """
    sheet = _load_rows(data, filename)
    raw_rows = sheet.rows
    lookup = {normalise_header(name): key for key, names in synonyms.items() for name in names}
    grid = _header_grid(sheet)
    best: tuple[int, int, dict[str, int], list[str], list[str]] | None = None
    for index, labels in enumerate(grid[:HEADER_SCAN_ROWS]):
        group = _group_labels(grid, sheet, index)
        columns: dict[str, int] = {}
        ignored: list[str] = []
        shown: list[str] = []
        for col, label in enumerate(labels):
            up = group[col] if col < len(group) else ""
            if up == label:
                up = ""  # a label merged down over both header rows
            key, text = None, label or up
            if up and label:
                key = _match(up + label, lookup)
                if key is not None:
                    text = f"{up} {label}"
            if key is None and label:
                key = _match(label, lookup)
            if key is None and not label and up:
                key = _match(up, lookup)
            shown.append(text if label or key is not None else "")
            if key is not None and key not in columns:
                columns[key] = col
            elif label and key is None:
                ignored.append(label)
        score = len(columns)
        if score and (best is None or score > best[1]):
            best = (index, score, columns, ignored, shown)
    if best is None:
        raise SheetError(f"找不到表头行:前 {HEADER_SCAN_ROWS} 行中没有可识别的列名,请使用下载的模板")
    header_index, _, columns, ignored, shown = best
    missing = [key for key in required if key not in columns]
    if missing:
        names = "、".join(synonyms[key][0] for key in missing)
        raise SheetError(f"缺少必需的列:{names}")
    width = max([len(shown)] + [c + 1 for c in columns.values()])
    labels = [(shown[c] if c < len(shown) else "") or f"第{c + 1}列" for c in range(width)]
    table = Table(header_row=header_index + 1, columns=columns, ignored_headers=ignored, labels=labels)
    first = header_index + 1
    if first < len(raw_rows) and _is_column_number_row(raw_rows[first]):
        first += 1
    for index in range(first, len(raw_rows)):
        row = raw_rows[index]
        values = {key: (row[col] if col < len(row) else None) for key, col in columns.items()}
        if all(_cell_text(v) == "" for v in values.values()):
            continue
        if max_rows is not None and len(table.rows) >= max_rows:
            raise SheetError(f"数据超过 {max_rows} 行的上限,请拆分成几个文件分批导入")
        table.rows.append((index + 1, values))
        table.raw_rows[index + 1] = list(row[:width]) + [None] * (width - len(row))
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
CAPTION_FONT = Font(bold=True, size=14)
TEXT_FORMAT = "@"


@dataclass
class SheetSpec:
    """A sheet for ``write_xlsx`` with the extras a fill-in template needs."""

    title: str
    headers: list[str]
    rows: Iterable[list[object]]
    caption: str = ""  # a title row above the header, merged across it
    text_columns: Collection[int] = ()  # 0-based columns formatted as text (@)
    widths: dict[int, int] = field(default_factory=dict)  # 0-based column → width


def write_xlsx(sheets: list[tuple[str, list[str], Iterable[list[object]]] | SheetSpec]) -> bytes:
    """Write one or more sheets ``(title, headers, rows)`` (or ``SheetSpec``) to xlsx bytes.

    Long digit strings are written as text so Excel does not turn ID or
    account numbers into scientific notation; ``text_columns`` also format
    the empty cells of a column as text, for templates the user fills in.
    """
    workbook = Workbook(write_only=True)
    for spec in sheets:
        if not isinstance(spec, SheetSpec):
            spec = SheetSpec(*spec)
        sheet = workbook.create_sheet(title=spec.title[:31])
        text_columns = set(spec.text_columns)
        for col, header in enumerate(spec.headers):
            dim = sheet.column_dimensions[get_column_letter(col + 1)]
            dim.width = spec.widths.get(col, max(10, min(40, len(str(header)) * 2 + 4)))
            if col in text_columns:
                dim.number_format = TEXT_FORMAT
        if spec.caption:
            cell = WriteOnlyCell(sheet, value=spec.caption)
            cell.font = CAPTION_FONT
            cell.alignment = Alignment(horizontal="center")
            sheet.append([cell])
            if len(spec.headers) > 1:
                sheet.merged_cells.add(f"A1:{get_column_letter(len(spec.headers))}1")
        header_cells = []
        for header in spec.headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in spec.rows:
            if text_columns:
                row = [_text_cell(sheet, value) if col in text_columns else value for col, value in enumerate(row)]
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(sheet, value: object) -> WriteOnlyCell:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = TEXT_FORMAT
    return cell
