"""The JSON API runs the same import: upload → report → commit."""

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import login
from guanhuai.accounts.services import api_token_create
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Family, ImportJob

from .import_files import docx_bytes, family_row, roster


def _bad_row():
    return family_row(2, father={"name": "张建国", "id_number": "110101196001010010"})


def test_uploading_checking_and_committing_through_the_api(township_officer, django_capture_on_commit_callbacks):
    client = login(township_officer)
    data = roster([family_row(1), _bad_row()])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/imports", {"file": SimpleUploadedFile("名册.xlsx", data),
                                                "region_code": "510104001000"})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    body = client.get(f"/api/imports/{job_id}").json()
    assert body["state"] == "checked" and body["valid_rows"] == 1 and body["error_rows"] == 1
    assert body["report"] == [{"row": 4, "errors": ["父亲:身份证号校验位错误"], "warnings": [],
                               "summary": body["report"][0]["summary"]}]
    assert not Family.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/imports/{job_id}/commit")
    assert response.status_code == 202 and response.json()["state"] == "committing"
    body = client.get(f"/api/imports/{job_id}").json()
    assert body["state"] == "committed" and body["committed_rows"] == 1
    assert Family.objects.get().region_id == "510104001001"
    assert AuditEvent.objects.filter(action="family.imported", actor=township_officer).count() == 1

    again = client.post(f"/api/imports/{job_id}/commit")
    assert again.status_code == 422 and again.json()["code"] == "invalid"
    assert Family.objects.count() == 1


def test_a_bearer_token_works_and_an_unreadable_file_is_a_failed_job(county_officer,
                                                                     django_capture_on_commit_callbacks, client):
    token, secret = api_token_create(user=county_officer, name="导入脚本")
    headers = {"Authorization": f"Bearer {secret}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/imports", {"file": SimpleUploadedFile("x.xlsx", docx_bytes())}, headers=headers)
    assert response.status_code == 201
    job = ImportJob.objects.get()
    assert job.region_id == county_officer.region_id
    body = client.get(f"/api/imports/{job.pk}", headers=headers).json()
    assert body["state"] == "failed" and "不是有效的 Excel" in body["message"]
    response = client.post(f"/api/imports/{job.pk}/commit", headers=headers)
    assert response.status_code == 422 and "检查完成" in response.json()["message"]


def test_a_region_outside_jurisdiction_is_refused_with_the_error_shape(township_officer):
    response = login(township_officer).post("/api/imports", {
        "file": SimpleUploadedFile("a.xlsx", roster([family_row(1)])), "region_code": "510105000000"})
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "区划代码不存在或不在您的管辖范围内",
                               "fields": {"region_code": ["区划代码不存在或不在您的管辖范围内"]}}
    assert not ImportJob.objects.exists()


def test_the_report_pages_and_the_error_workbook_download(county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    rows = [_bad_row() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.post("/api/imports", {"file": SimpleUploadedFile("a.xlsx", roster(rows))}).json()["id"]
    body = client.get(f"/api/imports/{job_id}?offset=1&limit=1&errors_only=true").json()
    assert body["report_count"] == 3 and [e["row"] for e in body["report"]] == [4]
    response = client.get(f"/api/imports/{job_id}/errors.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
