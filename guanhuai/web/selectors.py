"""Reads behind the home page. Each function is a fixed, small number of
queries whatever the size of the jurisdiction (no per-row queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, When
from django.db.models.functions import Substr
from django.utils import timezone

from guanhuai.accounts.models import LoginFailure, User
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Category, Family, Health, Member, MemberRole, Status
from guanhuai.families.selectors import families_for_user
from guanhuai.regions.codes import PREFIX_LENGTH, VILLAGE
from guanhuai.regions.models import Region

GRAVE = [Health.SERIOUS, Health.BEDRIDDEN]
HAS_RISK = ~Q(risk_flags=[])
ANNIVERSARY_DAYS = 7


def family_counts(families: QuerySet[Family]) -> dict[str, int]:
    active = Q(status=Status.ACTIVE)
    return families.aggregate(
        total=Count("id", filter=active),
        deceased=Count("id", filter=active & Q(category=Category.CHILD_DECEASED)),
        disabled=Count("id", filter=active & Q(category=Category.CHILD_DISABLED)),
        complication=Count("id", filter=active & Q(category=Category.COMPLICATION)),
        grave=Count("id", filter=active & Q(health__in=GRAVE)),
        risk=Count("id", filter=active & HAS_RISK),
        attention=Count("id", filter=active & (HAS_RISK | Q(health__in=GRAVE))),
        alone=Count("id", filter=active & Q(living="alone")),
        exited=Count("id", filter=Q(status=Status.EXITED)),
    )


def attention_families(families: QuerySet[Family], limit: int = 8) -> list[Family]:
    """Risk-flagged families first, then the gravely ill (重病、失能卧床)."""
    return list(
        families.filter(Q(status=Status.ACTIVE) & (HAS_RISK | Q(health__in=GRAVE)))
        .annotate(has_risk=Case(When(HAS_RISK, then=0), default=1, output_field=IntegerField()))
        .select_related("region")
        .order_by("has_risk", "region_id", "id")[:limit]
    )


def missing_phone(families: QuerySet[Family], limit: int = 8) -> tuple[int, list[Family]]:
    """Active families with no phone number for anyone in the household."""
    qs = families.filter(status=Status.ACTIVE).exclude(pk__in=Member.objects.exclude(phone="").values("family_id"))
    return qs.count(), list(qs.select_related("region").order_by("region_id", "id")[:limit])


@dataclass
class Anniversary:
    member: Member
    kind: str  # "忌日" or "生日"
    date: dt.date
    days_ahead: int
    years: int


def anniversaries(user, *, today: dt.date | None = None, days: int = ANNIVERSARY_DAYS,
                  limit: int = 8) -> tuple[int, list[Anniversary]]:
    """Children's death anniversaries and parents' birthdays in the coming days.

    Both are days a contact person is expected to call or visit (慰问); the
    death anniversary of an only child is the hardest day of the year for a
    失独 family. One query for the count, one for the rows.
    """
    today = today or timezone.localdate()
    family_ids = families_for_user(user).filter(status=Status.ACTIVE).values("id")
    whens = []
    for offset in range(days + 1):
        day = today + dt.timedelta(days=offset)
        whens.append(When(Q(is_alive=False, death_date__month=day.month, death_date__day=day.day), then=offset))
        whens.append(When(Q(is_alive=True, role__in=[MemberRole.FATHER, MemberRole.MOTHER],
                            birth_date__month=day.month, birth_date__day=day.day), then=offset))
    qs = (
        Member.objects.filter(family_id__in=family_ids)
        .annotate(days_ahead=Case(*whens, default=None, output_field=IntegerField()))
        .filter(days_ahead__isnull=False)
    )
    total = qs.count()
    rows = []
    for member in qs.select_related("family", "family__region").order_by("days_ahead", "family_id", "id")[:limit]:
        on = today + dt.timedelta(days=member.days_ahead)
        if member.is_alive:
            rows.append(Anniversary(member, "生日", on, member.days_ahead, on.year - member.birth_date.year))
        else:
            rows.append(Anniversary(member, "忌日", on, member.days_ahead, on.year - member.death_date.year))
    return total, rows


@dataclass
class RegionRow:
    region: Region
    active: int
    risk: int
    grave: int
    no_phone: int
    joined: int  # registered this year (新纳入)
    left: int  # exited this year (退出)


def child_region_overview(user) -> list[RegionRow]:
    """One row per region directly below the user's own: the numbers a
    township, county or city officer chases each day. Two queries."""
    region = user.region
    if region is None or region.level >= VILLAGE:
        return []
    k = PREFIX_LENGTH[region.level + 1]
    year = timezone.localdate().year
    with_phone = Member.objects.exclude(phone="").values("family_id")
    active = Q(status=Status.ACTIVE)
    rows = (
        families_for_user(user)
        .annotate(child=Substr("region_id", 1, k))
        .values("child")
        .annotate(
            active=Count("id", filter=active),
            risk=Count("id", filter=active & HAS_RISK),
            grave=Count("id", filter=active & Q(health__in=GRAVE)),
            no_phone=Count("id", filter=active & ~Q(pk__in=with_phone)),
            joined=Count("id", filter=Q(registered_on__year=year)),
            left=Count("id", filter=Q(status=Status.EXITED, exit_date__year=year)),
        )
    )
    counts = {row["child"]: row for row in rows}
    out = []
    for child in Region.objects.filter(parent=region).order_by("code"):
        c = counts.get(child.prefix, {})
        out.append(RegionRow(child, *(c.get(name, 0) for name in ("active", "risk", "grave", "no_phone", "joined",
                                                                    "left"))))
    return out


def _events_for(user) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if user.region_id:
        events = events.filter(Q(region_code__startswith=user.region.prefix) | Q(region_code=""))
    return events


def audit_summary(user, *, today: dt.date | None = None) -> dict:
    """What an auditor reviews first: today's sensitive reads and exports."""
    today = today or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    events = _events_for(user)
    counts = events.filter(created_at__gte=start).aggregate(
        reveals=Count("id", filter=Q(action="sensitive.reveal")),
        exports=Count("id", filter=Q(action="family.exported")),
        views=Count("id", filter=Q(action="family.viewed")),
        total=Count("id"),
    )
    return {
        "today": counts,
        "recent_reveals": list(events.filter(action="sensitive.reveal").order_by("-id")[:8]),
    }


def account_summary(user) -> dict:
    """What an administrator checks first: locked accounts, failed logins, pending password changes."""
    users = User.objects.filter(region__code__startswith=user.region.prefix) if user.region_id else User.objects.all()
    now = timezone.now()
    counts = users.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(is_active=True)),
        pending_password=Count("id", filter=Q(must_change_password=True, is_active=True)),
        locked=Count("id", filter=Q(locked_until__gt=now)),
        totp=Count("id", filter=Q(totp_enabled=True)),
    )
    by_role = dict(users.filter(is_active=True).values_list("role").annotate(n=Count("id")))
    return {
        "counts": counts,
        "by_role": by_role,
        "locked_users": list(users.filter(locked_until__gt=now).select_related("region").order_by("locked_until")[:10]),
        "failed_logins": LoginFailure.objects.filter(at__gte=now - dt.timedelta(hours=24)).count(),
        "account_events": list(
            _events_for(user).filter(Q(action__startswith="user.") | Q(action="account.locked"))
            .order_by("-id")[:6]
        ),
    }
