"""The machinery every spreadsheet import shares: job pages, background runners, command output.

Families, contact rosters and historical visits are imported the same way: an
upload becomes an ``ImportJob`` (of its own ``kind``), huey checks it with a
progress bar, the user reads the report, downloads the bad rows and confirms
the commit. Only the file's columns, the row rules and the writing differ; an
``ImportKind`` names those parts of one import and the functions here do the
rest once. ``families`` owns ``ImportJob``, so this lives here and the other
apps (which already depend on families) import it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from guanhuai.audit.services import audit_record
from guanhuai.lib.crypto import default_cipher

from .models import ImportJob

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = {ImportJob.State.UPLOADED, ImportJob.State.CHECKING, ImportJob.State.COMMITTING}
REPORT_PREVIEW = 200
PROGRESS_TEMPLATE = "families/_import_progress.html"
CHECK_CRASHED = "检查时发生内部错误,请重新上传;仍有问题请联系管理员"
COMMIT_CRASHED = "写入失败,没有写入任何数据,请稍后重试或联系管理员"


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import brings to the shared job pages."""

    namespace: str  # URL namespace holding import, import_template, import_job, … import_commit
    allowed: Callable[[Any], bool]  # may this user use the import pages at all
    job_get: Callable[[Any, Any], ImportJob]  # the access function: 404 unless it is the user's job
    error_workbook: Callable[[ImportJob], bytes]
    commit_request: Callable[..., ImportJob]  # (job=, acting_user=) → queues the commit
    template_xlsx: Callable[[], bytes]
    template_filename: str
    errors_filename: str  # prefix of the error workbook's name; the job id follows
    errors_audit_action: str
    job_template: str  # extends families/import_job_base.html
    context: Callable[[ImportJob, Any], dict[str, Any]]  # the kind's own part of the job page

    def require(self, user) -> None:
        if not self.allowed(user):
            raise Http404


def job_file_set(job: ImportJob, data: bytes) -> None:
    """Keep the upload encrypted at rest, like every other ID number."""
    job.data = default_cipher().encrypt(base64.b64encode(data).decode("ascii")).encode("ascii")


def job_file(job: ImportJob) -> bytes:
    raw = bytes(job.data or b"")
    if raw.startswith(b"v1$"):
        return base64.b64decode(default_cipher().decrypt(raw.decode("ascii")))
    return raw


def job_create(*, kind: str, acting_user, region, filename: str, data: bytes, audit_action: str,
               check_task: Callable[[int], Any], default_filename: str = "upload.xlsx") -> ImportJob:
    """Store an upload (encrypted) and queue its dry run once the transaction commits.

    The caller has already checked that ``acting_user`` may import into ``region``.
    """
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB 的上限,请拆分后导入"})
    filename = (filename or default_filename).replace("\\", "/").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        job = ImportJob(kind=kind, created_by=acting_user, region=region, filename=filename)
        job_file_set(job, data)
        job.save()
        audit_record(actor=acting_user, action=audit_action, obj=job, region_code=job.region_id,
                     changes={"file": filename, "bytes": len(data)})
        transaction.on_commit(lambda: check_task(job.pk))
    return job


def job_commit_claim(job: ImportJob, *, user_id: int | None, commit_task: Callable[[int, int | None], Any]) -> ImportJob:
    """Claim a checked job for writing and queue the write once the transaction commits.

    The claim is a conditional update, so a double click or two browser tabs
    start one write only. The caller has checked the user and that there is
    something to write.
    """
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.COMMITTING, progress=0, message="已确认,正在写入……")
        if not claimed:
            raise ValidationError("该导入任务已在写入或已写入")
        transaction.on_commit(lambda: commit_task(job.pk, user_id))
    job.refresh_from_db()
    return job


def job_commit_start(job: ImportJob) -> None:
    """Take a job into 'committing' for the write itself: claimed here when a command writes a
    checked job directly, already claimed by ``job_commit_claim`` when the worker does."""
    if job.state == ImportJob.State.CHECKED and job.valid_rows > 0:
        if job.pk and not ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
                state=ImportJob.State.COMMITTING):
            raise ValidationError("该导入任务已在写入或已写入")
    elif job.state != ImportJob.State.COMMITTING:
        raise ValidationError("检查完成且至少有一行有效数据后才能确认导入")
    job.state = ImportJob.State.COMMITTING


def job_error_rows(job: ImportJob) -> list[dict[str, Any]]:
    return [entry for entry in job.report or [] if entry.get("errors")]


def preview(name: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The first rows of a report list for a page, and how many were left out."""
    return {name: entries[:REPORT_PREVIEW], f"{name}_more": max(0, len(entries) - REPORT_PREVIEW)}


def warnings_context(job: ImportJob, user) -> dict[str, Any]:
    """The job page's rest for imports whose other rows carry only warnings (families, visits)."""
    return {**preview("warnings", [e for e in job.report or [] if not e.get("errors")]),
            "can_commit": job.state == ImportJob.State.CHECKED and job.valid_rows > 0}


def job_context(kind: ImportKind, job: ImportJob, user) -> dict[str, Any]:
    urls = {name: reverse(f"{kind.namespace}:import_{name}", args=[job.pk])
            for name in ("job", "progress", "errors", "commit")}
    urls["upload"] = reverse(f"{kind.namespace}:import")
    urls["template"] = reverse(f"{kind.namespace}:import_template")
    return {"job": job, "running": job.state in RUNNING, "urls": urls,
            **preview("errors", job_error_rows(job)), **kind.context(job, user)}


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def job_errors_export(kind: ImportKind, job: ImportJob, *, acting_user) -> bytes | None:
    """The error workbook of a job (None when it has no bad rows); the download is audited."""
    bad = job_error_rows(job)
    if not bad:
        return None
    content = kind.error_workbook(job)
    audit_record(actor=acting_user, action=kind.errors_audit_action, obj=job, region_code=job.region_id,
                 changes={"file": job.filename, "rows": len(bad)})
    return content


def api_errors_download(kind: ImportKind, job: ImportJob, *, acting_user) -> HttpResponse:
    """The JSON API's error-workbook download (a 400 in the API's error shape when there are no bad rows)."""
    content = job_errors_export(kind, job, acting_user=acting_user)
    if content is None:
        raise ValidationError("没有错误行")
    return xlsx_response(content, f"{kind.errors_filename}-{job.pk}.xlsx")


# --- pages ---------------------------------------------------------------------------------------

def bind(view: Callable[..., HttpResponse], kind: ImportKind) -> Callable[..., HttpResponse]:
    """``view`` as a page of ``kind``: login required, 404 without the kind's permission."""

    @login_required
    @wraps(view)
    def page(request, *args, **kwargs):
        kind.require(request.user)
        return view(request, *args, kind=kind, **kwargs)

    return page


def template_download(request, *, kind: ImportKind):
    return xlsx_response(kind.template_xlsx(), kind.template_filename)


def job_page(request, job_id, *, kind: ImportKind):
    job = kind.job_get(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, kind.job_template, job_context(kind, job, request.user))


def progress_fragment(request, job_id, *, kind: ImportKind):
    """The htmx-polled progress bar; once the job is done the page reloads to show the report."""
    job = kind.job_get(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = render(request, PROGRESS_TEMPLATE, job_context(kind, job, request.user))
    if job.state not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def errors_download(request, job_id, *, kind: ImportKind):
    """The bad rows as the user wrote them, plus 行号 and 错误原因 (unmasked: it is their own file)."""
    job = kind.job_get(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    content = job_errors_export(kind, job, acting_user=request.user)
    if content is None:
        messages.info(request, "没有错误行,无需下载")
        return redirect(f"{kind.namespace}:import_job", job.pk)
    return xlsx_response(content, f"{kind.errors_filename}-{job.pk}.xlsx")


def commit(request, job_id, *, kind: ImportKind):
    job = kind.job_get(request.user, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        kind.commit_request(job=job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    return redirect(f"{kind.namespace}:import_job", job.pk)


# --- background runners (the huey tasks of each app call these) ------------------------------------

def _job(job_id: int, kind: str) -> ImportJob | None:
    return (ImportJob.objects.select_related("region", "created_by", "created_by__region")
            .filter(pk=job_id, kind=kind).first())


def job_check_run(job_id: int, *, kind: str, check: Callable[[ImportJob], Any]) -> None:
    """Run the dry run of a job; a crash fails the job with a message instead of leaving it 'checking'."""
    job = _job(job_id, kind)
    if job is None:
        return
    try:
        check(job)
    except ValidationError as exc:
        ImportJob.objects.filter(pk=job_id).update(message="; ".join(exc.messages))
    except Exception:
        logger.exception("%s import check of job %s failed", kind, job_id)
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED, progress=100, message=CHECK_CRASHED)


def job_commit_run(job_id: int, user_id: int | None, *, kind: str, commit: Callable[[ImportJob, Any], Any]) -> None:
    """Write a confirmed job; if it is refused or crashes, the job goes back to 'checked' with the reason."""
    from guanhuai.accounts.models import User

    job = _job(job_id, kind)
    if job is None:
        return
    user = User.objects.select_related("region").filter(pk=user_id).first() if user_id else None
    handed_back = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.COMMITTING)
    try:
        commit(job, user)
    except ValidationError as exc:
        # Refused before writing (e.g. the permission was withdrawn meanwhile).
        handed_back.update(state=ImportJob.State.CHECKED, progress=100, message="未写入:" + "; ".join(exc.messages))
    except Exception:
        logger.exception("%s import commit of job %s failed", kind, job_id)
        handed_back.update(state=ImportJob.State.CHECKED, progress=100, message=COMMIT_CRASHED)


# --- management commands ---------------------------------------------------------------------------

def command_row_messages(stdout, row: int, errors: list[str], warnings: list[str]) -> None:
    for message in errors:
        stdout.write(f"第 {row} 行 错误:{message}")
    for message in warnings:
        stdout.write(f"第 {row} 行 提示:{message}")


def command_progress(stderr) -> Callable[[int, str], None]:
    """A progress callback printing each new percentage once."""
    last = {"value": -1}

    def report(value: int, note: str) -> None:
        if value != last["value"]:
            last["value"] = value
            stderr.write(f"  {value:3d}% {note}")

    return report


def command_job_run(command, job: ImportJob, *, acting_user, write: bool,
                    check: Callable[..., Any], commit: Callable[..., Any]) -> None:
    """Check an unsaved job from the command line, print its report, and write it when asked."""
    from django.core.management.base import CommandError

    progress = command_progress(command.stderr)
    check(job, on_progress=progress)
    if job.state == ImportJob.State.FAILED:
        raise CommandError(f"无法读取文件:{job.message}")
    for entry in job.report:
        command_row_messages(command.stdout, entry["row"], entry["errors"], entry["warnings"])
    command.stdout.write(job.message)
    if not write:
        command.stdout.write(command.style.WARNING("这是检查(未写入)。确认无误后加 --commit 写入有效行。"))
        return
    if job.valid_rows == 0:
        raise CommandError("没有可写入的有效行,未写入任何数据")
    checked_bad = {entry["row"] for entry in job.report if entry["errors"]}
    try:
        commit(job, acting_user, on_progress=progress)
    except ValidationError as exc:
        raise CommandError("; ".join(exc.messages)) from None
    for entry in job.report:
        if entry["errors"] and entry["row"] not in checked_bad:  # became a duplicate since the check
            command.stdout.write(f"第 {entry['row']} 行 写入时发现重复,未写入:{';'.join(entry['errors'])}")
    command.stdout.write(command.style.SUCCESS(job.message))


def region_upload_job_create(request, form, create: Callable[..., ImportJob]) -> ImportJob | None:
    """The job of a posted upload form with a ``region`` field, or None with the reasons on the form."""
    from guanhuai.lib.formerrors import add_service_errors
    from guanhuai.regions.selectors import region_get_for_user

    if request.method != "POST" or not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        region = region_get_for_user(request.user, form.cleaned_data["region"])
        return create(acting_user=request.user, region=region, filename=upload.name, data=upload.read())
    except Http404:
        form.add_error("region", "所选范围不在您的管辖范围内")
    except ValidationError as exc:
        add_service_errors(form, exc)
    return None
