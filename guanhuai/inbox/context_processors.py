"""The unread count shown on the navbar's inbox link, on every page."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    # Lazy: pages that do not render the navbar (htmx partials, files) never run the query.
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
