"""lib/excel: finding the header among titles and merged group cells, and writing sheets."""

import datetime as dt
import io
import re
import zipfile

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook, load_workbook

from guanhuai.lib.excel import SheetError, SheetSpec, read_table, text_of, write_xlsx

SYNONYMS = {
    "name": ["户主姓名", "户主"],
    "village": ["村(居)", "村居"],
    "father_name": ["父亲姓名"],
    "father_id": ["父亲身份证号"],
    "mother_name": ["母亲姓名"],
    "phone": ["联系电话"],
}


def _xlsx(rows, merges=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_title_rows_above_the_header_are_skipped():
    data = _xlsx([["东城县花名册"], ["填报日期:2025年"], ["户主", "村居", "联系电话"], ["张三", "桃园村", 13800000000]],
                 merges=["A1:C1", "A2:C2"])
    table = read_table(data, "a.xlsx", SYNONYMS)
    assert table.header_row == 3
    assert table.columns == {"name": 0, "village": 1, "phone": 2}
    assert table.rows == [(4, {"name": "张三", "village": "桃园村", "phone": 13800000000})]


def test_a_two_row_header_with_merged_group_cells_is_combined():
    data = _xlsx([
        ["户主姓名", "父亲", None, "母亲", "联系电话"],
        [None, "姓名", "身份证号", "姓名", None],
        ["张三", "张三", "510104196205170012", "李四", "138"],
    ], merges=["A1:A2", "B1:C1", "E1:E2"])
    table = read_table(data, "a.xlsx", SYNONYMS)
    assert table.header_row == 2
    assert table.columns == {"name": 0, "father_name": 1, "father_id": 2, "mother_name": 3, "phone": 4}
    assert table.labels == ["户主姓名", "父亲 姓名", "父亲 身份证号", "母亲 姓名", "联系电话"]
    assert table.rows[0][0] == 3 and table.rows[0][1]["father_id"] == "510104196205170012"


def test_a_two_row_header_in_csv_carries_group_labels_to_the_right():
    text = "户主,父亲,,母亲\n,姓名,身份证号,姓名\n张三,张三,510104196205170012,李四\n"
    table = read_table(text.encode("gb18030"), "a.csv", SYNONYMS)
    assert table.columns == {"name": 0, "father_name": 1, "father_id": 2, "mother_name": 3}
    assert table.rows == [(3, {"name": "张三", "father_name": "张三", "father_id": "510104196205170012",
                               "mother_name": "李四"})]


def test_headers_match_with_full_width_brackets_spaces_and_required_marks():
    data = _xlsx([["户 主*", "村(居)", "联系电话:"], ["张三", "桃园村", ""]])
    assert read_table(data, "a.xlsx", SYNONYMS).columns == {"name": 0, "village": 1, "phone": 2}


def test_a_row_numbering_the_columns_under_the_header_is_not_data():
    data = _xlsx([["户主", "村居", "联系电话"], [1, 2, 3], ["张三", "桃园村", "138"]])
    assert [n for n, _ in read_table(data, "a.xlsx", SYNONYMS).rows] == [3]


def test_blank_rows_are_skipped_and_row_numbers_stay_true():
    data = _xlsx([["户主", "村居"], ["张三", "桃园村"], [None, None], ["李四", "李庄村"]])
    table = read_table(data, "a.xlsx", SYNONYMS)
    assert [n for n, _ in table.rows] == [2, 4]
    assert table.raw_rows[4] == ["李四", "李庄村"]


def test_a_wrong_dimension_written_by_another_program_does_not_cut_columns():
    data = _xlsx([["户主", "村居", "联系电话"], ["张三", "桃园村", "138"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                content = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', content)
            target.writestr(item, content)
    assert read_table(out.getvalue(), "a.xlsx", SYNONYMS).rows[0][1]["phone"] == "138"


def test_missing_required_columns_are_named_in_chinese():
    data = _xlsx([["户主", "联系电话"], ["张三", "138"]])
    with pytest.raises(SheetError, match=re.escape("缺少必需的列:村(居)")):
        read_table(data, "a.xlsx", SYNONYMS, required=["name", "village"])


def test_too_many_rows_is_a_file_error():
    data = _xlsx([["户主"], ["甲"], ["乙"], ["丙"]])
    with pytest.raises(SheetError, match="超过 2 行"):
        read_table(data, "a.xlsx", SYNONYMS, max_rows=2)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "a.xlsx", "文件为空"),
    (b"   \n", "a.csv", "文件为空"),
    (b"PK\x03\x04garbage", "a.xlsx", "不是有效的 Excel"),
    (b"\x00\x01binary", "a.xlsx", "不是有效的 Excel"),
    (b"\x00\x01binary", "a.csv", "二进制"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.xls", "文件已损坏"),
    (b"hello", "a.docx", "只支持 .xlsx 或 .csv"),
])
def test_unreadable_files_raise_a_chinese_sheet_error(data, name, message):
    with pytest.raises(SheetError, match=message):
        read_table(data, name, SYNONYMS)


def test_a_password_protected_workbook_says_so():
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_xlsx([["户主"], ["张三"]]))).encrypt("mima1234", out)
    with pytest.raises(SheetError, match="文件设有打开密码"):
        read_table(out.getvalue(), "a.xlsx", SYNONYMS)


def test_a_file_without_any_known_header_is_refused():
    with pytest.raises(SheetError, match="找不到表头行"):
        read_table(_xlsx([["甲", "乙"], [1, 2]]), "a.xlsx", SYNONYMS)


def test_text_of_folds_full_width_characters_and_whole_floats():
    assert text_of("５１０１０４ＡＢ") == "510104AB"
    assert text_of(13800000000.0) == "13800000000"
    assert text_of(None) == ""


def test_write_xlsx_writes_a_caption_a_header_and_text_formatted_columns():
    content = write_xlsx([
        SheetSpec("名单", ["姓名", "身份证号"], [["张三", 510104196205170012]], caption="花名册", text_columns=[1]),
        ("第二页", ["甲"], [[dt.date(2020, 1, 5)]]),
    ])
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["名单"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["花名册", None], ["姓名", "身份证号"], ["张三", "510104196205170012"]]
    assert "A1:B1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["B3"].number_format == "@" and sheet.column_dimensions["B"].number_format == "@"
    assert workbook["第二页"]["A2"].value.date() == dt.date(2020, 1, 5)


def _handmade_xlsx() -> bytes:
    """The way Excel itself saves: shared strings, a date style, cells without ``r`` attributes."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": f'<Relationships {rel}><Relationship Id="rId1" Type="{doc}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns} xmlns:r="{doc}"><sheets><sheet name="表一" sheetId="1" r:id="rId1"/>'
                           '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships {rel}><Relationship Id="rId1" Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{doc}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{doc}/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst {ns} count="4" uniqueCount="4"><si><t>户主</t></si><si><t>村居</t></si>'
                                '<si><r><t>张</t></r><r><t>三</t></r></si><si><t>桃园村</t></si></sst>',
        "xl/styles.xml": f'<styleSheet {ns}><fonts count="1"><font><sz val="11"/></font></fonts>'
                         '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
                         '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                         '<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
                         '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
                         '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                         '</styleSheet>',
        "xl/worksheets/sheet1.xml":
            f'<worksheet {ns}><sheetData>'
            '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c><v>0</v></c><c/></row>'
            '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" t="s"><v>3</v></c>'
            '<c r="C3" s="1"><v>43835</v></c><c r="D3" t="b"><v>1</v></c>'
            '<c r="F3" t="inlineStr"><is><r><t>全角</t></r><r><t>１２</t></r></is></c></row>'
            '</sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def test_an_excel_saved_file_is_read_like_openpyxl_reads_it():
    from guanhuai.lib.excel import _load_xlsx, _openpyxl_rows

    data = _handmade_xlsx()
    rows = _load_xlsx(data).rows
    assert rows == [["户主", "村居", 0, None], [], ["张三", "桃园村", dt.datetime(2020, 1, 5), True, None, "全角１２"]]
    trimmed = [[v for v in row] for row in _openpyxl_rows(data)]
    assert [r[:len(rows[i])] for i, r in enumerate(trimmed)] == [r for r in rows]
    table = read_table(data, "a.xlsx", SYNONYMS)
    assert table.rows == [(3, {"name": "张三", "village": "桃园村"})]
