"""Audit log search, scoped to the auditor's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from guanhuai.accounts.roles import has_perm

from .models import AuditEvent


@dataclass
class AuditFilters:
    user: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_events_for_user(user) -> QuerySet[AuditEvent]:
    """Events in the user's region subtree, plus system-wide events (no region) for a province-level reader."""
    if not has_perm(user, "audit.view") or user.region_id is None:
        return AuditEvent.objects.none()
    prefix = user.region.prefix
    condition = Q(region_code__startswith=prefix)
    if len(prefix) <= 2:
        condition |= Q(region_code="")
    return AuditEvent.objects.filter(condition)


def audit_search(user, filters: AuditFilters) -> QuerySet[AuditEvent]:
    qs = audit_events_for_user(user)
    if filters.user:
        qs = qs.filter(actor_username=filters.user.strip())
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(created_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(created_at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-id")
