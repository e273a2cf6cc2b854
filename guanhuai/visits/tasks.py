"""Background jobs of the visit import (huey). Each wraps one step of ``importing``."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from guanhuai.families.import_jobs import job_check_run, job_commit_run

from .selectors import IMPORT_KIND


@db_task()
def visit_import_check_task(job_id: int) -> None:
    """The dry run of an uploaded visit file; the job page polls its progress."""
    from .importing import import_check

    job_check_run(job_id, kind=IMPORT_KIND, check=import_check)


@db_task()
def visit_import_commit_task(job_id: int, user_id: int | None) -> None:
    """Write the checked rows of a job the user confirmed."""
    from .importing import import_commit

    job_commit_run(job_id, user_id, kind=IMPORT_KIND, commit=import_commit)
