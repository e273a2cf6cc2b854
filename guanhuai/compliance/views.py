"""Compliance pages: my families (worklist), region rates and overdue lists, policy profiles."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.families.selectors import family_get_for_user
from guanhuai.regions.selectors import region_get_for_user, region_path

from . import services
from .engine import STATUS_LABELS
from .models import PolicyProfile
from .selectors import (
    RATE_LABELS,
    WORKLIST_RANK_LIMIT,
    family_statuses,
    my_worklist,
    overdue_list,
    rates_by_child_region,
    rates_for,
)


def _require(user, perm="family.view"):
    if not has_perm(user, perm):
        raise Http404


def _day(request) -> dt.date:
    raw = request.GET.get("date")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD,已显示今天的数据")
    return timezone.localdate()


@login_required
def my_families(request):
    """The contact's own families, all ranked most urgent first and shown a page at a time; everyone else:
    their jurisdiction, ranked the same way."""
    _require(request.user)
    contact, families, ranked = my_worklist(request.user, page=request.GET.get("page"))
    own_rates = rates_for(families) if contact else None
    return render(request, "compliance/my_families.html", {
        "worklist": ranked, "items": ranked.items, "contact": contact, "labels": STATUS_LABELS,
        "counts": {"overdue": ranked.overdue, "due_soon": ranked.due_soon, "total": ranked.total},
        "active_nav": "mine", "can_record": has_perm(request.user, "visit.record"), "own_rates": own_rates,
        "rate_labels": RATE_LABELS, "rank_limit": WORKLIST_RANK_LIMIT,
    })


OVERDUE_LIMIT = 300


@login_required
def region_page(request, code: str | None = None):
    _require(request.user)
    region = region_get_for_user(request.user, code or request.user.region_id)
    day = _day(request)
    rows, total = rates_by_child_region(request.user, region, day)
    # Above county level the daily job keeps rows fresh; refreshing on read would scan the province.
    overdue = overdue_list(request.user, region.prefix, day, limit=OVERDUE_LIMIT, refresh=region.level >= 3)
    audit_sensitive_read(request.user, action="family.listed", object_type="family", region_code=region.code,
                         object_repr=f"查看逾期清单 {region.name}", changes={"date": day.isoformat(), "rows": len(overdue)})
    return render(request, "compliance/region.html", {
        "region": region, "rows": rows, "total": total, "overdue": overdue, "day": day,
        "rate_labels": RATE_LABELS, "path": region_path(region, stop_at=request.user.region),
        "active_nav": "compliance", "is_today": day == timezone.localdate(), "overdue_limit": OVERDUE_LIMIT,
    })


# The family page lists the periods of the last twelve months; older ones fold away.
RECENT_DAYS = 365


@login_required
def family_page(request, pk: int):
    family = family_get_for_user(request.user, pk)
    audit_sensitive_read(request.user, action="family.viewed", obj=family, changes={"page": "compliance"})
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    statuses = family_statuses(family)
    for s in statuses:
        s["recent"] = [p for p in s["history"] if p.span.end >= since]
        s["older"] = [p for p in s["history"] if p.span.end < since]
        s["older_missed"] = sum(1 for p in s["older"] if not p.met)
    return render(request, "compliance/family.html", {
        "family": family, "statuses": statuses, "active_nav": "families"})


@login_required
def profiles(request):
    _require(request.user, "profiles.manage")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "version":
                profile = PolicyProfile.objects.get(pk=request.POST.get("profile"))
                obligations = json.loads(request.POST.get("obligations") or "[]")
                services.profile_version_create(
                    acting_user=request.user, profile=profile, obligations=obligations,
                    effective_from=dt.date.fromisoformat(request.POST.get("effective_from", "")),
                    note=request.POST.get("note", ""))
                messages.success(request, "已保存新版本,自生效日期起按新规则考核")
            elif action == "bind":
                region = region_get_for_user(request.user, request.POST.get("region", ""))
                profile_id = request.POST.get("profile")
                profile = PolicyProfile.objects.get(pk=profile_id) if profile_id else None
                services.region_profile_set(acting_user=request.user, region=region, profile=profile)
                messages.success(request, "已更新区划适用的政策")
        except (ValueError, json.JSONDecodeError):
            messages.error(request, "格式错误:日期应为 YYYY-MM-DD,义务清单应为 JSON 数组")
        except (PolicyProfile.DoesNotExist, Http404):
            messages.error(request, "政策或区划不存在,或不在您的管辖范围内")
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        return redirect("compliance:profiles")
    items = []
    for profile in PolicyProfile.objects.prefetch_related("versions", "regions__region"):
        versions = list(profile.versions.all())
        items.append({"profile": profile, "versions": versions,
                      "latest_json": json.dumps(versions[-1].obligations, ensure_ascii=False, indent=2)
                      if versions else "[]"})
    return render(request, "compliance/profiles.html", {"items": items, "active_nav": "profiles"})
