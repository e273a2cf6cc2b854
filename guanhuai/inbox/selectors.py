"""Reads of the inbox: a user sees only their own notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Notification


def notifications_for_user(user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_get_for_user(user, pk) -> Notification:
    """The notification if it is addressed to this user, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    note = notifications_for_user(user).filter(pk=pk).first()
    if note is None:
        raise Http404
    return note


def unread_count(user) -> int:
    # One COUNT on the (user, read_at) index.
    return notifications_for_user(user).filter(read_at__isnull=True).count()
