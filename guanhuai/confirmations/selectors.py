"""Reads of confirmation windows and their families, scoped to the user's jurisdiction.

A window belongs to a county. County and upper levels see the windows of
their subtree; township and village users see their county's window but only
the families inside their own region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.compliance.profiles import rules_for_region
from guanhuai.families.models import Family, Status
from guanhuai.regions.codes import COUNTY, PREFIX_LENGTH, CodeError, ancestor_code, prefix_of
from guanhuai.regions.models import Region

from .models import ConfirmationItem, ConfirmationWindow, Outcome

# Used only when the region's policy profile has no "confirmation_deadline" obligation (DOMAIN.md §1, seed 000).
DEFAULT_ENTRY_WORKING_DAYS = 10
PROFILE_KIND = "confirmation_deadline"

# The effective status of an item: a family taken off the register through its archive while the
# confirmation was under way counts as exited, not pending.
STATUS_LABELS = {"pending": "待确认", "confirmed": "确认无变化", "changed": "有变化", "exited": "退出"}
EXITED_PENDING = Q(outcome=Outcome.PENDING, family__status=Status.EXITED)
PENDING = Q(outcome=Outcome.PENDING) & ~Q(family__status=Status.EXITED)


def entry_working_days_for(region_code: str, day: dt.date) -> tuple[int, str]:
    """Working days allowed for entry after the window ends, from the region's policy profile.

    Returns ``(days, profile code)``; ``(10, "")`` when the profile does not set it.
    """
    rules = rules_for_region(region_code)
    spec = rules.first_of_kind(PROFILE_KIND, day) if rules else None
    if spec is None:
        return DEFAULT_ENTRY_WORKING_DAYS, ""
    return spec.working_days, rules.code


def register_at_opening(region: Region) -> list[tuple[int, str]]:
    """(family id, village code) of every family in the county's register now."""
    return list(Family.objects.filter(region__code__startswith=region.prefix, status=Status.ACTIVE)
                .order_by("pk").values_list("pk", "region_id"))


def windows_for_user(user) -> QuerySet[ConfirmationWindow]:
    if not has_perm(user, "confirmation.view") or user.region_id is None:
        return ConfirmationWindow.objects.none()
    scope = Q(region__code__startswith=user.region.prefix)
    if user.region.level > COUNTY:
        scope |= Q(region_id=ancestor_code(user.region_id, COUNTY))
    return ConfirmationWindow.objects.filter(scope).select_related("region")


def window_get_for_user(user, pk, *, manage: bool = False) -> ConfirmationWindow:
    """The window if the user may see it (to manage it: a county officer of that county), else 404."""
    if manage and not has_perm(user, "confirmation.manage"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    window = windows_for_user(user).filter(pk=pk).first()
    if window is None or (manage and not window.region_id.startswith(user.region.prefix)):
        raise Http404
    return window


def items_for_user(user, window: ConfirmationWindow) -> QuerySet[ConfirmationItem]:
    """The window's families inside the user's region, with their effective ``status``."""
    if user.region_id is None:
        return ConfirmationItem.objects.none()
    return (window.items.filter(region__code__startswith=user.region.prefix)
            .annotate(status=Case(When(~Q(outcome=Outcome.PENDING), then="outcome"),
                                  When(family__status=Status.EXITED, then=Value("exited")),
                                  default=Value("pending"), output_field=CharField())))


def item_get_for_user(user, window: ConfirmationWindow, family_id, *, write: bool = False) -> ConfirmationItem:
    """The family's item in this window if the family lies in the user's region, else 404."""
    if write and not has_perm(user, "confirmation.record"):
        raise Http404
    try:
        family_id = int(family_id)
    except (TypeError, ValueError):
        raise Http404 from None
    item = (items_for_user(user, window).select_related("family", "family__region", "family__region__parent",
                                                        "region", "recorded_by")
            .filter(family_id=family_id).first())
    if item is None:
        raise Http404
    return item


def item_list(user, window: ConfirmationWindow, *, status: str = "", region: str = "") -> QuerySet[ConfirmationItem]:
    qs = items_for_user(user, window)
    if status in STATUS_LABELS:
        qs = qs.filter(status=status)
    if region:
        try:
            qs = qs.filter(region__code__startswith=prefix_of(region))
        except CodeError:
            return qs.none()
    return qs.select_related("family", "region", "region__parent", "recorded_by").order_by("region_id", "family_id")


@dataclass
class Progress:
    code: str
    name: str
    total: int = 0
    confirmed: int = 0
    changed: int = 0
    exited: int = 0
    pending: int = 0
    late: int = 0

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass
class WindowProgress:
    total: Progress
    rows: list[Progress] = field(default_factory=list)
    child_level: int = 0
    overdue: bool = False  # the deadline has passed: every pending family is overdue


def _counts():
    return {
        "total": Count("id"),
        "confirmed": Count("id", filter=Q(outcome=Outcome.CONFIRMED)),
        "changed": Count("id", filter=Q(outcome=Outcome.CHANGED)),
        "exited": Count("id", filter=Q(outcome=Outcome.EXITED) | EXITED_PENDING),
        "pending": Count("id", filter=PENDING),
        "late": Count("id", filter=Q(is_late=True)),
    }


def window_progress(user, window: ConfirmationWindow, *, region: Region | None = None,
                    today: dt.date | None = None) -> WindowProgress:
    """Counts for the user's region (or ``region`` inside it) and one row per child region.

    One aggregate query for the rows and one for the total, whatever the number of families.
    """
    today = today or timezone.localdate()
    scope = region or user.region
    if scope.level < COUNTY:
        scope = window.region
    level = min(scope.level + 1, 5)
    k = PREFIX_LENGTH[level]
    qs = items_for_user(user, window).filter(region__code__startswith=scope.prefix)
    grouped = (qs.annotate(child=Substr("region_id", 1, k)).values("child").annotate(**_counts()).order_by("child"))
    rows = list(grouped)
    codes = [r["child"] + "0" * (12 - k) for r in rows]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = [Progress(code=code, name=names.get(code, code), **{key: r[key] for key in _counts()})
           for code, r in zip(codes, rows, strict=True)]
    total = Progress(code=scope.code, name=scope.name, **qs.aggregate(**_counts()))
    return WindowProgress(total=total, rows=out, child_level=level, overdue=today > window.deadline.date)


def pending_items(user, window: ConfirmationWindow, *, region: Region | None = None) -> QuerySet[ConfirmationItem]:
    qs = items_for_user(user, window).filter(PENDING)
    if region is not None:
        qs = qs.filter(region__code__startswith=region.prefix)
    return qs.select_related("family", "region", "region__parent").order_by("region_id", "family_id")


def family_confirmation(user, family: Family) -> ConfirmationItem | None:
    """The family's item in the latest window that includes it (for its archive page)."""
    if not has_perm(user, "confirmation.view"):
        return None
    return (ConfirmationItem.objects.filter(family=family).select_related("window", "recorded_by")
            .annotate(status=Case(When(~Q(outcome=Outcome.PENDING), then="outcome"),
                                  When(family__status=Status.EXITED, then=Value("exited")),
                                  default=Value("pending"), output_field=CharField()))
            .order_by("-window__year", "-window_id").first())
