"""Periodic jobs (huey): the daily state refresh and reminders."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .reminders import reminders_send


@db_periodic_task(crontab(hour="6", minute="0"))
def daily_reminders() -> int:
    return reminders_send()
