"""Import pages: upload, dry-run report with a progress bar, error workbook, commit.

Thin, like every page: the work is done by ``importing`` (through huey), and a
job is fetched only through ``import_job_get_for_user`` (404 for anyone but
the uploader).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.selectors import region_get_for_user

from .forms_import import ImportForm
from .import_columns import template_xlsx
from .importing import (
    REPORT_PREVIEW,
    import_commit_request,
    import_error_rows,
    import_error_workbook,
    import_job_create,
)
from .models import ImportJob
from .selectors import import_job_get_for_user, import_jobs_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = {ImportJob.State.UPLOADED, ImportJob.State.CHECKING, ImportJob.State.COMMITTING}


def _require(user) -> None:
    if not has_perm(user, "family.import"):
        raise Http404


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def import_page(request):
    _require(request.user)
    form = ImportForm(request.user, request.POST or None, request.FILES or None)
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
            return redirect("families:import_job", job.pk)
    return render(request, "families/import.html", {
        "form": form, "jobs": import_jobs_for_user(request.user)[:10], "active_nav": "import",
    })


@login_required
def import_template(request):
    _require(request.user)
    return _xlsx(template_xlsx(), "特殊家庭花名册导入模板.xlsx")


def _job_context(job: ImportJob) -> dict:
    errors = import_error_rows(job)
    warnings = [e for e in job.report or [] if not e.get("errors")]
    return {
        "job": job, "running": job.state in RUNNING, "active_nav": "import",
        "errors": errors[:REPORT_PREVIEW], "errors_more": max(0, len(errors) - REPORT_PREVIEW),
        "warnings": warnings[:REPORT_PREVIEW], "warnings_more": max(0, len(warnings) - REPORT_PREVIEW),
        "can_commit": job.state == ImportJob.State.CHECKED and job.valid_rows > 0,
    }


@login_required
def import_job(request, job_id):
    _require(request.user)
    job = import_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "families/import_job.html", _job_context(job))


@login_required
def import_progress(request, job_id):
    """The htmx-polled progress bar; once the job is done the page reloads to show the report."""
    _require(request.user)
    job = import_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = render(request, "families/import_progress.html", _job_context(job))
    if job.state not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_errors(request, job_id):
    """The bad rows as the user wrote them, plus 行号 and 错误原因 (unmasked: it is their own file)."""
    _require(request.user)
    job = import_job_get_for_user(request.user, job_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    bad = import_error_rows(job)
    if not bad:
        messages.info(request, "没有错误行,无需下载")
        return redirect("families:import_job", job.pk)
    content = import_error_workbook(job)
    audit_record(actor=request.user, action="family.import_errors_downloaded", obj=job, region_code=job.region_id,
                 changes={"file": job.filename, "rows": len(bad)})
    return _xlsx(content, f"导入错误行-{job.pk}.xlsx")


@login_required
def import_commit(request, job_id):
    _require(request.user)
    job = import_job_get_for_user(request.user, job_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        import_commit_request(job=job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    return redirect(reverse("families:import_job", args=[job.pk]))
