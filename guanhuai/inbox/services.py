"""Sending notifications: always the inbox, then e-mail and SMS after commit.

SMS goes through an HTTP webhook (``SMS_WEBHOOK_URL``) that the deployment's
SMS gateway provides; without it, SMS is simply not sent.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


def notify(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = "",
           email: bool = False, sms: bool = False) -> list[Notification]:
    """Create inbox notifications (skipping duplicates); deliveries run after commit."""
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(user=user, kind=kind, title=title[:120], body=body, url=url,
                                                   dedupe_key=dedupe_key[:120])
        except IntegrityError:
            continue  # already notified under this key
        created.append(note)
    if created and (email or sms):
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _deliver_later(ids, email=email, sms=sms))
    return created


def _deliver_later(ids: list[int], *, email: bool, sms: bool) -> None:
    from .tasks import deliver_notifications

    deliver_notifications(ids, email=email, sms=sms)


def deliver(note: Notification, *, email: bool, sms: bool) -> None:
    user = note.user
    errors = []
    if email and user.email and note.emailed_at is None:
        try:
            send_mail(f"[关怀] {note.title}", f"{note.body}\n\n{note.url}", settings.DEFAULT_FROM_EMAIL, [user.email])
            note.emailed_at = timezone.now()
        except Exception as exc:  # delivery failures must not lose the inbox copy
            errors.append(f"邮件:{exc}"[:100])
    webhook = getattr(settings, "SMS_WEBHOOK_URL", "")
    if sms and webhook and user.phone and note.sms_sent_at is None:
        payload = json.dumps({"phone": user.phone, "text": f"【关怀】{note.title}"}).encode()
        request = urllib.request.Request(webhook, data=payload, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (URL is operator config)
                if response.status >= 300:
                    raise OSError(f"HTTP {response.status}")
            note.sms_sent_at = timezone.now()
        except Exception as exc:
            errors.append(f"短信:{exc}"[:100])
    note.delivery_error = ";".join(errors)[:200]
    note.save(update_fields=["emailed_at", "sms_sent_at", "delivery_error"])


def mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
