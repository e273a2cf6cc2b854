"""The confirmation card on a family's archive page: this year's (latest) confirmation result.

The family passed in has already been fetched through its access function.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from guanhuai.accounts.roles import has_perm

from ..selectors import family_confirmation

register = template.Library()


@register.inclusion_tag("confirmations/_family_card.html", takes_context=True)
def family_confirmation_card(context, family):
    request = context.get("request")
    user = getattr(request, "user", None)
    item = family_confirmation(user, family) if user is not None and family is not None else None
    today = timezone.localdate()
    return {"item": item, "family": family, "overdue": item is not None and today > item.window.deadline.date,
            "can_record": has_perm(user, "confirmation.record")}
