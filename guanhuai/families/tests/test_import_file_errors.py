"""A file that cannot be read at all fails the job with the reason in Chinese, and writes nothing."""

import io
import random

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from conftest import login
from guanhuai.families.models import Family, ImportJob

from .import_files import HEADER, docx_bytes, family_row, roster, upload, xlsx


def _encrypted(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("mima1234", out)
    return out.getvalue()


CASES = {
    "empty": ("空.xlsx", lambda: b"", "文件为空"),
    "blank_workbook": ("空表.xlsx", lambda: xlsx([]), "找不到表头行"),
    "header_only": ("只有表头.xlsx", lambda: roster([]), "文件中没有数据行"),
    "docx_renamed": ("花名册.xlsx", docx_bytes, "不是有效的 Excel(.xlsx)文件"),
    "random_5mb": ("花名册.xlsx", lambda: random.Random(7).randbytes(5 * 1024 * 1024), "不是有效的 Excel(.xlsx)文件"),
    "encrypted": ("加密.xlsx", lambda: _encrypted(roster([family_row(1)])), "文件设有打开密码"),
    "missing_date_column": ("缺列.xlsx", lambda: xlsx([[h for h in HEADER if h != "纳入登记日期"]]),
                            "缺少必需的列:纳入登记日期"),
    "missing_village_column": ("缺村.xlsx", lambda: roster([family_row(1)[:1] + family_row(1)[2:]],
                                                          header=HEADER[:1] + HEADER[2:]),
                               "缺少必需的列:村(居)"),
    "unsupported_type": ("花名册.pdf", lambda: b"%PDF-1.4 not a sheet", "只支持 .xlsx 或 .csv 文件"),
}


@pytest.mark.parametrize("case", CASES)
def test_an_unreadable_file_fails_the_job_with_a_chinese_reason(case, county_officer,
                                                               django_capture_on_commit_callbacks):
    name, make, reason = CASES[case]
    client = login(county_officer)
    response = upload(client, django_capture_on_commit_callbacks, make(), name=name)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.state == ImportJob.State.FAILED and reason in job.message, job.message
    assert job.total_rows == 0 and job.report == []
    page = client.get(response["Location"]).content.decode()
    assert "文件无法读取" in page and reason in page
    assert "确认导入" not in page
    assert not Family.objects.exists()


def test_a_failed_job_cannot_be_committed(county_officer, django_capture_on_commit_callbacks):
    from django.urls import reverse

    client = login(county_officer)
    upload(client, django_capture_on_commit_callbacks, docx_bytes())
    job = ImportJob.objects.get()
    response = client.post(reverse("families:import_commit", args=[job.pk]), follow=True)
    assert "检查完成且至少有一行有效数据后才能确认导入" in response.content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and not Family.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_any_job_exists(county_officer, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(login(county_officer), django_capture_on_commit_callbacks, b"x" * 2048, name="大.csv")
    assert response.status_code == 200 and "文件超过" in response.content.decode()
    assert not ImportJob.objects.exists()
