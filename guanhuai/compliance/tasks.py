"""Background jobs (huey): the nightly state refresh, the morning reminders, and recomputing the
families a policy-profile change reaches."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .reminders import reminders_send
from .state import refresh_stale


@db_periodic_task(crontab(hour="0", minute="10"))
def nightly_refresh() -> int:
    """Periods roll over at midnight: recompute every family whose rows expired."""
    return refresh_stale()


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_reminders() -> int:
    return reminders_send()


@db_task()
def profile_change_refresh_task(profile_id: int | None = None, region_code: str | None = None) -> int:
    """Queued on commit by ``services.profile_version_create`` / ``region_profile_set``."""
    from .services import profile_change_refresh

    return profile_change_refresh(profile_id=profile_id, region_code=region_code)
