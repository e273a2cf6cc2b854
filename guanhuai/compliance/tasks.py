"""Periodic jobs (huey): the nightly state refresh and the morning reminders."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .reminders import reminders_send
from .state import refresh_stale


@db_periodic_task(crontab(hour="0", minute="10"))
def nightly_refresh() -> int:
    """Periods roll over at midnight: recompute every family whose rows expired."""
    return refresh_stale()


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_reminders() -> int:
    return reminders_send()
