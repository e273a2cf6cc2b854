"""The roster import page: upload, dry-run report with progress, error workbook, commit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login, member_data
from guanhuai.contacts.models import Assignment
from guanhuai.families.models import ImportJob

from .roster_files import roster, row


def _upload(client, capture, data: bytes, name="名册.xlsx"):
    with capture(execute=True):
        response = client.post(reverse("contacts:import"), {"file": SimpleUploadedFile(name, data)})
    return response


@pytest.fixture
def stranger():
    return member_data(name="路人")["id_number"]


def test_upload_check_and_commit(family, stranger, county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    data = roster([row(1, family.members.get(role="father").id_number), row(2, stranger)])
    response = _upload(client, django_capture_on_commit_callbacks, data)
    job = ImportJob.objects.get(kind="contacts")
    assert response.status_code == 302 and response["Location"] == reverse("contacts:import_job", args=[job.pk])
    assert job.state == "checked" and (job.total_rows, job.valid_rows, job.error_rows) == (2, 1, 1)
    assert not Assignment.objects.exists()
    html = client.get(reverse("contacts:import_job", args=[job.pk])).content.decode()
    assert "第 4 行" in html and "没有对应的家庭档案" in html and "确认导入 1 户" in html
    assert "第一联系人:(无) → 王建华" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contacts:import_commit", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "committed" and job.committed_rows == 1
    assert Assignment.objects.filter(family=family, end_date__isnull=True).count() == 2
    # Nothing more to write: the same file again is checked as unchanged and cannot be committed.
    _upload(client, django_capture_on_commit_callbacks, data)
    again = ImportJob.objects.filter(kind="contacts").latest("pk")
    assert "需变更 0 户" in again.message
    html = client.get(reverse("contacts:import_job", args=[again.pk])).content.decode()
    assert "确认导入" not in html


def test_the_error_workbook_lists_bad_rows_with_their_reasons(family, stranger, county_officer,
                                                             django_capture_on_commit_callbacks):
    client = login(county_officer)
    _upload(client, django_capture_on_commit_callbacks, roster([row(1, stranger)]))
    job = ImportJob.objects.get(kind="contacts")
    response = client.get(reverse("contacts:import_errors", args=[job.pk]))
    assert response.status_code == 200
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[0][-2:] == ["行号", "错误原因"] and rows[0][3] == "身份证号"
    assert rows[1][3] == stranger and rows[1][-2] == 3 and "没有对应的家庭档案" in rows[1][-1]


def test_an_unreadable_file_fails_the_job_with_the_reason(regions, county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    _upload(client, django_capture_on_commit_callbacks, b"not a spreadsheet at all", "名册.xlsx")
    job = ImportJob.objects.get(kind="contacts")
    assert job.state == "failed" and "不是有效的 Excel" in job.message
    assert "文件无法读取" in client.get(reverse("contacts:import_job", args=[job.pk])).content.decode()


def test_the_progress_fragment_reloads_the_page_when_done(family, county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    _upload(client, django_capture_on_commit_callbacks, roster([row(1, family.members.get(role="father").id_number)]))
    job = ImportJob.objects.get(kind="contacts")
    response = client.get(reverse("contacts:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_another_users_job_is_404(family, county_officer, township_officer, django_capture_on_commit_callbacks):
    _upload(login(county_officer), django_capture_on_commit_callbacks,
            roster([row(1, family.members.get(role="father").id_number)]))
    job = ImportJob.objects.get(kind="contacts")
    client = login(township_officer)
    for name in ("contacts:import_job", "contacts:import_progress", "contacts:import_errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("contacts:import_commit", args=[job.pk])).status_code == 404
    assert not Assignment.objects.exists()


def test_a_family_import_job_is_not_a_roster_job(regions, county_officer):
    job = ImportJob.objects.create(created_by=county_officer, region_id="510104000000", filename="a.xlsx", data=b"x")
    assert login(county_officer).get(reverse("contacts:import_job", args=[job.pk])).status_code == 404


def test_a_village_contact_cannot_import(village_contact):
    client = login(village_contact)
    assert client.get(reverse("contacts:import")).status_code == 404
    assert client.post(reverse("contacts:import"), {"file": SimpleUploadedFile("a.xlsx", b"x")}).status_code == 404
    assert not ImportJob.objects.exists()


def test_the_template_downloads(county_officer):
    response = login(county_officer).get(reverse("contacts:import_template"))
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "身份证号" in header and "第一联系人电话" in header
