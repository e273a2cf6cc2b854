"""Encrypted returns: export with a one-time password, import refused on any doubt, nothing written then."""

import io

import msoffcrypto
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.reports.models import ReturnExport, ReturnImport, ReturnVersion, StatReturn


@pytest.fixture
def submitted(county_data, year, township_officer):
    response = login(township_officer).post("/api/reports/returns/510104001000/submit", {"year": year},
                                            content_type="application/json")
    return ReturnVersion.objects.get(pk=response.json()["id"])


def _export(user, version, fmt="xlsx"):
    client = login(user)
    data = client.post(f"/api/reports/versions/{version.pk}/export", {"format": fmt},
                       content_type="application/json").json()
    file = client.get(data["file_url"]).content
    manifest = client.get(data["manifest_url"]).content
    return data, file, manifest


def _import(user, file, password, manifest=None, name="return.xlsx"):
    body = {"file": SimpleUploadedFile(name, file), "password": password}
    if manifest is not None:
        body["manifest"] = SimpleUploadedFile(name + ".sha256", manifest)
    return login(user).post("/api/reports/imports", body)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _counts():
    return (StatReturn.objects.count(), ReturnVersion.objects.count(), ReturnImport.objects.count(),
            AuditEvent.objects.filter(action="return.imported").count())


def test_the_xlsx_opens_with_the_one_time_password_and_holds_the_tables(submitted, township_officer):
    data, file, manifest = _export(township_officer, submitted)
    office = msoffcrypto.OfficeFile(io.BytesIO(file))
    office.load_key(password=data["password"], verify_password=True)
    plain = io.BytesIO()
    office.decrypt(plain)
    workbook = load_workbook(plain, read_only=True)
    assert "表1" in workbook.sheetnames and "数据" in workbook.sheetnames
    assert manifest.decode().startswith(f"{data['sha256']}  {data['filename']}\n")


def test_the_password_is_stored_nowhere(submitted, township_officer):
    data, _, _ = _export(township_officer, submitted)
    export = ReturnExport.objects.get()
    stored = " ".join(str(v) for v in ReturnExport.objects.values().get().values() if not isinstance(v, bytes))
    assert data["password"] not in stored
    assert not AuditEvent.objects.filter(changes__icontains=data["password"]).exists()
    assert export.sha256 == data["sha256"]


def test_only_the_exporting_user_downloads_the_file_again(submitted, township_officer, county_officer):
    data, _, _ = _export(township_officer, submitted)
    assert login(county_officer).get(data["file_url"]).status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "sm4"])
def test_the_county_imports_a_file_matching_the_stored_version(submitted, township_officer, county_officer, fmt):
    data, file, manifest = _export(township_officer, submitted, fmt)
    response = _import(county_officer, file, data["password"], manifest, name=data["filename"])
    assert response.status_code == 201, response.content
    assert response.json() == {"region_code": "510104001000", "year": submitted.stat_return.year, "version": 1,
                               "created_version": False, "sha256": data["sha256"]}
    assert ReturnImport.objects.get().version == submitted


def test_a_file_from_elsewhere_becomes_a_new_version_awaiting_review(submitted, township_officer, county_officer):
    data, file, manifest = _export(township_officer, submitted)
    # The county's copy of the return was sent back; the township then mails a file instead of resubmitting.
    login(county_officer).post(f"/api/reports/versions/{submitted.pk}/send-back", {"reason": "请重报"},
                               content_type="application/json")
    ReturnVersion.objects.filter(pk=submitted.pk).update(digest="0" * 64)  # as if another system had made it
    response = _import(county_officer, file, data["password"], manifest)
    assert response.status_code == 201 and response.json()["created_version"] is True
    version = ReturnVersion.objects.get(number=2)
    assert version.source == "imported" and version.decision == "pending"
    assert StatReturn.objects.get(region_id="510104001000").state == "submitted"


@pytest.mark.parametrize("fmt", ["xlsx", "sm4"])
def test_a_wrong_password_is_refused_and_nothing_is_written(submitted, township_officer, county_officer, fmt):
    data, file, manifest = _export(township_officer, submitted, fmt)
    before = _counts()
    response = _import(county_officer, file, data["password"] + "x", manifest)
    assert response.status_code == 422 and response.json()["message"] == "密码错误,无法打开该统计表"
    assert _counts() == before


@pytest.mark.parametrize("fmt", ["xlsx", "sm4"])
def test_a_changed_byte_is_refused_and_nothing_is_written(submitted, township_officer, county_officer, fmt):
    data, file, manifest = _export(township_officer, submitted, fmt)
    before = _counts()
    changed = _flip(file, len(file) - 100)  # inside the encrypted payload
    with_manifest = _import(county_officer, changed, data["password"], manifest)
    assert with_manifest.status_code == 422
    assert "与校验清单不符" in with_manifest.json()["message"]
    without = _import(county_officer, changed, data["password"])
    assert without.status_code == 422
    assert without.json()["message"] in ("文件完整性校验失败:内容已被修改,已拒绝导入", "文件已损坏或被修改,无法读取")
    assert _counts() == before


def test_a_return_of_a_region_outside_the_jurisdiction_is_refused(submitted, township_officer, outsider,
                                                                  city_officer):
    data, file, manifest = _export(township_officer, submitted)
    before = _counts()
    response = _import(outsider, file, data["password"], manifest)
    assert response.status_code == 422
    assert response.json()["message"] == "该统计表属于东城镇(510104001000),不是本单位直接下级报送的统计表,已拒绝导入"
    # Not a direct lower unit either: the city receives counties' returns, not townships'.
    assert _import(city_officer, file, data["password"], manifest).status_code == 422
    assert _counts() == before


def test_something_else_than_an_encrypted_return_is_refused(county_officer, regions):
    response = _import(county_officer, b"PK\x03\x04 not encrypted", "x")
    assert response.status_code == 422 and "不是本系统导出的加密统计表" in response.json()["message"]


def test_export_and_import_pages(submitted, township_officer, county_officer):
    page = login(township_officer).post(f"/reports/versions/{submitted.pk}/export/", {"format": "sm4"})
    assert page.status_code == 200 and "只显示这一次" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    export = ReturnExport.objects.get()
    password = page.context["password"]
    client = login(county_officer)
    wrong = client.post("/reports/returns/import/", {"file": SimpleUploadedFile("r.sm4", bytes(export.data)),
                                                     "password": "nope"})
    assert "密码错误" in wrong.content.decode()
    ok = client.post("/reports/returns/import/", {"file": SimpleUploadedFile("r.sm4", bytes(export.data)),
                                                  "password": password})
    assert ok.status_code == 302 and ReturnImport.objects.count() == 1
