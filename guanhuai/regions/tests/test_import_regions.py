"""Importing the division tree from CSV or xlsx, with a report of every rejected line."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from conftest import _user, login
from guanhuai.accounts.roles import Role
from guanhuai.audit.models import AuditEvent
from guanhuai.regions.models import Region
from guanhuai.regions.services import region_import

IMPORT = reverse("regions:import")

GOOD_ROWS = [
    ("510106000000", "北山区", "028-12345678"),
    ("510106001000", "北山街道", ""),
    ("510106001001", "北山社区", ""),
]
BAD_ROWS = [
    ("51010700000", "缺一位县", ""),        # 11 digits
    ("510108001000", "无上级的镇", ""),       # county 510108 does not exist
    ("510106001001", "北山社区重复", ""),      # duplicate of an earlier line
    ("510106001002", "", ""),               # no name
]


def csv_bytes(rows, header=("区划代码", "名称", "服务热线")) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows, *, title=True) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["2026年统计用区划代码(演示)"])
    ws.append(["统计用区划代码", "区划名称", "服务热线"])
    for code, name, hotline in rows:
        # Codes as numbers, the way Excel usually keeps them.
        ws.append([int(code) if code.isdigit() else code, name, hotline])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_imports_a_csv_file(regions):
    report = region_import(acting_user=None, data=csv_bytes(GOOD_ROWS), filename="regions.csv")
    assert (report.created, report.updated, report.rejected, report.committed) == (3, 0, [], True)
    village = Region.objects.get(code="510106001001")
    assert village.name == "北山社区" and village.level == 5 and village.parent_id == "510106001000"
    assert Region.objects.get(code="510106000000").hotline == "028-12345678"


def test_it_imports_an_xlsx_file_with_a_title_row_and_numeric_codes(regions):
    report = region_import(acting_user=None, data=xlsx_bytes(GOOD_ROWS), filename="regions.xlsx")
    assert report.created == 3 and report.rejected == []
    assert Region.objects.get(code="510106001000").parent_id == "510106000000"


@pytest.mark.parametrize(("make", "filename", "first_row"), [(csv_bytes, "regions.csv", 2),
                                                            (xlsx_bytes, "regions.xlsx", 3)])
def test_it_reports_every_rejected_line_with_its_row_number(regions, make, filename, first_row):
    report = region_import(acting_user=None, data=make(GOOD_ROWS + BAD_ROWS), filename=filename)
    assert report.created == 3
    rejected = {code: (row, reason) for row, code, reason in report.rejected}
    assert len(report.rejected) == 4
    bad_shape = first_row + 3
    assert rejected["51010700000"] == (bad_shape, "区划代码应为12位数字:'51010700000'")
    assert rejected["510108001000"] == (bad_shape + 1, "上级区划 510108000000 不存在")
    assert rejected["510106001001"] == (bad_shape + 2, f"与第 {first_row + 2} 行重复")
    assert rejected["510106001002"] == (bad_shape + 3, "名称为空")
    assert not Region.objects.filter(code__in=["510108001000", "510106001002"]).exists()
    assert Region.objects.get(code="510106001001").name == "北山社区"


def test_a_child_may_come_before_its_parent_in_the_file(regions):
    report = region_import(acting_user=None, data=csv_bytes(list(reversed(GOOD_ROWS))), filename="r.csv")
    assert report.created == 3 and report.rejected == []


def test_a_child_of_a_rejected_parent_is_rejected_too(regions):
    rows = [("510109000000", "", ""), ("510109001000", "孤儿镇", "")]
    report = region_import(acting_user=None, data=csv_bytes(rows), filename="r.csv")
    assert [r[2] for r in report.rejected] == ["名称为空", "上级区划 510109000000 不存在"]


def test_importing_the_same_file_twice_changes_nothing(regions):
    data = csv_bytes(GOOD_ROWS)
    region_import(acting_user=None, data=data, filename="r.csv")
    count = Region.objects.count()
    report = region_import(acting_user=None, data=data, filename="r.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Region.objects.count() == count


def test_a_renamed_region_is_updated(regions):
    report = region_import(acting_user=None, data=csv_bytes([("510104001000", "东城街道", "")]), filename="r.csv")
    assert (report.created, report.updated) == (0, 1)
    assert Region.objects.get(code="510104001000").name == "东城街道"


def test_a_dry_run_writes_nothing_but_counts_the_same(regions):
    rows = GOOD_ROWS + [("510104001000", "东城街道", ""), ("510104002000", "西山乡", "")]
    dry = region_import(acting_user=None, data=csv_bytes(rows), filename="r.csv", commit=False)
    assert (dry.created, dry.updated, dry.unchanged, dry.committed) == (3, 1, 1, False)
    assert not Region.objects.filter(code="510106000000").exists()
    assert Region.objects.get(code="510104001000").name == "东城镇"
    assert not AuditEvent.objects.filter(action="regions.imported").exists()
    real = region_import(acting_user=None, data=csv_bytes(rows), filename="r.csv")
    assert (real.created, real.updated, real.unchanged) == (dry.created, dry.updated, dry.unchanged)


def test_an_import_is_audited(regions, admin_user):
    region_import(acting_user=admin_user, data=csv_bytes(GOOD_ROWS + BAD_ROWS[:1]), filename="r.csv")
    event = AuditEvent.objects.get(action="regions.imported")
    assert event.actor_id == admin_user.pk
    assert event.changes == {"created": 3, "updated": 0, "rejected": 1}


def test_an_administrator_imports_only_inside_their_region(regions):
    county_admin = _user("admin_510105", Role.ADMIN, "510105000000")
    rows = [("510105001002", "新村", ""), ("510104001003", "别县的村", "")]
    report = region_import(acting_user=county_admin, data=csv_bytes(rows), filename="r.csv")
    assert report.created == 1
    assert [(code, reason) for _, code, reason in report.rejected] == [("510104001003", "不在您的管辖范围内")]
    assert not Region.objects.filter(code="510104001003").exists()


def test_the_command_imports_and_lists_rejected_lines(regions, tmp_path, capsys):
    path = tmp_path / "regions.csv"
    path.write_bytes(csv_bytes(GOOD_ROWS + BAD_ROWS))
    call_command("import_regions", str(path))
    out = capsys.readouterr().out
    assert "第 6 行 510108001000:上级区划 510108000000 不存在" in out
    assert "已导入:新增 3,更新 0,未变 0,拒绝 4" in out
    assert Region.objects.filter(code__startswith="510106").count() == 3


def test_the_command_dry_run_writes_nothing(regions, tmp_path, capsys):
    path = tmp_path / "regions.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ROWS))
    call_command("import_regions", str(path), "--dry-run")
    assert "检查完成(未写入):新增 3" in capsys.readouterr().out
    assert not Region.objects.filter(code__startswith="510106").exists()


@pytest.mark.parametrize(("data", "filename"), [
    (b"", "r.csv"),
    (b"just,some\nother,columns\n", "r.csv"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "r.xls"),
    (b"PK\x03\x04 not really a zip", "r.xlsx"),
])
def test_the_command_explains_a_file_it_cannot_read(regions, tmp_path, data, filename):
    # The wording is lib/excel.py's; here it matters that it is a message in Chinese, not a traceback.
    path = tmp_path / filename
    path.write_bytes(data)
    with pytest.raises(CommandError) as exc:
        call_command("import_regions", str(path))
    assert re.search(r"[\u4e00-\u9fff]", str(exc.value))
    assert Region.objects.count() == len(regions)


def test_the_command_names_a_missing_code_column(regions, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("名称\n北山区\n".encode())
    with pytest.raises(CommandError, match="区划代码"):
        call_command("import_regions", str(path))


def test_the_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_regions", str(tmp_path / "nope.csv"))


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_the_page_checks_then_commits(admin_user):
    client = login(admin_user)
    response = client.post(IMPORT, {"file": upload(csv_bytes(GOOD_ROWS + BAD_ROWS), "r.csv")})
    html = response.content.decode()
    assert response.status_code == 200 and "检查结果(未写入)" in html and "上级区划 510108000000 不存在" in html
    assert not Region.objects.filter(code="510106000000").exists()
    response = client.post(IMPORT, {"file": upload(csv_bytes(GOOD_ROWS), "r.csv"), "commit": "1"})
    assert "已写入" in response.content.decode()
    assert Region.objects.filter(code__startswith="510106").count() == 3


def test_the_page_shows_a_file_error(admin_user):
    response = login(admin_user).post(IMPORT, {"file": upload(b"PK\x03\x04junk", "r.xlsx")})
    assert "不是有效的 Excel" in response.content.decode()


@pytest.mark.parametrize("persona", ["county_officer", "province_officer", "auditor", "outsider"])
def test_the_page_is_for_administrators_only(request, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(IMPORT).status_code == 404
    assert client.post(IMPORT, {"file": upload(csv_bytes(GOOD_ROWS), "r.csv"), "commit": "1"}).status_code == 404
    assert not Region.objects.filter(code="510106000000").exists()


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get(IMPORT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
