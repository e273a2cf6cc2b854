"""JSON API of the inbox: a user's own notifications, and marking them read."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from . import services
from .selectors import notification_get_for_user, notifications_for_user, unread_count

router = Router(tags=["站内通知"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


def notification_out(n) -> NotificationOut:
    return NotificationOut(id=n.pk, kind=n.kind, title=n.title, body=n.body, url=n.url, created_at=n.created_at,
                           read_at=n.read_at)


class InboxPage(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    results: list[NotificationOut]


class InboxQuery(Schema):
    unread_only: bool = False
    page: int = 1
    page_size: int = 50


@router.get("", response=InboxPage, summary="我的站内通知(最新的在前)")
def list_notifications(request, query: Query[InboxQuery]):
    page, size = max(1, query.page), max(1, min(200, query.page_size))
    qs = notifications_for_user(request.auth)
    if query.unread_only:
        qs = qs.filter(read_at__isnull=True)
    count = qs.count()
    rows = list(qs.order_by("-created_at", "-id")[(page - 1) * size: page * size])
    return InboxPage(count=count, unread=unread_count(request.auth), page=page, page_size=size,
                     results=[notification_out(n) for n in rows])


class ReadIn(Schema):
    ids: list[int] | None = None


class ReadOut(Schema):
    marked: int
    unread: int


@router.post("/read", response=ReadOut, summary="标为已读(不传 ids 则全部标为已读)")
def mark_read(request, payload: ReadIn):
    marked = services.mark_read(user=request.auth, ids=payload.ids)
    return ReadOut(marked=marked, unread=unread_count(request.auth))


@router.post("/{notification_id}/read", response=NotificationOut, summary="将一条通知标为已读")
def mark_one_read(request, notification_id: int):
    note = notification_get_for_user(request.auth, notification_id)
    services.mark_read(user=request.auth, ids=[note.pk])
    note.refresh_from_db(fields=["read_at"])
    return notification_out(note)
