"""The import pages: upload → dry-run report → error workbook → commit; a job is its uploader's only."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login, member_data
from guanhuai.families.models import ImportJob
from guanhuai.visits.models import Visit

from .import_files import HEADER, row, xlsx


@pytest.fixture
def upload(family):
    father = family.members.get(role="father").id_number
    nowhere = member_data(name="查无此人")["id_number"]
    data = xlsx([HEADER, row(1, father, "2024-03-05", notes="春节走访"), row(2, nowhere, "2024-03-06")])
    return lambda: SimpleUploadedFile("走访记录.xlsx", data)


def _upload(client, file, region="510104000000", capture=None):
    with capture(execute=True):
        return client.post(reverse("visits:import"), {"region": region, "file": file})


def test_upload_check_errors_and_commit(upload, county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    assert client.get(reverse("visits:import")).status_code == 200
    response = _upload(client, upload(), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(kind="visits")
    assert response.status_code == 302 and response["Location"] == reverse("visits:import_job", args=[job.pk])
    html = client.get(reverse("visits:import_job", args=[job.pk])).content.decode()
    assert "可导入 1 条,有错误 1 行" in html and "在您辖区的家庭档案中找不到该身份证号" in html
    assert not Visit.objects.exists()
    errors = client.get(reverse("visits:import_errors", args=[job.pk]))
    assert errors.status_code == 200
    rows = list(load_workbook(BytesIO(errors.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][-1] == "在您辖区的家庭档案中找不到该身份证号"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("visits:import_commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "committed" and job.committed_rows == 1
    assert Visit.objects.get().notes == "春节走访"
    assert "已写入 1 条走访记录" in client.get(reverse("visits:import_job", args=[job.pk])).content.decode()


def test_the_progress_partial_reloads_when_done(upload, county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    _upload(client, upload(), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(kind="visits")
    response = client.get(reverse("visits:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_the_template_downloads(county_officer):
    response = login(county_officer).get(reverse("visits:import_template"))
    assert response.status_code == 200
    assert next(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))[:4] == (
        "身份证号", "户主姓名", "走访日期", "方式")


def test_a_region_outside_the_jurisdiction_is_refused(upload, township_officer, django_capture_on_commit_callbacks):
    response = _upload(login(township_officer), upload(), region="510104000000",
                       capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200 and not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["village_contact", "city_officer", "auditor"])
def test_users_who_may_not_import_get_404(persona, request, regions):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("visits:import")).status_code == 404
    assert client.get(reverse("visits:import_template")).status_code == 404


def test_a_job_is_404_for_anyone_but_its_uploader(upload, county_officer, outsider, township_officer,
                                                 django_capture_on_commit_callbacks):
    _upload(login(county_officer), upload(), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(kind="visits")
    for user in (outsider, township_officer):
        client = login(user)
        for name in ("visits:import_job", "visits:import_progress", "visits:import_errors", "visits:import_commit"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
            assert client.post(reverse(name, args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.state == "checked" and not Visit.objects.exists()


def test_a_family_import_job_is_not_a_visit_import_job(county_officer, regions):
    job = ImportJob.objects.create(created_by=county_officer, region_id="510104000000", filename="家庭.xlsx",
                                   data=b"x")
    assert login(county_officer).get(reverse("visits:import_job", args=[job.pk])).status_code == 404
