"""A file that cannot be read as a roster is refused as a whole, with the reason in Chinese."""

import os

import pytest

from guanhuai.contacts.importing import roster_analyse
from guanhuai.lib.excel import SheetError

from .roster_files import HEADER, roster, row, xlsx


def _refused(data: bytes, filename: str = "名册.xlsx") -> str:
    with pytest.raises(SheetError) as info:
        roster_analyse(data, filename, prefix="510104")
    return str(info.value)


def test_an_empty_file_is_refused(regions):
    assert _refused(b"") == "文件为空"


def test_random_bytes_are_refused(regions):
    assert "不是有效的 Excel" in _refused(os.urandom(2048))


def test_random_bytes_named_csv_are_refused(regions):
    message = _refused(b"\x00\x01\x02" + os.urandom(512), "名册.csv")
    assert "CSV" in message


def test_a_sheet_without_the_id_number_column_is_refused(regions):
    header = [h for h in HEADER if h != "身份证号"]
    assert _refused(xlsx([header, ["1", "桃园村", "张建国", "王建华", "副镇长", "13900000001"]])) == \
        "缺少必需的列:身份证号"


def test_a_sheet_without_any_contact_column_is_refused(regions):
    message = _refused(xlsx([["序号", "身份证号", "户主姓名"], [1, "510104196205170011", "张建国"]]))
    assert message == "缺少必需的列:第一联系人姓名或第二联系人姓名(至少一组)"


def test_a_contact_name_without_a_phone_column_is_refused(regions):
    message = _refused(xlsx([["身份证号", "第一联系人姓名", "第一联系人职务"], ["510104196205170011", "王建华", "镇长"]]))
    assert message == "缺少必需的列:第一联系人电话"


def test_a_header_only_file_is_refused(regions):
    assert _refused(roster([])) == "文件中没有数据行(表头下面是空的)"


def test_an_unrecognisable_sheet_is_refused(regions):
    assert "找不到表头行" in _refused(xlsx([["甲", "乙"], [1, 2]]))


def test_a_csv_in_gbk_is_read(family):
    number = family.members.get(role="father").id_number
    text = ",".join(HEADER) + "\n" + ",".join(str(v) for v in row(1, number)) + "\n"
    analysis = roster_analyse(text.encode("gb18030"), "名册.csv", prefix="510104")
    assert analysis.error_rows == 0


def test_the_template_example_row_is_skipped(family):
    from guanhuai.contacts.importing import roster_template

    with pytest.raises(SheetError, match="没有数据行"):
        roster_analyse(roster_template(), "模板.xlsx", prefix="510104")
