"""The 双岗联系人 card on the family page: who the contacts are, history, and setting or replacing one."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import Assignment, CardIssue
from guanhuai.contacts.selectors import active_assignments
from guanhuai.contacts.services import assignment_set

from .conftest import START


def _page(user, family) -> str:
    response = login(user).get(reverse("families:detail", args=[family.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_family_page_shows_both_contacts_with_masked_phones(family, first_contact, second_contact,
                                                               county_officer, village_contact):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=second_contact,
                   start_date=START)
    html = _page(village_contact, family)
    assert "双岗联系人" in html
    assert "王乡干" in html and "副镇长" in html and "139****0001" in html and "13900000001" not in html
    assert "李村干" in html and "村委委员" in html
    assert "确定或更换联系人" not in html  # a village contact cannot change contacts
    assert "联系卡待发放" in html


def test_a_missing_contact_is_shown_in_red(family, township_officer):
    html = _page(township_officer, family)
    assert html.count('<span class="text-danger fw-semibold">未确定</span>') == 2


def test_a_manager_gets_a_form_offering_only_contacts_whose_region_holds_the_family(
        family, first_contact, second_contact, make_contact, township_officer):
    make_contact("510104001002", name="李庄村干", kind="village_cadre", phone="13900000004")
    html = _page(township_officer, family)
    assert "确定或更换联系人" in html
    assert f'value="{first_contact.pk}"' in html and f'value="{second_contact.pk}"' in html
    assert "李庄村干" not in html


def test_setting_a_contact_through_the_form_writes_the_assignment_and_queues_a_card(family, first_contact,
                                                                                  township_officer):
    response = login(township_officer).post(reverse("contacts:assign", args=[family.pk]), {
        "slot": "first", "contact": first_contact.pk, "start_date": START.isoformat(), "reason": "新建档"})
    assert response.status_code == 302
    assert response["Location"] == reverse("families:detail", args=[family.pk]) + "#contacts"
    assert [a.contact for a in active_assignments(family)["first"]] == [first_contact]
    assert Assignment.objects.get().reason == "新建档"
    assert CardIssue.objects.filter(family=family, state="pending").exists()
    assert AuditEvent.objects.filter(action="assignment.set", actor=township_officer).exists()


def test_replacing_a_contact_keeps_the_old_one_in_the_history(family, first_contact, make_contact, county_officer,
                                                             township_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    successor = make_contact(name="赵接任", phone="13900000009")
    later = timezone.localdate() - dt.timedelta(days=1)
    login(township_officer).post(reverse("contacts:assign", args=[family.pk]), {
        "slot": "first", "contact": successor.pk, "start_date": later.isoformat(), "reason": "工作调动"})
    assert [a.contact for a in active_assignments(family)["first"]] == [successor]
    html = _page(township_officer, family)
    assert "分工历史(2)" in html and "工作调动" in html


def test_a_refused_assignment_is_explained_and_changes_nothing(family, second_contact, township_officer):
    response = login(township_officer).post(reverse("contacts:assign", args=[family.pk]), {
        "slot": "first", "contact": second_contact.pk, "start_date": START.isoformat()}, follow=True)
    assert "第一联系人(乡镇)应由乡镇干部担任" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_contact_outside_the_jurisdiction_cannot_be_posted(family, make_contact, township_officer):
    elsewhere = make_contact("510104002000", name="西山干部", phone="13900000005")
    login(township_officer).post(reverse("contacts:assign", args=[family.pk]), {
        "slot": "first", "contact": elsewhere.pk, "start_date": START.isoformat()})
    assert not Assignment.objects.exists()


def test_a_village_contact_cannot_set_contacts(family, first_contact, village_contact):
    response = login(village_contact).post(reverse("contacts:assign", args=[family.pk]), {
        "slot": "first", "contact": first_contact.pk, "start_date": START.isoformat()})
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_an_outsider_cannot_set_contacts(family, first_contact, outsider):
    response = login(outsider).post(reverse("contacts:assign", args=[family.pk]), {
        "slot": "first", "contact": first_contact.pk, "start_date": START.isoformat()})
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_a_leader_pairing_is_shown_and_can_be_ended(family, make_contact, county_officer):
    leader = make_contact("510104000000", name="刘副县长", kind="leader", post="副县长", phone="13900000020")
    pairing = assignment_set(acting_user=county_officer, family=family, slot="leader", contact=leader,
                             start_date=START)
    html = _page(county_officer, family)
    assert "刘副县长" in html and "结束帮扶" in html
    response = login(county_officer).post(reverse("contacts:assignment_end", args=[pairing.pk]),
                                          {"end_date": "2025-06-30", "reason": "困难已解决"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.end_date == dt.date(2025, 6, 30) and pairing.end_reason == "困难已解决"


def test_a_village_contact_cannot_end_a_leader_pairing(family, make_contact, county_officer, village_contact):
    leader = make_contact("510104000000", name="刘副县长", kind="leader", phone="13900000020")
    pairing = assignment_set(acting_user=county_officer, family=family, slot="leader", contact=leader,
                             start_date=START)
    response = login(village_contact).post(reverse("contacts:assignment_end", args=[pairing.pk]),
                                           {"end_date": "2025-06-30", "reason": "x"})
    assert response.status_code == 404
    pairing.refresh_from_db()
    assert pairing.end_date is None
