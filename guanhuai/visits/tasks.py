"""Background jobs of the visit import (huey). Each wraps one step of ``importing``."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from huey.contrib.djhuey import db_task

from guanhuai.families.models import ImportJob

from .selectors import IMPORT_KIND

logger = logging.getLogger(__name__)


def _job(job_id: int) -> ImportJob | None:
    return (ImportJob.objects.select_related("region", "created_by", "created_by__region")
            .filter(pk=job_id, kind=IMPORT_KIND).first())


@db_task()
def visit_import_check_task(job_id: int) -> None:
    """The dry run of an uploaded visit file; the job page polls its progress."""
    from .importing import import_check

    job = _job(job_id)
    if job is None:
        return
    try:
        import_check(job)
    except ValidationError as exc:
        ImportJob.objects.filter(pk=job_id).update(message="; ".join(exc.messages))
    except Exception:
        logger.exception("visit import check of job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.FAILED, progress=100, message="检查时发生内部错误,请重新上传;仍有问题请联系管理员")


@db_task()
def visit_import_commit_task(job_id: int, user_id: int | None) -> None:
    """Write the checked rows of a job the user confirmed."""
    from guanhuai.accounts.models import User

    from .importing import import_commit

    job = _job(job_id)
    if job is None:
        return
    user = User.objects.select_related("region").filter(pk=user_id).first() if user_id else None
    try:
        import_commit(job, user)
    except ValidationError as exc:
        ImportJob.objects.filter(pk=job_id, state=ImportJob.State.COMMITTING).update(
            state=ImportJob.State.CHECKED, message="未写入:" + "; ".join(exc.messages))
    except Exception:
        logger.exception("visit import commit of job %s failed", job_id)
