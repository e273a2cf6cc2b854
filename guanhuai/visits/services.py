"""Recording visits and major events.

A visit dated in the future or before the family entered the register is
refused. Its lateness is measured in official working days against the
profile's entry deadline: a late entry (迟报) is accepted and flagged, never
refused. Every write refreshes the family's obligation state in the same
transaction (ARCHITECTURE decision 3).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.accounts.models import User
from guanhuai.accounts.roles import Role, has_perm
from guanhuai.audit.services import audit_record, diff_values
from guanhuai.compliance.profiles import entry_deadline_days, rules_for_region
from guanhuai.compliance.state import family_lock, family_refresh
from guanhuai.compliance.visit_counts import visit_count_moved, visit_counted, visit_uncounted
from guanhuai.contacts.models import ContactPerson
from guanhuai.families.models import Family, Status
from guanhuai.inbox.services import notify
from guanhuai.lib import rows
from guanhuai.lib.dates import as_date
from guanhuai.lib.rows import shared_cursor
from guanhuai.regions.codes import CITY, COUNTY, ancestor_code
from guanhuai.workdays.calendar import add_working_days

from .models import FACE_TO_FACE, Channel, EventKind, MajorEvent, PetitionLevel, Referral, Visit
from .selectors import own_contact

logger = logging.getLogger(__name__)

VISIT_FIELDS = ["visit_date", "channel", "participants", "health_observed", "mental_observed", "needs_raised",
                "policies_explained", "problems_solved", "referred_to", "referral_note", "follow_up", "follow_up_due",
                "notes"]
# The foreign keys come from access functions (family, its region, the contact, the acting user);
# full_clean would otherwise spend one SELECT per key checking that they exist.
TRUSTED_KEYS = ["event", "family", "region", "contact", "recorded_by"]
DEFAULT_EMERGENCY_DAYS = 3
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
MAX_PHOTO_BYTES = 8 * 1024 * 1024
NOT_LOOKED_UP = object()  # visit_record's ``own`` when the caller has not read it


def _require(user) -> None:
    if not has_perm(user, "visit.record"):
        raise ValidationError("您没有记录走访的权限")


def emergency_days(region_code: str, event_date: dt.date) -> int:
    rules = rules_for_region(region_code)
    spec = rules.first_of_kind("emergency", event_date) if rules else None
    return spec.days if spec else DEFAULT_EMERGENCY_DAYS


def emergency_channels(region_code: str, event_date: dt.date) -> tuple[str, ...]:
    """Channels that answer a major event, from the profile in force (default: face-to-face)."""
    rules = rules_for_region(region_code)
    spec = rules.first_of_kind("emergency", event_date) if rules else None
    return spec.channels if spec else tuple(FACE_TO_FACE)


def event_first_answer(event: MajorEvent) -> Visit | None:
    """The first visit on or after the event's date through a channel that answers it."""
    return (Visit.objects.filter(family_id=event.family_id, visit_date__gte=event.event_date,
                                 channel__in=emergency_channels(event.region_id, event.event_date))
            .order_by("visit_date", "id").first())


def event_set_answer(event: MajorEvent, answer: Visit | None) -> None:
    """Record (or clear) the visit that answers an event and link it, so the event page shows it."""
    event.responded_on = answer.visit_date if answer else None
    event.save(update_fields=["responded_on"])
    if answer is not None and answer.event_id is None:
        answer.event = event
        answer.save(update_fields=["event"])


def _clean(family: Family, data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data = {k: v for k, v in data.items() if k in VISIT_FIELDS}
    day = data.get("visit_date")
    if not isinstance(day, dt.date):
        errors["visit_date"] = ["请填写走访日期"]
    elif day > today:
        errors["visit_date"] = ["走访日期不能晚于今天"]
    elif day < family.registered_on:
        errors["visit_date"] = [f"走访日期早于该家庭纳入登记的日期({family.registered_on:%Y-%m-%d})"]
    elif family.status == Status.EXITED and family.exit_date and day > family.exit_date:
        errors["visit_date"] = [f"该家庭已于 {family.exit_date:%Y-%m-%d} 退出,不能记录之后的走访"]
    if data.get("channel") not in Channel.values:
        errors["channel"] = ["请选择联系方式"]
    if data.get("referred_to") and data["referred_to"] not in Referral.values:
        errors["referred_to"] = ["转交部门无效"]
    due = data.get("follow_up_due")
    if due and isinstance(day, dt.date) and due < day:
        errors["follow_up_due"] = ["承诺办结期限不能早于走访日期"]
    if due and not (data.get("follow_up") or "").strip():
        errors["follow_up"] = ["填写了办结期限,请写明承诺事项"]
    for name in ("participants", "referral_note", "follow_up"):
        if len(str(data.get(name) or "")) > 200:
            errors[name] = ["内容过长(最多 200 字)"]
    if errors:
        raise ValidationError(errors)
    return data


def _photo_type(data: bytes) -> str:
    for magic, content_type in PHOTO_TYPES.items():
        if data.startswith(magic):
            return content_type
    raise ValidationError({"photos": "照片只支持 JPEG 或 PNG 格式"})


def _checked_photos(photos) -> list[tuple[bytes, str]]:
    """Every upload's content and type, all checked (JPEG/PNG, at most 8 MB) before any is stored."""
    checked = []
    for upload in photos or []:
        content = upload.read()
        if len(content) > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": "单张照片不能超过 8 MB"})
        checked.append((content, _photo_type(content)))
    return checked


def _attach_photos(visit: Visit, checked: list[tuple[bytes, str]], stored: list) -> None:
    """Store checked photos and their rows. Each photo joins ``stored`` as soon as its file is written, so
    ``_photos_kept_only_if_saved`` can remove the files if the transaction fails."""
    from django.core.files.base import ContentFile

    from .models import VisitPhoto

    for content, content_type in checked:
        ext = "jpg" if content_type == "image/jpeg" else "png"
        photo = VisitPhoto(visit=visit, content_type=content_type)
        photo.image.save(f"visit{visit.pk}.{ext}", ContentFile(content), save=False)
        stored.append(photo)
        photo.save()


def _photo_files_delete(names: list[str]) -> None:
    from .models import VisitPhoto

    storage = VisitPhoto._meta.get_field("image").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # the row is gone either way; a file left behind is logged for the operator
            logger.exception("无法删除走访照片文件 %s", name)


@contextmanager
def _photos_kept_only_if_saved() -> Iterator[list]:
    """Photos are personal data: a file stored for a write that then fails (any error before the commit)
    is deleted again rather than left in storage with no row pointing to it."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        _photo_files_delete([photo.image.name for photo in stored])
        raise


MAX_PHOTOS_PER_VISIT = 9  # the recording form's limit for one visit


def visit_add_photos(*, acting_user, visit: Visit, photos) -> list:
    """Attach photos to a visit already recorded: all of them or none.

    The caller fetched ``visit`` with ``visit_get_for_user(..., write=True)``. Every file is
    checked (JPEG/PNG, at most 8 MB) before the first one is stored, so a bad file in the
    batch leaves neither rows nor files behind; a visit holds at most nine photos.
    """
    from .models import VisitPhoto

    _require(acting_user)
    checked = _checked_photos(photos)
    if not checked:
        raise ValidationError({"photos": "请选择要上传的照片"})
    with _photos_kept_only_if_saved() as added, transaction.atomic():
        # The visit's row lock makes two simultaneous uploads count each other's photos.
        Visit.objects.select_for_update().filter(pk=visit.pk).values_list("pk", flat=True).first()
        stored = VisitPhoto.objects.filter(visit=visit).count()
        if stored + len(checked) > MAX_PHOTOS_PER_VISIT:
            raise ValidationError({"photos": f"每条走访记录最多 {MAX_PHOTOS_PER_VISIT} 张照片,"
                                             f"已有 {stored} 张"})
        _attach_photos(visit, checked, added)
        audit_record(actor=acting_user, action="visit.photos_added", obj=visit, object_repr=str(visit),
                     changes={"photos": [p.pk for p in added], "family": visit.family_id})
    return added


# Open events this visit answers: unanswered, or answered only by a later visit (a back-dated entry becomes the
# first answer, as event_first_answer and the rebuild would find). No LIMIT: a visit answers every such event.
_OPEN_EVENTS = ("SELECT id, region_code, event_date FROM visits_majorevent WHERE family_id = %s AND state = %s "
                "AND event_date <= %s AND (responded_on IS NULL OR responded_on > %s) ORDER BY event_date, id")


def _link_event(visit: Visit) -> None:
    """A visit on or after open events' dates answers each of them whose channel set counts its channel.

    The visit's single ``event`` link goes to the earliest one answered.
    """
    # Most families have no open event: one plain indexed probe (this runs for every visit recorded).
    with shared_cursor() as cursor:
        cursor.execute(_OPEN_EVENTS, [visit.family_id, MajorEvent.State.OPEN, visit.visit_date, visit.visit_date])
        found = cursor.fetchall()
    answered = [pk for pk, region_code, event_date in found
                if visit.channel in emergency_channels(region_code, as_date(event_date))]
    if not answered:
        return
    MajorEvent.objects.filter(pk__in=answered).update(responded_on=visit.visit_date)
    if visit.event_id is None:
        visit.event_id = answered[0]
        visit.save(update_fields=["event"])


def events_reanswer(*, family_id: int | None = None, prefix: str | None = None, also: int | None = None,
                    visit: Visit | None = None) -> int:
    """Recompute the answer (first qualifying visit) of every open event of one family, or of a region
    prefix (``compliance_rebuild``), plus event ``also`` whatever its state. Returns events changed.

    After a visit is edited or deleted, any event it answered may now have a later answer or none.
    ``visit``: the in-memory instance of the edited visit, so its ``event`` link stays current.
    """
    events = MajorEvent.objects.filter(state=MajorEvent.State.OPEN)
    if family_id is not None:
        events = events.filter(family_id=family_id)
    if prefix is not None:
        events = events.filter(region__code__startswith=prefix)
    if also is not None:
        events = events | MajorEvent.objects.filter(pk=also)
    changed = 0
    for event in events.order_by("event_date", "id"):  # earliest first: a visit links the earliest it answers
        answer = event_first_answer(event)
        if visit is not None and answer is not None and answer.pk == visit.pk:
            answer = visit
        if event.responded_on != (answer.visit_date if answer else None) or (answer and answer.event_id is None):
            event_set_answer(event, answer)
            changed += 1
    return changed


def visit_record(
    *,
    acting_user,
    family: Family,
    data: dict[str, Any],
    contact: ContactPerson | None = None,
    entry_date: dt.date | None = None,
    backfill: bool = False,
    photos=None,
    family_locked: bool = False,
    own: ContactPerson | None | object = NOT_LOOKED_UP,
) -> Visit:
    """Record a contact with a family; flags a late entry, refreshes obligation state.

    ``family_locked``: the caller read the family with ``FOR UPDATE`` in its open transaction (the API
    does, to spare a statement); otherwise the family's row is locked here first. ``own``: the acting
    user's own contact card (or None) when the caller already read it with the family; it is credited
    when no ``contact`` is named.
    """
    _require(acting_user)
    today = timezone.localdate()
    data = _clean(family, data, today=today)
    if contact is None:
        contact = own_contact(acting_user) if own is NOT_LOOKED_UP else own
    entry_date = entry_date or today
    if entry_date < data["visit_date"]:
        raise ValidationError({"entry_date": "录入日期不能早于走访日期"})
    deadline = add_working_days(data["visit_date"], entry_deadline_days(family.region_id, data["visit_date"]))
    checked_photos = _checked_photos(photos)
    # Inside the API's own transaction no savepoint is needed (an error there rolls everything back).
    with _photos_kept_only_if_saved() as stored_files, transaction.atomic(savepoint=not family_locked):
        if not family_locked:
            # First, so that an event reported at the same time is either seen by _link_event below or
            # waits and then finds this visit (event_report takes the same lock).
            family_lock(family.pk)
        visit = Visit(family=family, region_id=family.region_id, contact=contact, recorded_by=acting_user,
                      entered_at=timezone.now(), entry_date=entry_date, entry_deadline=deadline.date,
                      entry_deadline_provisional=deadline.provisional,
                      is_late=not backfill and entry_date > deadline.date, is_backfill=backfill, **data)
        visit.full_clean(exclude=TRUSTED_KEYS)
        rows.insert(visit)  # one plain INSERT: this runs for every visit recorded (see lib/rows.py)
        _attach_photos(visit, checked_photos, stored_files)
        _link_event(visit)
        counted = not backfill and entry_date.year == today.year and entry_date <= today
        family_refresh(family, day=today, visit_delta=(1, int(visit.is_late)) if counted else (0, 0), lock=False)
        visit_counted(visit.region_id, visit.visit_date, visit.channel)
        # Last: the audit chain's head row is locked until commit, so keep that window short.
        audit_record(actor=acting_user, action="visit.recorded", obj=visit, object_repr=str(visit),
                     changes={"visit_date": data["visit_date"].isoformat(), "channel": data["channel"],
                              "late": visit.is_late, "family": family.pk})
    return visit


def visit_update(*, acting_user, visit: Visit, data: dict[str, Any]) -> Visit:
    _require(acting_user)
    today = timezone.localdate()
    before = {f: getattr(visit, f) for f in VISIT_FIELDS}
    merged = _clean(visit.family, before | {k: v for k, v in data.items() if k in VISIT_FIELDS}, today=today)
    with transaction.atomic():
        family_lock(visit.family_id)  # first, as when recording: event links below see concurrent events
        old_event = visit.event_id
        for name, value in merged.items():
            setattr(visit, name, value)
        deadline = add_working_days(visit.visit_date, entry_deadline_days(visit.region_id, visit.visit_date))
        visit.entry_deadline = deadline.date
        visit.entry_deadline_provisional = deadline.provisional
        visit.is_late = not visit.is_backfill and visit.entry_date > deadline.date
        visit.event = None
        visit.full_clean(exclude=TRUSTED_KEYS)
        visit.save()
        # The visit may have answered several events (or now answers others): recompute them all.
        events_reanswer(family_id=visit.family_id, also=old_event, visit=visit)
        family_refresh(visit.family, day=today, lock=False)
        visit_count_moved(visit.region_id, (before["visit_date"], before["channel"]), (visit.visit_date, visit.channel))
        changes = diff_values({k: str(v) for k, v in before.items()}, {k: str(getattr(visit, k)) for k in VISIT_FIELDS})
        # Last, as when recording: the audit chain's head row is locked until commit.
        audit_record(actor=acting_user, action="visit.updated", obj=visit, object_repr=str(visit), changes=changes)
    return visit


def visit_delete(*, acting_user, visit: Visit, reason: str) -> None:
    _require(acting_user)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写删除理由"})
    with transaction.atomic():
        family_lock(visit.family_id)  # first, as when recording
        family, event_id, pk = visit.family, visit.event_id, visit.pk
        counted = (visit.region_id, visit.visit_date, visit.channel)
        files = list(visit.photos.values_list("image", flat=True))
        visit.delete()
        if files:  # the photos go with the record, once its deletion is committed
            transaction.on_commit(lambda: _photo_files_delete(files))
        # Every event this visit answered (not only the linked one) falls to its next answer, or none.
        events_reanswer(family_id=family.pk, also=event_id)
        family_refresh(family, day=timezone.localdate(), lock=False)
        visit_uncounted(*counted)
        # Last, as when recording: the audit chain's head row is locked until commit.
        audit_record(actor=acting_user, action="visit.deleted", obj=visit, object_id=str(pk), object_repr=str(visit),
                     reason=reason.strip(), changes={"visit_date": visit.visit_date.isoformat(),
                                                     "channel": visit.channel})


def _officers(region_code: str, level: int, role: str):
    return User.objects.filter(role=role, is_active=True, region_id=ancestor_code(region_code, level))


def event_report(*, acting_user, family: Family, kind: str, event_date: dt.date, description: str,
                 petition_level: str = "") -> MajorEvent:
    """Report a major event: opens an emergency obligation and notifies the county
    (and the city, for a petition tendency at province or Beijing level)."""
    _require(acting_user)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if kind not in EventKind.values:
        errors["kind"] = ["请选择事件类型"]
    if kind == EventKind.PETITION and petition_level not in PetitionLevel.values:
        errors["petition_level"] = ["信访倾向须选择层级(县/市/省/进京)"]
    if kind != EventKind.PETITION:
        petition_level = ""
    if not isinstance(event_date, dt.date):
        errors["event_date"] = ["请填写发生日期"]
    elif event_date > today:
        errors["event_date"] = ["发生日期不能晚于今天"]
    if not (description or "").strip():
        errors["description"] = ["请简要说明情况"]
    if family.status != Status.ACTIVE:
        errors["family"] = ["该家庭已退出"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        family_lock(family.pk)  # a visit recorded at the same time either answers it or is found below
        event = MajorEvent.objects.create(
            family=family, region_id=family.region_id, kind=kind, petition_level=petition_level,
            event_date=event_date, description=description.strip(), reported_by=acting_user,
            response_due=event_date + dt.timedelta(days=emergency_days(family.region_id, event_date)))
        answer = event_first_answer(event)
        if answer is not None:
            event_set_answer(event, answer)
        audit_record(actor=acting_user, action="event.reported", obj=event, object_repr=str(event),
                     changes={"kind": kind, "petition_level": petition_level, "event_date": event_date.isoformat()})
        label = event.get_kind_display() + (f"({event.get_petition_level_display()})" if petition_level else "")
        title = f"{family.region.name}{family.head_name}家发生{label},请于 {event.response_due:%m月%d日} 前上门"
        url = f"/families/{family.pk}/"
        recipients = list(_officers(family.region_id, COUNTY, Role.COUNTY))
        if petition_level in {PetitionLevel.PROVINCE, PetitionLevel.BEIJING}:
            recipients += list(_officers(family.region_id, CITY, Role.CITY))
        notify(users=recipients, kind="event", title=title, body=event.description, url=url,
               dedupe_key=f"event:{event.pk}", email=True, sms=kind == EventKind.PETITION)
    return event


def event_close(*, acting_user, event: MajorEvent, outcome: str) -> MajorEvent:
    """Close an event: only an officer, only after a face-to-face visit was recorded."""
    if not has_perm(acting_user, "event.close"):
        raise ValidationError("只有乡镇或县级干部可以办结重大事件")
    if event.state == MajorEvent.State.CLOSED:
        raise ValidationError("该事件已办结")
    if event.responded_on is None:
        raise ValidationError("尚未记录上门走访,不能办结")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "请填写处理结果"})
    with transaction.atomic():
        event.state = MajorEvent.State.CLOSED
        event.outcome = outcome.strip()
        event.closed_by = acting_user
        event.closed_at = timezone.now()
        event.save(update_fields=["state", "outcome", "closed_by", "closed_at"])
        audit_record(actor=acting_user, action="event.closed", obj=event, object_repr=str(event),
                     changes={"outcome": event.outcome})
    return event
