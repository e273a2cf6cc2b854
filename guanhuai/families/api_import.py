"""JSON API of the roster import: upload (multipart) → job; job status and report; commit.

The same services as the pages; a job is fetched only through
``import_job_get_for_user``, so another user's job is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from guanhuai.accounts.roles import has_perm
from guanhuai.regions.selectors import region_get_for_user

from .import_columns import template_xlsx
from .import_jobs import XLSX, api_errors_download, job_error_rows
from .importing import import_commit_request, import_job_create
from .models import ImportJob
from .selectors import import_job_get_for_user
from .views_import import KIND

router = Router(tags=["批量导入"])


class ImportRowOut(Schema):
    row: int
    errors: list[str]
    warnings: list[str]
    summary: str


class ImportJobOut(Schema):
    id: int
    filename: str
    region_code: str
    region_name: str
    state: str
    state_label: str
    progress: int
    total_rows: int
    valid_rows: int
    error_rows: int
    warning_rows: int
    committed_rows: int
    message: str
    created_at: dt.datetime
    checked_at: dt.datetime | None
    committed_at: dt.datetime | None
    report_count: int
    report: list[ImportRowOut]


class ReportQuery(Schema):
    offset: int = 0
    limit: int = 200
    errors_only: bool = False


def job_out(job: ImportJob, query: ReportQuery | None = None) -> ImportJobOut:
    query = query or ReportQuery()
    entries = job_error_rows(job) if query.errors_only else list(job.report or [])
    offset, limit = max(0, query.offset), max(0, min(1000, query.limit))
    return ImportJobOut(
        id=job.pk, filename=job.filename, region_code=job.region_id, region_name=job.region.name, state=job.state,
        state_label=job.get_state_display(), progress=job.progress, total_rows=job.total_rows,
        valid_rows=job.valid_rows, error_rows=job.error_rows, warning_rows=job.warning_rows,
        committed_rows=job.committed_rows, message=job.message, created_at=job.created_at,
        checked_at=job.checked_at, committed_at=job.committed_at, report_count=len(entries),
        report=[ImportRowOut(**e) for e in entries[offset:offset + limit]],
    )


def _require(user) -> None:
    if not has_perm(user, "family.import"):
        raise Http404


@router.get("/template.xlsx", summary="下载空白导入模板(xlsx)")
def download_template(request):
    _require(request.auth)
    response = HttpResponse(template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=family-import-template.xlsx"
    return response


@router.post("", response={201: ImportJobOut}, summary="上传花名册并开始检查(不写入档案)")
def upload(request, file: File[UploadedFile], region_code: Form[str] = ""):
    _require(request.auth)
    try:
        region = region_get_for_user(request.auth, region_code or request.auth.region_id)
    except Http404:
        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None
    job = import_job_create(acting_user=request.auth, region=region, filename=file.name or "upload.xlsx",
                            data=file.read())
    job.refresh_from_db()
    return Status(201, job_out(job))


@router.get("/{job_id}", response=ImportJobOut, summary="导入任务的状态、进度与检查报告(报告可分页)")
def get_job(request, job_id: int, query: Query[ReportQuery]):
    _require(request.auth)
    return job_out(import_job_get_for_user(request.auth, job_id), query)


@router.post("/{job_id}/commit", response={202: ImportJobOut}, summary="确认导入:写入全部有效行(一个事务)")
def commit(request, job_id: int):
    _require(request.auth)
    job = import_job_get_for_user(request.auth, job_id)
    job = import_commit_request(job=job, acting_user=request.auth)
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get("/{job_id}/errors.xlsx", summary="下载错误行(原始列 + 行号 + 错误原因)")
def download_errors(request, job_id: int):
    _require(request.auth)
    job = import_job_get_for_user(request.auth, job_id)
    return api_errors_download(KIND, job, acting_user=request.auth)
