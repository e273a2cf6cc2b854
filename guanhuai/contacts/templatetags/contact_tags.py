"""The 双岗联系人 card on the family page, and small display helpers."""

from __future__ import annotations

from django import template
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.families.models import Status

from ..forms import AssignmentForm, EndAssignmentForm
from ..models import CardIssue, Slot
from ..selectors import active_assignments, assignable_contacts, assignment_history

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """0.6667 → 66.7%; no families → —."""
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}".removesuffix(".0")
    return f"{text}%"


@register.inclusion_tag("contacts/_family_contacts.html", takes_context=True)
def family_contacts(context, family):
    """Active first/second contacts and leader pairings, history, and (for managers) the form to change them."""
    request = context["request"]
    user = request.user
    can_manage = has_perm(user, "contacts.manage") and family.status == Status.ACTIVE
    active = active_assignments(family)
    form = None
    if can_manage:
        # Offer the empty slot first: filling a gap is the common case.
        slot = Slot.FIRST if not active[Slot.FIRST] or active[Slot.SECOND] else Slot.SECOND
        form = AssignmentForm(contacts=assignable_contacts(user, family), auto_id="assign_%s",
                              initial={"slot": slot})
    return {
        "family": family, "first": active[Slot.FIRST], "second": active[Slot.SECOND], "leaders": active[Slot.LEADER],
        "history": list(assignment_history(family)), "can_manage": can_manage,
        "can_print": has_perm(user, "family.edit"),
        "card_pending": CardIssue.objects.filter(family=family, state=CardIssue.State.PENDING).first(),
        "form": form, "end_form": EndAssignmentForm(initial={"end_date": timezone.localdate()}, auto_id=False),
        "csrf_token": context.get("csrf_token"), "is_active_family": family.status == Status.ACTIVE,
    }
