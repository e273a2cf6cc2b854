"""Bulk hand-over on its page: choose, see how many families will move, confirm; all or nothing."""

import datetime as dt

from django.urls import reverse

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import Assignment, CardIssue
from guanhuai.contacts.services import assignment_set

from .conftest import START

CHANGE = START + dt.timedelta(days=10)


def _form(source, target, **extra):
    return {"from_contact": source.pk, "to_contact": target.pk, "change_date": CHANGE.isoformat(),
            "reason": "退休", "mark_left": "on", **extra}


def test_the_first_step_shows_how_many_families_will_move_and_writes_nothing(make_family, first_contact,
                                                                            make_contact, county_officer):
    for i in range(3):
        assignment_set(acting_user=county_officer, family=make_family(head_name=f"户{i}"), slot="first",
                       contact=first_contact, start_date=START)
    successor = make_contact(name="接任人", phone="13900000010")
    response = login(county_officer).post(reverse("contacts:handover"), _form(first_contact, successor))
    assert response.status_code == 200 and response.context["confirm"]
    html = response.content.decode()
    assert "确认移交 3 户" in html and 'name="confirmed" value="1"' in html
    assert Assignment.objects.filter(contact=first_contact, end_date__isnull=True).count() == 3
    assert not Assignment.objects.filter(contact=successor).exists()


def test_confirming_moves_every_family_in_one_step(make_family, first_contact, make_contact, county_officer):
    families = [make_family(head_name=f"户{i}") for i in range(3)]
    for f in families:
        assignment_set(acting_user=county_officer, family=f, slot="first", contact=first_contact, start_date=START)
    CardIssue.objects.update(state="issued")
    successor = make_contact(name="接任人", phone="13900000010")
    response = login(county_officer).post(reverse("contacts:handover"), _form(first_contact, successor, confirmed="1"))
    assert response.status_code == 302 and response["Location"] == reverse("contacts:detail", args=[successor.pk])
    assert Assignment.objects.filter(contact=successor, end_date__isnull=True, start_date=CHANGE).count() == 3
    assert not Assignment.objects.filter(contact=first_contact, end_date__isnull=True).exists()
    first_contact.refresh_from_db()
    assert not first_contact.is_active and first_contact.left_on == CHANGE
    assert CardIssue.objects.filter(state="pending").count() == 3
    assert AuditEvent.objects.get(action="contact.handover").changes["families"] == 3


def test_a_hand_over_that_cannot_take_every_family_changes_nothing(make_family, make_contact, county_officer):
    wide = make_contact("510104000000", name="县派干部", phone="13900000011")
    for code in ("510104001001", "510104002001"):
        assignment_set(acting_user=county_officer, family=make_family(code, head_name="某户"), slot="first",
                       contact=wide, start_date=START)
    narrow = make_contact(name="东城镇干部", phone="13900000012")
    response = login(county_officer).post(reverse("contacts:handover"), _form(wide, narrow, confirmed="1"))
    assert response.status_code == 200
    assert "不包含" in str(response.context["form"].errors)
    assert Assignment.objects.filter(contact=wide, end_date__isnull=True).count() == 2
    assert not Assignment.objects.filter(contact=narrow).exists()
    wide.refresh_from_db()
    assert wide.is_active


def test_the_same_person_cannot_take_over_from_themselves(family, first_contact, county_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    response = login(county_officer).post(reverse("contacts:handover"), _form(first_contact, first_contact))
    assert response.context["form"].errors["to_contact"] == ["接任人不能是同一个人"]


def test_a_village_contact_cannot_hand_over(family, first_contact, make_contact, county_officer, village_contact):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    successor = make_contact(name="接任人", phone="13900000010")
    client = login(village_contact)
    assert client.get(reverse("contacts:handover")).status_code == 404
    assert client.post(reverse("contacts:handover"), _form(first_contact, successor, confirmed="1")).status_code == 404
    assert not Assignment.objects.filter(contact=successor).exists()


def test_an_outsider_cannot_choose_contacts_of_another_county(family, first_contact, make_contact, county_officer,
                                                              outsider):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    successor = make_contact(name="接任人", phone="13900000010")
    response = login(outsider).post(reverse("contacts:handover"), _form(first_contact, successor, confirmed="1"))
    assert response.status_code == 200 and "from_contact" in response.context["form"].errors
    assert not Assignment.objects.filter(contact=successor).exists()
