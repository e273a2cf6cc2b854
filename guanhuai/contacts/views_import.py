"""Roster (名册) import pages: upload, dry-run report with progress, error workbook, commit.

The work is done by ``importing`` through huey, the job pages are the shared
ones of ``families.import_jobs``, and a job is fetched only through
``roster_job_get_for_user`` (404 for anyone but the uploader).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from guanhuai.accounts.roles import has_perm
from guanhuai.families import import_jobs
from guanhuai.families.models import ImportJob

from .forms import RosterUploadForm
from .importing import (
    roster_error_workbook,
    roster_job_can_commit,
    roster_job_commit_request,
    roster_job_create,
    roster_template,
)
from .selectors import roster_job_get_for_user, roster_jobs_for_user


def _pages(user) -> dict:
    """What every roster page passes to the contacts tabs."""
    return {"active_nav": "contacts", "tab": "import", "can_manage": True, "can_edit": has_perm(user, "family.edit")}


def _job_context(job: ImportJob, user) -> dict:
    # Unlike the other imports, a valid roster row may change nothing: the page lists the changes.
    others = [e for e in job.report or [] if not e.get("errors")]
    return {**_pages(user), **import_jobs.preview("others", others),
            "changes": sum(1 for e in others if e.get("changes")), "can_commit": roster_job_can_commit(job)}


KIND = import_jobs.ImportKind(
    namespace="contacts", allowed=lambda user: has_perm(user, "contacts.manage"),
    job_get=roster_job_get_for_user, error_workbook=roster_error_workbook,
    commit_request=roster_job_commit_request, template_xlsx=roster_template,
    template_filename="双岗联系人名册导入模板.xlsx",
    errors_filename="名册导入错误行", errors_audit_action="contacts.roster_errors_downloaded",
    job_template="contacts/import_job.html",
    context=_job_context,
)


@login_required
def import_page(request):
    KIND.require(request.user)
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
        "form": form, "jobs": roster_jobs_for_user(request.user)[:10], **_pages(request.user),
    })


import_template = import_jobs.bind(import_jobs.template_download, KIND)
import_job = import_jobs.bind(import_jobs.job_page, KIND)
import_progress = import_jobs.bind(import_jobs.progress_fragment, KIND)
import_errors = import_jobs.bind(import_jobs.errors_download, KIND)
import_commit = import_jobs.bind(import_jobs.commit, KIND)
