"""Import pages (dry run, progress, error workbook, commit)."""

from django.http import Http404


def import_page(request):
    raise Http404


def import_template(request):
    raise Http404


def import_job(request, job_id):
    raise Http404


def import_progress(request, job_id):
    raise Http404


def import_errors(request, job_id):
    raise Http404


def import_commit(request, job_id):
    raise Http404
