"""The blank template: a title row, every column, one 示例 row that passes the checks and is skipped."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from guanhuai.families.import_columns import SYNONYMS, TEMPLATE
from guanhuai.families.models import Family, ImportJob
from guanhuai.lib.excel import normalise_header
from guanhuai.lib.idnumber import check_id_number

from .import_files import confirm, family_row, upload


def _template(client) -> bytes:
    response = client.get(reverse("families:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def test_the_template_has_a_title_all_columns_a_valid_example_and_text_id_columns(county_officer):
    sheet = load_workbook(io.BytesIO(_template(login(county_officer))))["花名册"]
    title, header, example = ([c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=3))
    assert "计划生育特殊家庭花名册" in title[0]
    assert [h.rstrip("*") for h in header] == [h for h, _, _, _ in TEMPLATE]
    assert header[header.index("户主姓名*")] and "村(居)*" in header
    assert example[0] == "示例"
    ids = [example[header.index(h)] for h in ("父亲身份证号", "母亲身份证号", "子女身份证号")]
    assert all(check_id_number(number).ok for number in ids)
    column = sheet.cell(row=3, column=header.index("父亲身份证号") + 1)
    assert column.number_format == "@" and isinstance(column.value, str)


def test_the_filled_in_template_imports_and_its_example_row_is_skipped(county_officer,
                                                                         django_capture_on_commit_callbacks):
    client = login(county_officer)
    workbook = load_workbook(io.BytesIO(_template(client)))
    sheet = workbook["花名册"]
    header = [c.value.rstrip("*") for c in sheet[2]]
    row = dict(zip(["序号", "村(居)", "户主姓名", "家庭类别", "伤残等级", "光荣证号", "纳入登记日期",
                    "父亲姓名", "父亲身份证号", "母亲姓名", "母亲身份证号", "子女姓名", "子女身份证号", "子女死亡日期",
                    "联系电话", "住址"], family_row(1), strict=True))
    sheet.append([row.get(h, "") for h in header])
    out = io.BytesIO()
    workbook.save(out)
    upload(client, django_capture_on_commit_callbacks, out.getvalue())
    job = ImportJob.objects.get()
    assert job.total_rows == 1 and job.valid_rows == 1, job.report
    assert "已跳过示例或合计行 1 行" in job.message
    confirm(client, django_capture_on_commit_callbacks, job)
    assert Family.objects.get().head_name == "张建国"


def test_the_unchanged_template_is_a_file_without_data(county_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    upload(client, django_capture_on_commit_callbacks, _template(client))
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.FAILED and "只有示例行" in job.message


def test_no_two_fields_share_a_header_synonym():
    seen = {}
    for key, names in SYNONYMS.items():
        for name in names:
            folded = normalise_header(name)
            assert seen.setdefault(folded, key) == key, (name, key, seen[folded])
