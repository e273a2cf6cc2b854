"""JSON API of trainings: the same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from guanhuai.accounts.roles import has_perm

from . import services
from .models import Training, TrainingKind
from .selectors import (
    can_read_trainings,
    training_attendance,
    training_get_for_user,
    training_list,
    untrained_contacts,
)

router = Router(tags=["社会关怀"])


class TrainingIn(Schema):
    title: str
    held_on: dt.date
    kind: str = TrainingKind.CLASSROOM
    place: str = ""
    note: str = ""


class AttendeeOut(Schema):
    contact_id: int
    name: str
    region_code: str
    kind: str


class TrainingOut(Schema):
    id: int
    region_code: str
    region_name: str
    held_on: dt.date
    title: str
    kind: str
    place: str
    note: str
    attendees: list[AttendeeOut] | None = None
    attended: int | None = None


class AttendanceIn(Schema):
    contact_ids: list[int] = []


class UntrainedOut(Schema):
    year: int
    total: int
    results: list[AttendeeOut]


def _out(t: Training, user, *, with_attendees: bool = False) -> TrainingOut:
    out = TrainingOut(id=t.pk, region_code=t.region_id, region_name=t.region.name, held_on=t.held_on, title=t.title,
                      kind=t.kind, place=t.place, note=t.note, attended=getattr(t, "n_attended", None))
    if with_attendees:
        out.attendees = [AttendeeOut(contact_id=a.contact_id, name=a.contact.name, region_code=a.contact.region_id,
                                     kind=a.contact.kind) for a in training_attendance(user, t)]
        out.attended = len(out.attendees)
    return out


@router.get("/trainings", response=list[TrainingOut], summary="培训记录(本辖区组织的和上级组织的)")
def list_trainings(request, year: int | None = None):
    user = request.auth
    if not can_read_trainings(user):
        raise Http404
    return [_out(t, user) for t in training_list(user, year=year).order_by("-held_on", "-id")[:500]]


@router.post("/trainings", response={201: TrainingOut}, summary="登记培训(乡镇、县级干部)")
def create_training(request, payload: TrainingIn):
    user = request.auth
    if not has_perm(user, "training.manage"):
        raise Http404
    training = services.training_create(acting_user=user, region=user.region, **payload.dict())
    return Status(201, _out(training, user, with_attendees=True))


@router.get("/trainings/untrained", response=UntrainedOut, summary="本年度(或指定年度)未参加培训的在岗联系人")
def untrained(request, year: int | None = None):
    user = request.auth
    if not can_read_trainings(user):
        raise Http404
    year = year or timezone.localdate().year
    contacts = untrained_contacts(user, year)
    return UntrainedOut(year=year, total=contacts.count(), results=[
        AttendeeOut(contact_id=c.pk, name=c.name, region_code=c.region_id, kind=c.kind) for c in contacts[:5000]])


@router.get("/trainings/{int:training_id}", response=TrainingOut, summary="培训详情和(本辖区的)参训人员")
def get_training(request, training_id: int):
    user = request.auth
    return _out(training_get_for_user(user, training_id), user, with_attendees=True)


@router.put("/trainings/{int:training_id}/attendance", response=TrainingOut,
            summary="设置参训人员(本辖区联系人;其他辖区的记录不变)")
def set_attendance(request, training_id: int, payload: AttendanceIn):
    user = request.auth
    training = training_get_for_user(user, training_id, write=True)
    services.training_attendance_set(acting_user=user, training=training, contact_ids=payload.contact_ids)
    return _out(training, user, with_attendees=True)
