import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import Assignment, CardIssue
from guanhuai.contacts.selectors import active_assignments
from guanhuai.contacts.services import assignment_set, contacts_bulk_reassign

from .conftest import START


def test_setting_first_and_second_contacts_queues_one_card(family, first_contact, second_contact, county_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=second_contact,
                   start_date=START)
    active = active_assignments(family)
    assert [a.contact for a in active["first"]] == [first_contact]
    assert [a.contact for a in active["second"]] == [second_contact]
    assert CardIssue.objects.filter(family=family, state="pending").count() == 1
    assert AuditEvent.objects.filter(action="assignment.set", object_id=str(family.pk)).count() == 2


def test_the_database_refuses_a_second_active_first_contact(family, first_contact, make_contact, county_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    other = make_contact(name="赵乡干", phone="13900000009")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(family=family, contact=other, slot="first", region_id=family.region_id,
                                  start_date=START, entered_at=timezone.now(), entry_deadline=START)


def test_replacing_a_contact_ends_the_old_assignment_and_keeps_history(family, first_contact, make_contact,
                                                                       county_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    successor = make_contact(name="赵乡干", phone="13900000009")
    later = START + dt.timedelta(days=30)
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=successor, start_date=later,
                   reason="工作调动")
    history = list(family.assignments.filter(slot="first").order_by("start_date"))
    assert [(a.contact, a.start_date, a.end_date) for a in history] == [
        (first_contact, START, later), (successor, later, None)]
    assert history[0].end_reason == "工作调动"


def test_a_village_cadre_cannot_be_first_contact(family, second_contact, county_officer):
    with pytest.raises(ValidationError, match="乡镇干部"):
        assignment_set(acting_user=county_officer, family=family, slot="first", contact=second_contact,
                       start_date=START)
    assert not Assignment.objects.exists()


def test_a_contact_whose_region_does_not_hold_the_family_is_refused(family, make_contact, county_officer):
    elsewhere = make_contact("510104002000", name="西山干部", phone="13900000005")
    with pytest.raises(ValidationError, match="不包含"):
        assignment_set(acting_user=county_officer, family=family, slot="first", contact=elsewhere, start_date=START)


def test_an_entry_later_than_five_working_days_is_flagged_not_refused(family, first_contact, county_officer):
    old = timezone.localdate() - dt.timedelta(days=30)
    late = assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact,
                          start_date=old)
    assert late.is_late and late.entry_deadline < timezone.localdate()


def test_an_entry_on_time_is_not_late(family, first_contact, county_officer):
    today = timezone.localdate()
    assignment = assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact,
                                start_date=today)
    assert not assignment.is_late and assignment.entry_deadline > today


def test_bulk_reassignment_moves_every_family_in_one_step(make_family, first_contact, make_contact, county_officer):
    families = [make_family(head_name=f"户{i}") for i in range(3)]
    for f in families:
        assignment_set(acting_user=county_officer, family=f, slot="first", contact=first_contact, start_date=START)
    CardIssue.objects.update(state="issued")
    successor = make_contact(name="接任人", phone="13900000010")
    moved = contacts_bulk_reassign(acting_user=county_officer, from_contact=first_contact, to_contact=successor,
                                   change_date=START + dt.timedelta(days=10), reason="退休")
    assert moved == 3
    for f in families:
        assert [a.contact for a in active_assignments(f)["first"]] == [successor]
    first_contact.refresh_from_db()
    assert not first_contact.is_active
    assert CardIssue.objects.filter(state="pending").count() == 3
    assert AuditEvent.objects.filter(action="contact.handover").get().changes["families"] == 3


def test_bulk_reassignment_is_all_or_nothing(make_family, first_contact, make_contact, county_officer):
    here = make_family(head_name="本镇户")
    there = make_family("510104002001", head_name="西山户")
    wide = make_contact("510104000000", name="县派干部", phone="13900000011")
    assignment_set(acting_user=county_officer, family=here, slot="first", contact=wide, start_date=START)
    assignment_set(acting_user=county_officer, family=there, slot="first", contact=wide, start_date=START)
    narrow = make_contact(name="东城镇干部", phone="13900000012")  # 东城镇 only: cannot take 西山户
    with pytest.raises(ValidationError):
        contacts_bulk_reassign(acting_user=county_officer, from_contact=wide, to_contact=narrow,
                               change_date=START + dt.timedelta(days=1), reason="调整")
    assert Assignment.objects.filter(contact=wide, end_date__isnull=True).count() == 2
    assert not Assignment.objects.filter(contact=narrow).exists()
    wide.refresh_from_db()
    assert wide.is_active


def test_an_exited_family_gets_no_new_contact(family, first_contact, county_officer):
    from guanhuai.families.services import family_exit

    family_exit(acting_user=county_officer, family=family, reason="moved_away", exit_date=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="已退出"):
        assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact,
                       start_date=START)
