"""Daily reminders: obligations due within 2 working days, and overdue ones.

Each contact person with a user account gets one inbox notification a day
(deduplicated, so a second run the same day sends nothing), plus e-mail and,
when ``REMINDER_SMS`` is on and an SMS webhook is configured, an SMS.
An open major event not yet answered by a visit, due within 2 working days
or overdue, gets its own daily notice to the family's contacts, the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from guanhuai.contacts.models import Assignment, ContactPerson
from guanhuai.inbox.services import notify
from guanhuai.visits.models import MajorEvent
from guanhuai.workdays.calendar import add_working_days

from .engine import OPEN, OVERDUE
from .models import ObligationState
from .state import refresh_stale

REMINDER_SOON_WORKING_DAYS = 2


def reminders_send(*, day: dt.date | None = None) -> int:
    """Refresh expired state, then notify every contact with overdue or soon-due families, and with open
    major events nearing or past their response deadline. Returns notices sent."""
    day = day or timezone.localdate()
    refresh_stale(day=day)
    return _periodic_reminders_send(day) + _event_reminders_send(day)


def _periodic_reminders_send(day: dt.date) -> int:
    urgent = (ObligationState.objects.filter(valid_until__gte=day)
              .filter(Q(base_status=OVERDUE) | Q(base_status=OPEN, due_soon_from__lte=day))
              .values_list("family_id", "base_status"))
    status_by_family: dict[int, set[str]] = defaultdict(set)
    for family_id, status in urgent.iterator(chunk_size=10000):
        status_by_family[family_id].add(status)
    per_contact: dict[int, dict[str, int]] = defaultdict(lambda: {"overdue": 0, "due_soon": 0})
    assignments = (Assignment.objects.filter(end_date__isnull=True, family_id__in=list(status_by_family),
                                             contact__user__isnull=False, contact__is_active=True)
                   .values_list("contact_id", "family_id"))
    for contact_id, family_id in assignments.iterator(chunk_size=10000):
        statuses = status_by_family[family_id]
        per_contact[contact_id]["overdue" if OVERDUE in statuses else "due_soon"] += 1
    sent = 0
    contacts = ContactPerson.objects.filter(pk__in=list(per_contact)).select_related("user")
    for contact in contacts:
        counts = per_contact[contact.pk]
        parts = []
        if counts["overdue"]:
            parts.append(f"{counts['overdue']} 户已逾期")
        if counts["due_soon"]:
            parts.append(f"{counts['due_soon']} 户将在 2 个工作日内到期")
        with transaction.atomic():
            created = notify(users=[contact.user], kind="reminder", title=f"走访提醒:{'，'.join(parts)}",
                             body="请尽快联系或上门走访。点击查看“我联系的家庭”。", url="/compliance/mine/",
                             dedupe_key=f"reminder:{day.isoformat()}", email=True,
                             sms=getattr(settings, "REMINDER_SMS", False))
        sent += len(created)
    return sent


def _event_reminders_send(day: dt.date) -> int:
    """One notice per open, unanswered event due within 2 working days (or overdue) to each active contact of
    the family who has a user account; deduplicated per event and day like the periodic reminder."""
    soon = add_working_days(day, REMINDER_SOON_WORKING_DAYS).date
    events = list(MajorEvent.objects.filter(state=MajorEvent.State.OPEN, responded_on__isnull=True,
                                            event_date__lte=day, response_due__lte=soon)
                  .order_by("response_due", "id"))
    if not events:
        return 0
    users_by_family: dict[int, list] = defaultdict(list)
    for assignment in (Assignment.objects.filter(end_date__isnull=True, family_id__in={e.family_id for e in events},
                                                 contact__user__isnull=False, contact__is_active=True)
                       .select_related("contact__user")):
        users_by_family[assignment.family_id].append(assignment.contact.user)
    sent = 0
    for event in events:
        users = users_by_family.get(event.family_id)
        if not users:
            continue
        # Like the periodic reminder, the notice names no one and no illness: e-mail and SMS carry its title
        # (and e-mail its text) outside the system; the link opens the event for a logged-in contact.
        if event.response_due < day:
            title = f"重大事件逾期:您联系的一户家庭的上门期限 {event.response_due:%m月%d日} 已过,请尽快上门"
        else:
            title = f"重大事件提醒:您联系的一户家庭发生重大事件,请于 {event.response_due:%m月%d日} 前上门"
        with transaction.atomic():
            created = notify(users=users, kind="reminder", title=title,
                             body="详情请登录系统查看;上门后请在系统中记录走访。",
                             url=reverse("visits:event_detail", args=[event.pk]),
                             dedupe_key=f"reminder:event:{event.pk}:{day.isoformat()}", email=True,
                             sms=getattr(settings, "REMINDER_SMS", False))
        sent += len(created)
    return sent
