"""Only township and county officers import, each sees only their own jobs; everyone else gets 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login
from guanhuai.families.models import Family, ImportJob

from .import_files import family_row, roster, upload

JOB_PAGES = ["families:import_job", "families:import_progress", "families:import_errors", "families:import_commit"]


@pytest.fixture
def job(county_officer, django_capture_on_commit_callbacks):
    father = {"name": "张建国", "id_number": "110101196001010010"}  # bad checksum: one error row
    upload(login(county_officer), django_capture_on_commit_callbacks,
           roster([family_row(1), family_row(2, father=father)]))
    return ImportJob.objects.get()


def test_anonymous_users_are_sent_to_login(job, client):
    for name, args in [("families:import", []), ("families:import_template", [])] + [(n, [job.pk]) for n in JOB_PAGES]:
        for method in ("get", "post"):
            response = getattr(client, method)(reverse(name, args=args))
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_api_callers_get_401(job, client):
    assert client.get(f"/api/imports/{job.pk}").status_code == 401
    assert client.post("/api/imports", {}).status_code == 401
    assert client.post(f"/api/imports/{job.pk}/commit").status_code == 401


@pytest.mark.parametrize("persona", ["outsider", "township_officer", "other_township_officer", "city_officer"])
def test_anyone_but_the_uploader_gets_404_on_the_job_pages_and_api(job, persona, request):
    client = login(request.getfixturevalue(persona))
    for name in JOB_PAGES:
        assert client.get(reverse(name, args=[job.pk])).status_code in (404, 405)
        assert client.post(reverse(name, args=[job.pk])).status_code == 404
    assert client.get(f"/api/imports/{job.pk}").status_code == 404
    assert client.get(f"/api/imports/{job.pk}/errors.xlsx").status_code == 404
    response = client.post(f"/api/imports/{job.pk}/commit")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED and not Family.objects.exists()


@pytest.mark.parametrize("persona", ["village_contact", "auditor", "association_worker", "province_officer"])
def test_users_without_the_import_permission_get_404_everywhere(job, persona, request,
                                                               django_capture_on_commit_callbacks):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("families:import")).status_code == 404
    assert client.get(reverse("families:import_template")).status_code == 404
    response = upload(client, django_capture_on_commit_callbacks, roster([family_row(1)]))
    assert response.status_code == 404
    for name in JOB_PAGES:
        assert client.post(reverse(name, args=[job.pk])).status_code == 404
    assert client.get("/api/imports/template.xlsx").status_code == 404
    api_upload = client.post("/api/imports", {"file": SimpleUploadedFile("a.xlsx", roster([family_row(1)]))})
    assert api_upload.status_code == 404
    assert ImportJob.objects.count() == 1 and not Family.objects.exists()


def test_the_upload_form_offers_only_regions_in_jurisdiction(township_officer, django_capture_on_commit_callbacks):
    client = login(township_officer)
    html = client.get(reverse("families:import")).content.decode()
    assert "东城镇" in html and "桃园村" in html and "西山乡" not in html and "南河县" not in html
    response = upload(client, django_capture_on_commit_callbacks, roster([family_row(1)]), region="510104000000")
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_rows_outside_the_chosen_region_are_errors(township_officer, django_capture_on_commit_callbacks):
    rows = [family_row(1), family_row(2, village="石桥村")]
    upload(login(township_officer), django_capture_on_commit_callbacks, roster(rows), region="510104001000")
    job = ImportJob.objects.get()
    assert job.valid_rows == 1 and job.error_rows == 1
    assert "找不到村(居)“石桥村”" in job.report[0]["errors"][0]
