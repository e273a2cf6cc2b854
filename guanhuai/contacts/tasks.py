"""Background jobs of the contacts app (huey). Each wraps one service."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from huey.contrib.djhuey import db_task

from guanhuai.families.models import ImportJob

logger = logging.getLogger(__name__)


def _job(job_id: int) -> ImportJob | None:
    from .importing import JOB_KIND

    return (ImportJob.objects.select_related("region", "created_by", "created_by__region")
            .filter(pk=job_id, kind=JOB_KIND).first())


@db_task()
def roster_check_task(job_id: int) -> None:
    """The dry run of an uploaded contact roster; the job page polls its progress."""
    from .importing import roster_job_check

    job = _job(job_id)
    if job is None:
        return
    try:
        roster_job_check(job)
    except ValidationError as exc:
        ImportJob.objects.filter(pk=job_id).update(message="; ".join(exc.messages))
    except Exception:
        logger.exception("roster check of job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.FAILED, progress=100, message="检查时发生内部错误,请重新上传;仍有问题请联系管理员")


@db_task()
def roster_commit_task(job_id: int, user_id: int) -> None:
    """Write the checked rows of a roster the user confirmed."""
    from guanhuai.accounts.models import User

    from .importing import roster_job_commit

    job = _job(job_id)
    user = User.objects.select_related("region").filter(pk=user_id).first()
    if job is None or user is None:
        return
    try:
        roster_job_commit(job, user)
    except ValidationError as exc:
        # Refused before writing (e.g. the permission was withdrawn meanwhile): hand the job back.
        ImportJob.objects.filter(pk=job_id, state=ImportJob.State.COMMITTING).update(
            state=ImportJob.State.CHECKED, progress=100, message="未写入:" + "; ".join(exc.messages))
    except Exception:
        logger.exception("roster commit of job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id, state=ImportJob.State.COMMITTING).update(
            state=ImportJob.State.CHECKED, progress=100,
            message="写入失败,没有写入任何数据,请稍后重试或联系管理员")
