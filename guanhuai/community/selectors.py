"""Reads of trainings, scoped to the user's jurisdiction.

A user sees trainings organised inside their region and those organised by a
region above theirs (a county training that their township's contacts attend);
of each training's attendance list they see only the contacts they may see.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from guanhuai.accounts.roles import has_perm
from guanhuai.contacts.models import ContactPerson
from guanhuai.contacts.selectors import contacts_for_user
from guanhuai.regions.codes import PREFIX_LENGTH

from .models import Training, TrainingAttendance


def can_read_trainings(user) -> bool:
    return (has_perm(user, "training.manage") or has_perm(user, "oversight.view")) and user.region_id is not None


def trainings_for_user(user) -> QuerySet[Training]:
    if not can_read_trainings(user):
        return Training.objects.none()
    prefix = user.region.prefix
    above = [prefix[:k] + "0" * (12 - k) for k in sorted(set(PREFIX_LENGTH.values())) if k < len(prefix)]
    return Training.objects.filter(Q(region__code__startswith=prefix) | Q(region_id__in=above)).select_related("region")


def training_get_for_user(user, pk, *, write: bool = False) -> Training:
    """The training if the user may read it (for writes: organised inside the user's region), else 404."""
    if write and not has_perm(user, "training.manage"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    training = trainings_for_user(user).filter(pk=pk).first()
    if training is None or (write and not training.region_id.startswith(user.region.prefix)):
        raise Http404
    return training


def training_list(user, *, year: int | None = None) -> QuerySet[Training]:
    qs = trainings_for_user(user)
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.annotate(n_attended=Count("attendances", filter=Q(
        attendances__region__code__startswith=user.region.prefix) if user.region_id else Q(pk=None)))


def training_attendance(user, training: Training) -> QuerySet[TrainingAttendance]:
    return (training.attendances.filter(region__code__startswith=user.region.prefix)
            .select_related("contact", "contact__region").order_by("contact__region_id", "contact__name"))


def attendable_contacts(user, training: Training) -> QuerySet[ContactPerson]:
    """Contacts the user may mark as attending: active, in both the organiser's and the user's region."""
    prefix = max(training.region.prefix, user.region.prefix, key=len)
    return (contacts_for_user(user).filter(region__code__startswith=prefix, is_active=True)
            .order_by("region_id", "name", "id"))


def trained_in_year(year: int):
    return Exists(TrainingAttendance.objects.filter(contact=OuterRef("pk"), training__held_on__year=year))


def untrained_contacts(user, year: int, *, region_prefix: str | None = None) -> QuerySet[ContactPerson]:
    """Active contacts with no training attended in ``year`` (at least one a year is required)."""
    qs = contacts_for_user(user).filter(is_active=True)
    if region_prefix:
        qs = qs.filter(region__code__startswith=region_prefix)
    return (qs.annotate(trained=trained_in_year(year)).filter(trained=False)
            .select_related("region", "region__parent").order_by("region_id", "name", "id"))


def trainings_per_contact(contact_ids, year: int) -> dict[int, int]:
    """Trainings attended in ``year`` per contact, one grouped query."""
    return dict(TrainingAttendance.objects.filter(contact_id__in=contact_ids, training__held_on__year=year)
                .values("contact_id").annotate(n=Count("id")).values_list("contact_id", "n"))
