"""The home page: what this user should attend to today, by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import Role, has_perm
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Category, Health, Member, Status
from guanhuai.families.selectors import families_for_user


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    user = request.user
    context: dict = {"active_nav": "home"}
    if has_perm(user, "family.view"):
        families = families_for_user(user)
        active = families.filter(status=Status.ACTIVE)
        counts = active.aggregate(
            total=Count("id"),
            deceased=Count("id", filter=Q(category=Category.CHILD_DECEASED)),
            disabled=Count("id", filter=Q(category=Category.CHILD_DISABLED)),
            complication=Count("id", filter=Q(category=Category.COMPLICATION)),
            serious=Count("id", filter=Q(health__in=[Health.SERIOUS, Health.BEDRIDDEN])),
            alone=Count("id", filter=Q(living="alone")),
        )
        context["counts"] = counts
        context["exited"] = families.filter(status=Status.EXITED).count()
        # What needs doing today: risk-flagged and gravely ill families first,
        # then archives missing a phone number for anyone in the household.
        context["attention"] = (
            active.filter(Q(health__in=[Health.SERIOUS, Health.BEDRIDDEN]) | ~Q(risk_flags=[]))
            .select_related("region")
            .order_by("-updated_at")[:10]
        )
        context["no_phone"] = (
            active.exclude(pk__in=Member.objects.exclude(phone="").values("family_id"))
            .select_related("region")
            .order_by("region_id")[:10]
        )
        context["no_phone_count"] = active.exclude(pk__in=Member.objects.exclude(phone="").values("family_id")).count()
        context["recent"] = families.select_related("region").order_by("-created_at")[:5]
    if has_perm(user, "audit.view"):
        events = AuditEvent.objects.all()
        if user.region_id:
            events = events.filter(Q(region_code__startswith=user.region.prefix) | Q(region_code=""))
        context["recent_reveals"] = events.filter(action="sensitive.reveal")[:8]
    if user.role == Role.ADMIN:
        users = User.objects.filter(region__code__startswith=user.region.prefix) if user.region_id else User.objects.all()
        context["locked_users"] = users.filter(locked_until__gt=timezone.now())
        context["pending_password"] = users.filter(must_change_password=True).count()
        context["user_count"] = users.count()
    context["can_edit"] = has_perm(user, "family.edit")
    context["can_import"] = has_perm(user, "family.import")
    return render(request, "web/home.html", context)
