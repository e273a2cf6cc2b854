"""Background jobs of the archive (huey). Each wraps one service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .import_jobs import job_check_run, job_commit_run


@db_task()
def import_check_task(job_id: int) -> None:
    """The dry run of an uploaded roster; the job page polls its progress."""
    from .importing import import_check

    job_check_run(job_id, kind="families", check=import_check)


@db_task()
def import_commit_task(job_id: int, user_id: int | None) -> None:
    """Write the checked rows of a job the user confirmed."""
    from .importing import import_commit

    job_commit_run(job_id, user_id, kind="families", commit=import_commit)
