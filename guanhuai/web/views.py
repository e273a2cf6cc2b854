"""The home page: what this user should attend to today, by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from guanhuai.accounts.roles import Role, has_perm
from guanhuai.families.selectors import families_for_user
from guanhuai.oversight.selectors import spotcheck_warning

from . import selectors

# Roles that call on families themselves see the care to-do lists; the levels
# above see how the regions below them are doing.
CARE_ROLES = {Role.VILLAGE, Role.TOWNSHIP, Role.COUNTY, Role.ASSOCIATION}
OVERVIEW_ROLES = {Role.TOWNSHIP, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.AUDITOR}


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    user = request.user
    context: dict = {"active_nav": "home", "is_auditor": user.role == Role.AUDITOR, "today": timezone.localdate()}
    if has_perm(user, "family.view"):
        families = families_for_user(user)
        context["counts"] = selectors.family_counts(families)
        if user.role in CARE_ROLES:
            context["attention"] = selectors.attention_families(families)
            context["anniversary_count"], context["anniversaries"] = selectors.anniversaries(user)
            context["anniversary_days"] = selectors.ANNIVERSARY_DAYS
            context["no_phone_count"], context["no_phone"] = selectors.missing_phone(families)
        if user.role in OVERVIEW_ROLES:
            context["overview"] = selectors.child_region_overview(user)
    context["warning"] = spotcheck_warning(user, timezone.localdate().year)
    if has_perm(user, "audit.view"):
        context["audit"] = selectors.audit_summary(user)
    if user.role == Role.ADMIN:
        summary = selectors.account_summary(user)
        summary["by_role"] = [(label, summary["by_role"].get(value, 0)) for value, label in Role.choices]
        context["accounts"] = summary
    context["can_edit"] = has_perm(user, "family.edit")
    context["can_record"] = has_perm(user, "visit.record")
    context["can_import"] = has_perm(user, "family.import")
    context["can_manage_users"] = has_perm(user, "users.manage")
    context["can_view_dashboard"] = has_perm(user, "dashboard.view")
    return render(request, "web/home.html", context)
