"""Roster (名册) import pages: upload, dry-run report with progress, error workbook, commit.

The work is done by ``importing`` through huey; a job is fetched only through
``roster_job_get_for_user`` (404 for anyone but the uploader).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.families.models import ImportJob

from .forms import RosterUploadForm
from .importing import (
    REPORT_PREVIEW,
    roster_error_rows,
    roster_error_workbook,
    roster_job_can_commit,
    roster_job_commit_request,
    roster_job_create,
    roster_template,
)
from .selectors import roster_job_get_for_user, roster_jobs_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = {ImportJob.State.UPLOADED, ImportJob.State.CHECKING, ImportJob.State.COMMITTING}


def _require(user) -> None:
    if not has_perm(user, "contacts.manage"):
        raise Http404


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def import_page(request):
    _require(request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = roster_job_create(acting_user=request.user, filename=upload.name, data=upload.read())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("contacts:import_job", job.pk)
    return render(request, "contacts/import.html", {
        "form": form, "jobs": roster_jobs_for_user(request.user)[:10], "active_nav": "contacts", "tab": "import",
        "can_manage": True, "can_edit": has_perm(request.user, "family.edit"),
    })


@login_required
def import_template(request):
    _require(request.user)
    return _xlsx(roster_template(), "双岗联系人名册导入模板.xlsx")


def _job_context(job: ImportJob, user) -> dict:
    report = job.report or []
    errors = roster_error_rows(job)
    others = [e for e in report if not e.get("errors")]
    return {
        "job": job, "running": job.state in RUNNING, "active_nav": "contacts", "tab": "import", "can_manage": True,
        "can_edit": has_perm(user, "family.edit"),
        "errors": errors[:REPORT_PREVIEW], "errors_more": max(0, len(errors) - REPORT_PREVIEW),
        "others": others[:REPORT_PREVIEW], "others_more": max(0, len(others) - REPORT_PREVIEW),
        "changes": sum(1 for e in others if e.get("changes")),
        "can_commit": roster_job_can_commit(job),
    }


@login_required
def import_job(request, job_id):
    _require(request.user)
    job = roster_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "contacts/import_job.html", _job_context(job, request.user))


@login_required
def import_progress(request, job_id):
    """The htmx-polled progress bar; once the job is done the page reloads to show the report."""
    _require(request.user)
    job = roster_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = render(request, "contacts/import_progress.html", _job_context(job, request.user))
    if job.state not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_errors(request, job_id):
    """The bad rows as the user wrote them, plus 行号 and 错误原因 (unmasked: it is their own file)."""
    _require(request.user)
    job = roster_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    bad = roster_error_rows(job)
    if not bad:
        messages.info(request, "没有错误行,无需下载")
        return redirect("contacts:import_job", job.pk)
    content = roster_error_workbook(job)
    audit_record(actor=request.user, action="contacts.roster_errors_downloaded", obj=job, region_code=job.region_id,
                 changes={"file": job.filename, "rows": len(bad)})
    return _xlsx(content, f"名册导入错误行-{job.pk}.xlsx")


@login_required
def import_commit(request, job_id):
    _require(request.user)
    job = roster_job_get_for_user(request.user, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        roster_job_commit_request(job=job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    return redirect("contacts:import_job", job.pk)
