"""Inbox pages: the list, opening a notification (marks it read), marking read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .selectors import notification_get_for_user, notifications_for_user

PAGE_SIZE = 30


@login_required
def inbox_list(request):
    unread_only = request.GET.get("unread") == "1"
    qs = notifications_for_user(request.user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inbox/list.html", {"page": page, "unread_only": unread_only, "active_nav": "inbox"})


@login_required
def notification_open(request, notification_id):
    """Follow a notification's link, marking it read on the way."""
    note = notification_get_for_user(request.user, notification_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    services.mark_read(user=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(note.url)
    return redirect("inbox:list")


@login_required
@require_POST
def notification_read(request, notification_id):
    note = notification_get_for_user(request.user, notification_id)
    services.mark_read(user=request.user, ids=[note.pk])
    return redirect(request.POST.get("next") if _safe(request, request.POST.get("next")) else "inbox:list")


@login_required
@require_POST
def read_all(request):
    count = services.mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读" if count else "没有未读通知")
    return redirect("inbox:list")


def _safe(request, url: str | None) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure())
