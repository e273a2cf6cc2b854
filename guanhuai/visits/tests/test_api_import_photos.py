"""The API's historical visit import and visit photos: the same services and rules as the pages."""

from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from conftest import login, member_data
from guanhuai.accounts.services import api_token_create
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import ImportJob
from guanhuai.visits import services
from guanhuai.visits.models import Visit, VisitPhoto

from .conftest import JPEG, PNG, days_ago, png
from .import_files import HEADER, csv, row, xlsx

UNKNOWN = "在您辖区的家庭档案中找不到该身份证号"


# ---------------------------------------------------------------- import

@pytest.fixture
def visit_file(family):
    """Row 2: a visit of the family (东城县); row 3: an ID number registered nowhere."""
    father = family.members.get(role="father").id_number
    nowhere = member_data(name="查无此人")["id_number"]
    return xlsx([HEADER, row(1, father, "2024-03-05", notes="春节走访"), row(2, nowhere, "2024-03-06")])


def _upload(client, data, capture, *, name="走访记录.xlsx", **form):
    with capture(execute=True):
        return client.post("/api/visits/imports", {"file": SimpleUploadedFile(name, data), **form})


def test_an_upload_is_a_dry_run_with_row_errors_and_commit_writes(visit_file, county_officer,
                                                                 django_capture_on_commit_callbacks):
    client = login(county_officer)
    response = _upload(client, visit_file, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    body = client.get(f"/api/visits/imports/{job_id}").json()
    assert body["state"] == "checked" and body["valid_rows"] == 1 and body["error_rows"] == 1
    assert body["region_code"] == "510104000000"
    assert [(e["row"], e["errors"]) for e in body["report"]] == [(3, [UNKNOWN])]
    assert not Visit.objects.exists()  # the dry run writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/visits/imports/{job_id}/commit")
    assert response.status_code == 202 and response.json()["state"] == "committing"
    body = client.get(f"/api/visits/imports/{job_id}").json()
    assert body["state"] == "committed" and body["committed_rows"] == 1
    visit = Visit.objects.get()
    assert visit.notes == "春节走访" and visit.is_backfill and visit.family.head_name == "张建国"
    assert AuditEvent.objects.filter(action="visit.imported", actor=county_officer).count() == 1

    again = client.post(f"/api/visits/imports/{job_id}/commit")
    assert again.status_code == 422 and again.json()["code"] == "invalid"
    assert Visit.objects.count() == 1


def test_a_csv_file_with_a_bearer_token_and_the_error_workbook(family, township_officer, client,
                                                               django_capture_on_commit_callbacks):
    _, secret = api_token_create(user=township_officer, name="导入脚本")
    headers = {"Authorization": f"Bearer {secret}"}
    father = family.members.get(role="father").id_number
    data = csv([HEADER, row(1, father, "2024-03-05", channel="打电话"), row(2, father, "2099-01-01")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/visits/imports", {"file": SimpleUploadedFile("走访.csv", data)}, headers=headers)
    assert response.status_code == 201
    job = ImportJob.objects.get(kind="visits")
    assert job.region_id == "510104001000"  # the caller's own region by default
    body = client.get(f"/api/visits/imports/{job.pk}?errors_only=true", headers=headers).json()
    assert body["report_count"] == 1 and body["report"][0]["row"] == 3
    assert body["report"][0]["errors"] == ["走访日期 2099-01-01 晚于今天"]
    errors = client.get(f"/api/visits/imports/{job.pk}/errors.xlsx", headers=headers)
    assert errors.status_code == 200
    rows = list(load_workbook(BytesIO(errors.content)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("行号", "错误原因") and rows[1][-2:] == (3, "走访日期 2099-01-01 晚于今天")
    template = client.get("/api/visits/imports/template.xlsx", headers=headers)
    assert template.status_code == 200 and template.content.startswith(b"PK")
    assert not Visit.objects.exists()


def test_an_unreadable_file_is_a_failed_job_that_cannot_be_committed(county_officer,
                                                                     django_capture_on_commit_callbacks):
    client = login(county_officer)
    job_id = _upload(client, b"not a spreadsheet", django_capture_on_commit_callbacks, name="x.xlsx").json()["id"]
    body = client.get(f"/api/visits/imports/{job_id}").json()
    assert body["state"] == "failed" and body["message"]
    response = client.post(f"/api/visits/imports/{job_id}/commit")
    assert response.status_code == 422 and "检查完成" in response.json()["message"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("persona", ["village_contact", "city_officer", "auditor"])
def test_roles_that_may_not_import_get_404_and_nothing_is_stored(persona, request, visit_file,
                                                                 django_capture_on_commit_callbacks):
    client = login(request.getfixturevalue(persona))
    response = _upload(client, visit_file, django_capture_on_commit_callbacks)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/visits/imports/template.xlsx").status_code == 404
    assert not ImportJob.objects.exists() and not Visit.objects.exists()


def test_another_countys_officer_gets_404_for_the_job_and_writes_nothing(visit_file, county_officer, outsider,
                                                                         django_capture_on_commit_callbacks):
    job_id = _upload(login(county_officer), visit_file, django_capture_on_commit_callbacks).json()["id"]
    client = login(outsider)
    for url in (f"/api/visits/imports/{job_id}", f"/api/visits/imports/{job_id}/errors.xlsx"):
        assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/visits/imports/{job_id}/commit")
    assert response.status_code == 404
    assert ImportJob.objects.get(pk=job_id).state == "checked" and not Visit.objects.exists()


def test_another_county_cannot_import_into_this_county_or_its_families(visit_file, outsider,
                                                                       django_capture_on_commit_callbacks):
    client = login(outsider)
    response = _upload(client, visit_file, django_capture_on_commit_callbacks, region_code="510104000000")
    assert response.status_code == 422
    assert response.json()["fields"] == {"region_code": ["区划代码不存在或不在您的管辖范围内"]}
    assert not ImportJob.objects.exists()
    # Into their own county: 东城县's family is unknown there, exactly like an ID number that exists nowhere.
    job_id = _upload(client, visit_file, django_capture_on_commit_callbacks).json()["id"]
    body = client.get(f"/api/visits/imports/{job_id}").json()
    assert body["valid_rows"] == 0 and [e["errors"] for e in body["report"]] == [[UNKNOWN], [UNKNOWN]]
    assert client.post(f"/api/visits/imports/{job_id}/commit").status_code == 422
    assert not Visit.objects.exists()


def test_anonymous_callers_get_401_for_the_import(visit_file, county_officer, django_capture_on_commit_callbacks):
    job_id = _upload(login(county_officer), visit_file, django_capture_on_commit_callbacks).json()["id"]
    anonymous = Client()
    response = anonymous.post("/api/visits/imports", {"file": SimpleUploadedFile("a.xlsx", visit_file)})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    for url in ("/api/visits/imports/template.xlsx", f"/api/visits/imports/{job_id}",
                f"/api/visits/imports/{job_id}/errors.xlsx"):
        assert anonymous.get(url).status_code == 401
    assert anonymous.post(f"/api/visits/imports/{job_id}/commit").status_code == 401
    assert ImportJob.objects.count() == 1 and not Visit.objects.exists()


# ---------------------------------------------------------------- photos

@pytest.fixture
def visit(family, village_contact, record):
    return record(village_contact, family, visit_date=days_ago(1))


def _stored_files() -> int:
    """Files under visits/ in the storage (in tests an in-memory storage shared by the whole run)."""
    def count(path: str) -> int:
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return 0
        return len(files) + sum(count(f"{path}/{d}") for d in dirs)

    return count("visits")


def _add(client, visit_id, *files):
    return client.post(f"/api/visits/{visit_id}/photos", {"photos": list(files)})


def test_the_recorder_adds_photos_lists_them_and_downloads_them(visit, village_contact):
    client = login(village_contact)
    response = _add(client, visit.pk, png(), png("p.jpg", JPEG, "image/jpeg"))
    assert response.status_code == 201, response.content
    added = response.json()
    assert [p["content_type"] for p in added] == ["image/png", "image/jpeg"]
    assert [p["id"] for p in added] == list(visit.photos.order_by("pk").values_list("pk", flat=True))
    listed = client.get(f"/api/visits/{visit.pk}/photos").json()
    assert listed == added and listed[0]["size"] == len(PNG)
    download = client.get(listed[1]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert b"".join(download.streaming_content) == JPEG
    event = AuditEvent.objects.get(action="visit.photos_added")
    assert event.actor == village_contact and event.changes["photos"] == [p["id"] for p in added]


def test_a_township_officer_may_add_photos_to_a_village_visit(visit, township_officer):
    response = _add(login(township_officer), visit.pk, png())
    assert response.status_code == 201 and visit.photos.count() == 1


@pytest.mark.parametrize("persona", ["auditor", "association_worker"])
def test_who_may_not_edit_the_visit_gets_404_and_nothing_is_stored(persona, request, visit):
    client = login(request.getfixturevalue(persona))
    files = _stored_files()
    response = _add(client, visit.pk, png())
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not VisitPhoto.objects.exists() and _stored_files() == files


def test_an_auditor_may_list_photos_and_the_read_is_logged(visit, village_contact, auditor):
    _add(login(village_contact), visit.pk, png())
    response = login(auditor).get(f"/api/visits/{visit.pk}/photos")
    assert response.status_code == 200 and len(response.json()) == 1
    assert login(auditor).get(response.json()[0]["url"]).status_code == 200
    assert AuditEvent.objects.filter(actor=auditor, action="visit.viewed").exists()
    assert AuditEvent.objects.filter(actor=auditor, action="visit.photo_viewed").exists()


def test_one_bad_file_refuses_the_whole_batch(visit, village_contact):
    gif = SimpleUploadedFile("a.gif", b"GIF89a" + b"\x00" * 16, content_type="image/gif")
    files = _stored_files()
    response = _add(login(village_contact), visit.pk, png(), gif)
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "照片只支持 JPEG 或 PNG 格式",
                               "fields": {"photos": ["照片只支持 JPEG 或 PNG 格式"]}}
    assert not VisitPhoto.objects.exists() and _stored_files() == files


def test_a_photo_over_the_size_limit_is_refused(visit, village_contact, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTO_BYTES", len(PNG) - 1)
    response = _add(login(village_contact), visit.pk, png())
    assert response.status_code == 422 and response.json()["message"] == "单张照片不能超过 8 MB"
    assert not VisitPhoto.objects.exists()


def test_no_file_and_too_many_photos_are_refused(visit, village_contact):
    client = login(village_contact)
    response = client.post(f"/api/visits/{visit.pk}/photos")
    assert response.status_code == 422 and response.json()["message"] == "请选择要上传的照片"
    assert _add(client, visit.pk, *[png() for _ in range(8)]).status_code == 201
    response = _add(client, visit.pk, png(), png())
    assert response.status_code == 422 and response.json()["message"] == "每条走访记录最多 9 张照片,已有 8 张"
    assert visit.photos.count() == 8


def test_another_countys_officer_gets_404_for_photos_and_nothing_is_written(visit, village_contact, outsider):
    photo_id = _add(login(village_contact), visit.pk, png()).json()[0]["id"]
    files = _stored_files()
    client = login(outsider)
    assert _add(client, visit.pk, png()).status_code == 404
    assert client.get(f"/api/visits/{visit.pk}/photos").status_code == 404
    assert client.get(f"/api/visits/photos/{photo_id}").status_code == 404
    assert VisitPhoto.objects.count() == 1 and _stored_files() == files


def test_anonymous_callers_get_401_for_photos(visit, village_contact):
    photo_id = _add(login(village_contact), visit.pk, png()).json()[0]["id"]
    anonymous = Client()
    assert _add(anonymous, visit.pk, png()).status_code == 401
    assert anonymous.get(f"/api/visits/{visit.pk}/photos").status_code == 401
    assert anonymous.get(f"/api/visits/photos/{photo_id}").status_code == 401
    assert VisitPhoto.objects.count() == 1


# ---------------------------------------------------------------- schema

def test_the_new_endpoints_are_in_the_openapi_schema(county_officer):
    paths = login(county_officer).get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/visits/imports"]) == {"post"}
    assert set(paths["/api/visits/{visit_id}/photos"]) == {"get", "post"}
    for path in ("/api/visits/imports/template.xlsx", "/api/visits/imports/{job_id}",
                 "/api/visits/imports/{job_id}/errors.xlsx", "/api/visits/photos/{photo_id}"):
        assert "get" in paths[path], path
    assert "post" in paths["/api/visits/imports/{job_id}/commit"]
    upload = paths["/api/visits/{visit_id}/photos"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "photos" in str(upload)
