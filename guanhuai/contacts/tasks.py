"""Background jobs of the contacts app (huey). Each wraps one service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from guanhuai.families.import_jobs import job_check_run, job_commit_run


@db_task()
def roster_check_task(job_id: int) -> None:
    """The dry run of an uploaded contact roster; the job page polls its progress."""
    from .importing import JOB_KIND, roster_job_check

    job_check_run(job_id, kind=JOB_KIND, check=roster_job_check)


@db_task()
def roster_commit_task(job_id: int, user_id: int) -> None:
    """Write the checked rows of a roster the user confirmed."""
    from .importing import JOB_KIND, roster_job_commit

    job_commit_run(job_id, user_id, kind=JOB_KIND, commit=roster_job_commit)
