"""The roster of contact persons: list, filter, search, create and edit, within the jurisdiction."""

import pytest
from django.urls import reverse

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import ContactPerson
from guanhuai.contacts.services import assignment_set

from .conftest import START


def test_the_roster_lists_contacts_in_jurisdiction_with_their_family_count(family, first_contact, make_contact,
                                                                           county_officer, township_officer,
                                                                           other_township_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    make_contact("510104002000", name="西山干部", phone="13900000005")
    response = login(township_officer).get(reverse("contacts:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王乡干" in html and "西山干部" not in html
    assert "13900000001" in html  # a manager sees the work number in full
    page = response.context["page"]
    assert [(c.name, c.active_families) for c in page] == [("王乡干", 1)]
    html = login(other_township_officer).get(reverse("contacts:list")).content.decode()
    assert "西山干部" in html and "王乡干" not in html


def test_a_reader_sees_contact_phones_masked(first_contact, auditor):
    html = login(auditor).get(reverse("contacts:list")).content.decode()
    assert "139****0001" in html and "13900000001" not in html
    assert AuditEvent.objects.filter(action="contact.listed", actor=auditor).exists()


def test_the_roster_filters_by_kind_region_state_and_name(first_contact, second_contact, make_contact,
                                                          county_officer):
    make_contact(name="赵离岗", phone="13900000006")
    ContactPerson.objects.filter(name="赵离岗").update(is_active=False)
    client = login(county_officer)

    def names(**query):
        return sorted(c.name for c in client.get(reverse("contacts:list"), query).context["page"])

    assert names(kind="village_cadre") == ["李村干"]
    assert names(region="510104001001") == ["李村干"]
    assert names(active="0") == ["赵离岗"]
    assert names(q="王") == ["王乡干"]
    assert names() == ["李村干", "王乡干", "赵离岗"]


def test_the_roster_query_count_does_not_grow_with_rows(make_contact, county_officer, django_assert_max_num_queries):
    for i in range(30):
        make_contact(name=f"干部{i}", phone=f"139000001{i:02d}")
    client = login(county_officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("contacts:list")).status_code == 200


def test_a_township_officer_registers_a_village_cadre(township_officer):
    response = login(township_officer).post(reverse("contacts:create"), {
        "region": "510104001002", "name": "周 村 干", "kind": "village_cadre", "post": "村委委员",
        "unit": "李庄村委会", "phone": "139-0000-0008"})
    contact = ContactPerson.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert (contact.name, contact.region_id, contact.phone) == ("周村干", "510104001002", "13900000008")
    assert AuditEvent.objects.filter(action="contact.created", object_id=str(contact.pk)).exists()


def test_a_region_outside_the_jurisdiction_cannot_be_chosen(township_officer):
    response = login(township_officer).post(reverse("contacts:create"), {
        "region": "510104002000", "name": "越界", "kind": "township_cadre", "phone": "13900000001"})
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not ContactPerson.objects.exists()


def test_a_bad_phone_is_shown_on_the_form(township_officer):
    response = login(township_officer).post(reverse("contacts:create"), {
        "region": "510104001000", "name": "王五", "kind": "township_cadre", "phone": "12ab"})
    assert response.context["form"].errors["phone"] == ["电话号码应为 7–12 位数字"]
    assert not ContactPerson.objects.exists()


def test_editing_a_contact_changes_the_post_and_is_audited(first_contact, township_officer):
    response = login(township_officer).post(reverse("contacts:edit", args=[first_contact.pk]), {
        "name": "王乡干", "kind": "township_cadre", "post": "镇长", "unit": "", "phone": "13900000001",
        "is_active": "on"})
    assert response.status_code == 302
    first_contact.refresh_from_db()
    assert first_contact.post == "镇长"
    assert AuditEvent.objects.get(action="contact.updated").changes == {"post": ["副镇长", "镇长"]}


def test_a_contact_still_holding_families_cannot_be_marked_as_left(family, first_contact, county_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    response = login(county_officer).post(reverse("contacts:edit", args=[first_contact.pk]), {
        "name": "王乡干", "kind": "township_cadre", "post": "副镇长", "phone": "13900000001"})
    assert response.status_code == 200
    assert "请先用“批量交接”" in response.context["form"].errors["is_active"][0]
    first_contact.refresh_from_db()
    assert first_contact.is_active


def test_the_contact_page_shows_their_families_and_history(family, first_contact, county_officer, township_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    response = login(township_officer).get(reverse("contacts:detail", args=[first_contact.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "张建国家" in html and "正在联系的家庭(1)" in html and "2025-03-03" in html


@pytest.mark.parametrize("name", ["contacts:create"])
def test_a_village_contact_cannot_manage_contacts(village_contact, name):
    client = login(village_contact)
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name), {"region": "510104001001", "name": "某", "kind": "village_cadre"}).status_code == 404
    assert not ContactPerson.objects.exists()


def test_a_village_contact_cannot_edit_a_contact(first_contact, village_contact):
    client = login(village_contact)
    assert client.post(reverse("contacts:edit", args=[first_contact.pk]), {"name": "改名", "kind": "township_cadre"}
                       ).status_code == 404
    first_contact.refresh_from_db()
    assert first_contact.name == "王乡干"


def test_an_outsider_gets_404_for_a_contact(first_contact, outsider):
    client = login(outsider)
    assert client.get(reverse("contacts:detail", args=[first_contact.pk])).status_code == 404
    assert client.post(reverse("contacts:edit", args=[first_contact.pk]), {"name": "改名"}).status_code == 404
    assert "王乡干" not in client.get(reverse("contacts:list")).content.decode()
