"""Visit blocks other apps' pages include: the open-events banner on every page of a
family, the visits card on the family page, and the open events of a jurisdiction.

The family passed in has already been fetched through its access function.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from guanhuai.accounts.roles import has_perm

from ..selectors import event_is_overdue, family_open_events, family_recent_visits, open_events_for_user

register = template.Library()

HOME_EVENTS = 10


@register.inclusion_tag("visits/_events_banner.html", takes_context=True)
def open_events_banner(context, family):
    """Open major events of this family: a banner on each of its pages."""
    events = family_open_events(family) if family is not None and family.pk else []
    today = timezone.localdate()
    return {"events": [(e, event_is_overdue(e, today)) for e in events], "family": family,
            "request": context.get("request")}


@register.inclusion_tag("visits/_family_visits_card.html", takes_context=True)
def family_visits_card(context, family, limit: int = 5):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "family": family, "visits": family_recent_visits(family, limit=limit), "request": request,
        "can_record": has_perm(user, "visit.record") and family.status == "active",
        "can_report": has_perm(user, "visit.record") and family.status == "active",
    }


@register.simple_tag(takes_context=True)
def jurisdiction_open_events(context, limit: int = HOME_EVENTS):
    """For ``visits/_open_events.html``: the first open events of the user's jurisdiction and the total."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": [], "total": 0, "overdue": 0}
    qs = open_events_for_user(user)
    today = timezone.localdate()
    rows = [(e, event_is_overdue(e, today)) for e in qs[:limit]]
    total = len(rows) if len(rows) < limit else qs.count()
    overdue = qs.filter(responded_on__isnull=True, response_due__lt=today).count() if rows else 0
    return {"rows": rows, "total": total, "overdue": overdue}


@register.filter
def overdue_event(event) -> bool:
    return event_is_overdue(event)
