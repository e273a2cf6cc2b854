"""Historical visit import pages: upload, dry-run report with progress, error workbook, commit.

The work is done by ``importing`` (through huey), the job pages are the shared
ones of ``families.import_jobs``, and a job is fetched only through
``visit_import_job_get_for_user`` (404 for anyone but the uploader).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from guanhuai.accounts.roles import has_perm
from guanhuai.families import import_jobs

from .forms import VisitImportForm
from .importing import (
    import_commit_request,
    import_error_workbook,
    import_job_create,
    template_xlsx,
)
from .selectors import visit_import_job_get_for_user, visit_import_jobs_for_user

KIND = import_jobs.ImportKind(
    namespace="visits",
    allowed=lambda user: has_perm(user, "visit.record") and has_perm(user, "family.import"),
    job_get=visit_import_job_get_for_user, error_workbook=import_error_workbook,
    commit_request=import_commit_request, template_xlsx=template_xlsx, template_filename="历史走访记录导入模板.xlsx",
    errors_filename="走访导入错误行", errors_audit_action="visit.import_errors_downloaded",
    job_template="visits/import_job.html",
    context=lambda job, user: {"active_nav": "visits", **import_jobs.warnings_context(job, user)},
)


@login_required
def import_page(request):
    KIND.require(request.user)
    form = VisitImportForm(request.user, request.POST or None, request.FILES or None)
    job = import_jobs.region_upload_job_create(request, form, import_job_create)
    if job is not None:
        return redirect("visits:import_job", job.pk)
    return render(request, "visits/import.html", {
        "form": form, "jobs": visit_import_jobs_for_user(request.user)[:10], "active_nav": "visits",
    })


import_template = import_jobs.bind(import_jobs.template_download, KIND)
import_job = import_jobs.bind(import_jobs.job_page, KIND)
import_progress = import_jobs.bind(import_jobs.progress_fragment, KIND)
import_errors = import_jobs.bind(import_jobs.errors_download, KIND)
import_commit = import_jobs.bind(import_jobs.commit, KIND)
