"""Import pages: upload, dry-run report with a progress bar, error workbook, commit.

Thin, like every page: the work is done by ``importing`` (through huey), the
job pages are the shared ones of ``import_jobs``, and a job is fetched only
through ``import_job_get_for_user`` (404 for anyone but the uploader).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from guanhuai.accounts.roles import has_perm

from . import import_jobs
from .forms_import import ImportForm
from .import_columns import template_xlsx
from .importing import import_commit_request, import_error_workbook, import_job_create
from .selectors import import_job_get_for_user, import_jobs_for_user

KIND = import_jobs.ImportKind(
    namespace="families", allowed=lambda user: has_perm(user, "family.import"),
    job_get=import_job_get_for_user, error_workbook=import_error_workbook,
    commit_request=import_commit_request, template_xlsx=template_xlsx, template_filename="特殊家庭花名册导入模板.xlsx",
    errors_filename="导入错误行", errors_audit_action="family.import_errors_downloaded",
    job_template="families/import_job.html",
    context=lambda job, user: {"active_nav": "import", "queue_hint": True, **import_jobs.warnings_context(job, user)},
)


@login_required
def import_page(request):
    KIND.require(request.user)
    form = ImportForm(request.user, request.POST or None, request.FILES or None)
    job = import_jobs.region_upload_job_create(request, form, import_job_create)
    if job is not None:
        return redirect("families:import_job", job.pk)
    return render(request, "families/import.html", {
        "form": form, "jobs": import_jobs_for_user(request.user)[:10], "active_nav": "import",
    })


import_template = import_jobs.bind(import_jobs.template_download, KIND)
import_job = import_jobs.bind(import_jobs.job_page, KIND)
import_progress = import_jobs.bind(import_jobs.progress_fragment, KIND)
import_errors = import_jobs.bind(import_jobs.errors_download, KIND)
import_commit = import_jobs.bind(import_jobs.commit, KIND)
