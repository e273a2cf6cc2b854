"""Reads of visits, major events and visit import jobs, always scoped to the user.

Each object type has one access function that answers 404 both when the
object does not exist and when it lies outside the user's jurisdiction.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.contacts.models import ContactPerson
from guanhuai.families.models import Family, ImportJob
from guanhuai.families.selectors import families_for_user
from guanhuai.lib.rows import Columns, shared_cursor
from guanhuai.regions.models import Region

from .models import MajorEvent, Visit, VisitPhoto

IMPORT_KIND = "visits"


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _in_scope(user) -> bool:
    return has_perm(user, "family.view") and user.region_id is not None


def visits_for_user(user) -> QuerySet[Visit]:
    """Every visit of a family in the user's region subtree, or nothing."""
    if not _in_scope(user):
        return Visit.objects.none()
    return Visit.objects.filter(region__code__startswith=user.region.prefix)


def can_change_visit(user, visit: Visit) -> bool:
    """Whoever recorded a visit may correct it; so may the township and county officers above it."""
    if not has_perm(user, "visit.record"):
        return False
    return visit.recorded_by_id == user.pk or has_perm(user, "event.close")


def visit_get_for_user(user, pk, *, write: bool = False) -> Visit:
    """The visit if it exists and its family lies in the user's jurisdiction, else 404.

    With ``write=True`` the user must also be allowed to change this visit
    (its recorder, or a township/county officer); otherwise 404 as well.
    """
    visit = (visits_for_user(user).select_related("family", "family__region", "family__region__parent", "contact",
                                                  "recorded_by", "event")
             .filter(pk=_pk(pk)).first())
    if visit is None or (write and not can_change_visit(user, visit)):
        raise Http404
    return visit


def photo_get_for_user(user, pk) -> VisitPhoto:
    photo = VisitPhoto.objects.select_related("visit").filter(pk=_pk(pk)).first()
    if photo is None or not _in_scope(user) or not photo.visit.region_id.startswith(user.region.prefix):
        raise Http404
    return photo


@dataclass
class VisitFilters:
    region: str = ""
    family: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str = ""
    late: bool = False
    contact: int | None = None


def visit_list(user, filters: VisitFilters) -> QuerySet[Visit]:
    """Visits matching the filters, newest first; the query count does not grow with the rows."""
    qs = visits_for_user(user)
    if filters.region:
        qs = qs.filter(region__code__startswith=_region_prefix(filters.region))
    if filters.family:
        qs = qs.filter(family_id=filters.family)
    if filters.date_from:
        qs = qs.filter(visit_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(visit_date__lte=filters.date_to)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.late:
        qs = qs.filter(is_late=True)
    if filters.contact:
        qs = qs.filter(contact_id=filters.contact)
    return qs.select_related("family", "region", "region__parent", "contact", "recorded_by").order_by(
        "-visit_date", "-id")


def family_recent_visits(family: Family, *, limit: int = 5) -> list[Visit]:
    """The latest visits of a family the caller has already fetched through its access function."""
    return list(family.visits.select_related("contact", "recorded_by").order_by("-visit_date", "-id")[:limit])


def _region_prefix(code: str) -> str:
    from guanhuai.regions.codes import CodeError, prefix_of

    try:
        return prefix_of(code)
    except CodeError:
        return code  # an odd code simply matches nothing outside itself


# ---------------------------------------------------------------- major events

def events_for_user(user) -> QuerySet[MajorEvent]:
    if not _in_scope(user):
        return MajorEvent.objects.none()
    return MajorEvent.objects.filter(region__code__startswith=user.region.prefix)


def event_get_for_user(user, pk, *, close: bool = False) -> MajorEvent:
    """The event if it lies in the user's jurisdiction, else 404; ``close=True`` also needs event.close."""
    if close and not has_perm(user, "event.close"):
        raise Http404
    event = (events_for_user(user).select_related("family", "family__region", "family__region__parent",
                                                  "reported_by", "closed_by")
             .filter(pk=_pk(pk)).first())
    if event is None:
        raise Http404
    return event


def _urgency_order(qs: QuerySet[MajorEvent]) -> QuerySet[MajorEvent]:
    # Events still waiting for the home visit first, the longest overdue at the top;
    # events answered but not yet closed after them.
    return qs.annotate(answered=Case(When(responded_on__isnull=True, then=Value(0)), default=Value(1),
                                     output_field=IntegerField())).order_by("answered", "response_due", "id")


def open_events_for_user(user) -> QuerySet[MajorEvent]:
    """Open events in the user's jurisdiction, most overdue first."""
    return _urgency_order(events_for_user(user).filter(state=MajorEvent.State.OPEN)).select_related(
        "family", "family__region", "family__region__parent")


def family_open_events(family: Family) -> list[MajorEvent]:
    """Open events of a family the caller has already fetched through its access function."""
    return list(_urgency_order(family.events.filter(state=MajorEvent.State.OPEN)))


@dataclass
class EventFilters:
    state: str = MajorEvent.State.OPEN
    kind: str = ""
    region: str = ""
    family: int | None = None
    overdue: bool = False


def event_list(user, filters: EventFilters) -> QuerySet[MajorEvent]:
    qs = events_for_user(user)
    if filters.state in MajorEvent.State.values:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.region:
        qs = qs.filter(region__code__startswith=_region_prefix(filters.region))
    if filters.family:
        qs = qs.filter(family_id=filters.family)
    if filters.overdue:
        qs = qs.filter(state=MajorEvent.State.OPEN, responded_on__isnull=True,
                       response_due__lt=timezone.localdate())
    qs = qs.select_related("family", "family__region", "family__region__parent", "reported_by")
    if filters.state == MajorEvent.State.OPEN:
        return _urgency_order(qs)
    return qs.order_by("-event_date", "-id")


def event_is_overdue(event: MajorEvent, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return event.state == MajorEvent.State.OPEN and event.responded_on is None and event.response_due < today


# ---------------------------------------------------------------- families for the record form

def family_choices_for_user(user, q: str = "", *, limit: int = 30) -> QuerySet[Family]:
    """Families in the register the user may record a visit for, by name (head or member)."""
    if not has_perm(user, "visit.record"):
        return Family.objects.none()
    qs = families_for_user(user).filter(status="active")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(head_name__contains=q) | Q(members__name__contains=q) | Q(address__contains=q)).distinct()
    return qs.select_related("region", "region__parent").order_by("region_id", "head_name", "id")[:limit]


# The user's own active contact card: their first active one (``o`` is the contact person's table).
_OWN_CONTACT = "WHERE o.user_id = %s AND o.is_active ORDER BY o.id LIMIT 1"


@functools.cache
def _recording_columns() -> tuple[Columns, Columns, Columns, str, str]:
    family = Columns(Family, *[f.name for f in Family._meta.concrete_fields if f.name != "bank_account"])
    region = Columns(Region)
    contact = Columns(ContactPerson, "region", "name", "post", "kind", "user", "is_active")  # phone deferred
    select = f"SELECT {family.select('f')}, {region.select('r')}"
    tables = " FROM families_family f JOIN regions_region r ON r.code = f.region_code"
    where = " WHERE f.id = %s AND f.region_code LIKE %s"
    # The acting user's own active contact person rides along: it is credited when no other is named.
    own = f" LEFT JOIN contacts_contactperson c ON c.id = (SELECT o.id FROM contacts_contactperson o {_OWN_CONTACT})"
    return (family, region, contact, select + tables + where,
            f"{select}, {contact.select('c')}{tables}{own}{where}")


def _recording_read(user, pk, *, for_update: bool, with_contact: bool) -> tuple[Family, ContactPerson | None]:
    if not has_perm(user, "visit.record") or user.region_id is None:
        raise Http404
    family_cols, region_cols, contact_cols, family_sql, with_contact_sql = _recording_columns()
    lock = " FOR UPDATE OF f" if for_update and connection.features.has_select_for_update else ""
    # Region codes are digits, so the prefix needs no LIKE escaping.
    params = [_pk(pk), user.region.prefix + "%"]
    with shared_cursor() as cursor:
        if with_contact:
            cursor.execute(with_contact_sql + lock, [user.pk, *params])
        else:
            cursor.execute(family_sql + lock, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404
    n, m = len(family_cols), len(family_cols) + len(region_cols)
    family = family_cols.build(row[:n])
    family.region = region_cols.build(row[n:m])
    return family, contact_cols.build(row[m:]) if with_contact else None


def family_for_recording(user, pk) -> Family:
    """The family a visit or event is recorded for: in jurisdiction and the user may record, else 404.

    The same answer as ``family_get_for_user`` (its region loaded; the encrypted bank account left
    deferred) from one plain statement: this runs for every visit recorded (see lib/rows.py).
    """
    return _recording_read(user, pk, for_update=False, with_contact=False)[0]


def recording_context(user, pk, *, for_update: bool = False) -> tuple[Family, ContactPerson | None]:
    """``family_for_recording`` and the user's own active contact person (``own_contact``), in one statement."""
    return _recording_read(user, pk, for_update=for_update, with_contact=True)


def own_contact(user) -> ContactPerson | None:
    """The user's own active contact person, credited with what they record when no other is named
    (the phone stays deferred)."""
    _, _, columns, _, _ = _recording_columns()
    with shared_cursor() as cursor:
        cursor.execute(f"SELECT {columns.select('o')} FROM contacts_contactperson o {_OWN_CONTACT}", [user.pk])
        row = cursor.fetchone()
    return columns.build(row) if row else None


# ---------------------------------------------------------------- import jobs

def visit_import_jobs_for_user(user) -> QuerySet[ImportJob]:
    """The user's own visit import jobs."""
    if not (has_perm(user, "visit.record") and has_perm(user, "family.import")) or user.region_id is None:
        return ImportJob.objects.none()
    return (ImportJob.objects.filter(kind=IMPORT_KIND, created_by=user, region__code__startswith=user.region.prefix)
            .select_related("region").defer("data"))


def visit_import_job_get_for_user(user, pk) -> ImportJob:
    job = visit_import_jobs_for_user(user).filter(pk=_pk(pk)).defer(None).first()
    if job is None:
        raise Http404
    return job
