"""The error workbook gives back the user's own bad rows, every original column, with 行号 and 错误原因."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import ImportJob

from .import_files import HEADER, family_row, roster, upload


def test_the_error_workbook_has_the_original_columns_row_numbers_and_reasons(county_officer,
                                                                             django_capture_on_commit_callbacks):
    client = login(county_officer)
    bad_father = {"name": "孙强", "id_number": "110101196001010010"}
    dup = member_data("father", name="周明")
    rows = [family_row(1), family_row(2, head="孙强", father=bad_father), family_row(3, head="周明", father=dup),
            family_row(4, head="周明", father=dup)]
    upload(client, django_capture_on_commit_callbacks, roster(rows))
    job = ImportJob.objects.get()
    response = client.get(reverse("families:import_errors", args=[job.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == [*HEADER, "行号", "错误原因"]
    assert [r[-2] for r in table[1:]] == [4, 6]
    assert table[1][HEADER.index("父亲身份证号")] == "110101196001010010"
    assert table[1][-1] == "父亲:身份证号校验位错误"
    assert table[2][-1] == "父亲身份证号与第 5 行父亲的身份证号重复"
    assert AuditEvent.objects.filter(action="family.import_errors_downloaded", object_id=str(job.pk)).exists()


def test_the_job_page_lists_bad_rows_with_numbers_and_offers_the_download(county_officer,
                                                                        django_capture_on_commit_callbacks):
    client = login(county_officer)
    rows = [family_row(1), family_row(2, registered="2020年2月30日")]
    response = upload(client, django_capture_on_commit_callbacks, roster(rows))
    html = client.get(response["Location"]).content.decode()
    assert "第 4 行" in html and "纳入登记日期:日期不存在:2020年2月30日" in html
    assert reverse("families:import_errors", args=[ImportJob.objects.get().pk]) in html
    assert "确认导入 1 户(跳过 1 行错误)" in html


def test_a_clean_job_has_no_error_workbook(county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    upload(client, django_capture_on_commit_callbacks, roster([family_row(1)]))
    job = ImportJob.objects.get()
    response = client.get(reverse("families:import_errors", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("families:import_job", args=[job.pk])
