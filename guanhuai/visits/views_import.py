"""Historical visit import pages: upload, dry-run report with progress, error workbook, commit.

The work is done by ``importing`` (through huey); a job is fetched only
through ``visit_import_job_get_for_user`` (404 for anyone but the uploader).
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
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.selectors import region_get_for_user

from .forms import VisitImportForm
from .importing import (
    REPORT_PREVIEW,
    import_commit_request,
    import_error_rows,
    import_error_workbook,
    import_job_create,
    template_xlsx,
)
from .selectors import visit_import_job_get_for_user, visit_import_jobs_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = {ImportJob.State.UPLOADED, ImportJob.State.CHECKING, ImportJob.State.COMMITTING}


def _require(user) -> None:
    if not (has_perm(user, "visit.record") and has_perm(user, "family.import")):
        raise Http404


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def import_page(request):
    _require(request.user)
    form = VisitImportForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            region = region_get_for_user(request.user, form.cleaned_data["region"])
            job = import_job_create(acting_user=request.user, region=region, filename=upload.name,
                                    data=upload.read())
        except Http404:
            form.add_error("region", "所选范围不在您的管辖范围内")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("visits:import_job", job.pk)
    return render(request, "visits/import.html", {
        "form": form, "jobs": visit_import_jobs_for_user(request.user)[:10], "active_nav": "visits",
    })


@login_required
def import_template(request):
    _require(request.user)
    return _xlsx(template_xlsx(), "历史走访记录导入模板.xlsx")


def _job_context(job: ImportJob) -> dict:
    errors = import_error_rows(job)
    warnings = [e for e in job.report or [] if not e.get("errors")]
    return {
        "job": job, "running": job.state in RUNNING, "active_nav": "visits",
        "errors": errors[:REPORT_PREVIEW], "errors_more": max(0, len(errors) - REPORT_PREVIEW),
        "warnings": warnings[:REPORT_PREVIEW], "warnings_more": max(0, len(warnings) - REPORT_PREVIEW),
        "can_commit": job.state == ImportJob.State.CHECKED and job.valid_rows > 0,
    }


@login_required
def import_job(request, job_id):
    _require(request.user)
    job = visit_import_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "visits/import_job.html", _job_context(job))


@login_required
def import_progress(request, job_id):
    """The htmx-polled progress bar; once the job is done the page reloads to show the report."""
    _require(request.user)
    job = visit_import_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = render(request, "visits/import_progress.html", _job_context(job))
    if job.state not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_errors(request, job_id):
    """The bad rows as the user wrote them, plus 行号 and 错误原因 (unmasked: it is their own file)."""
    _require(request.user)
    job = visit_import_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    bad = import_error_rows(job)
    if not bad:
        messages.info(request, "没有错误行,无需下载")
        return redirect("visits:import_job", job.pk)
    content = import_error_workbook(job)
    audit_record(actor=request.user, action="visit.import_errors_downloaded", obj=job, region_code=job.region_id,
                 changes={"file": job.filename, "rows": len(bad)})
    return _xlsx(content, f"走访导入错误行-{job.pk}.xlsx")


@login_required
def import_commit(request, job_id):
    _require(request.user)
    job = visit_import_job_get_for_user(request.user, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        import_commit_request(job=job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    return redirect("visits:import_job", job.pk)
