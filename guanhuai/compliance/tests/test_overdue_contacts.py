"""Overdue lists name the responsible first and second contact (name and post, never the phone)."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import login, member_data
from guanhuai.compliance.selectors import overdue_list
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.regions.models import Region

PAST = dt.date(2025, 3, 19)
PHONES = ("13900000071", "13900000072")


@pytest.fixture
def served_and_unserved(make_family, county_officer):
    first = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001000"),
                           name="镇干赵", post="包村干部", kind="township_cadre", phone=PHONES[0])
    second = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                            name="村干钱", post="村委委员", kind="village_cadre", phone=PHONES[1])
    served = make_family(head_name="有人联系户", registered_on=dt.date(2024, 1, 1),
                         members=[member_data(name="有人联系户")])
    for slot, contact in (("first", first), ("second", second)):
        assignment_set(acting_user=county_officer, family=served, slot=slot, contact=contact,
                       start_date=dt.date(2024, 1, 1))
    unserved = make_family(head_name="无人联系户", registered_on=dt.date(2024, 1, 1),
                           members=[member_data(name="无人联系户")])
    return served, unserved


EXPECTED = {"first": {"name": "镇干赵", "post": "包村干部"}, "second": {"name": "村干钱", "post": "村委委员"}}


@pytest.mark.parametrize("day", [None, PAST], ids=["today", "past"])
def test_the_township_overdue_list_names_both_contacts(served_and_unserved, township_officer, day):
    served, unserved = served_and_unserved
    rows = overdue_list(township_officer, "510104001", day)
    mine = [r for r in rows if r.family_id == served.pk]
    assert mine and all((r.first_contact, r.second_contact) == ("镇干赵", "村干钱") for r in mine)
    assert all(r.contacts == EXPECTED for r in mine)
    assert all(r.contacts == {"first": None, "second": None} for r in rows if r.family_id == unserved.pk)


def test_the_county_page_shows_the_names_and_marks_a_missing_contact(served_and_unserved, county_officer):
    html = login(county_officer).get(reverse("compliance:region")).content.decode()
    row = next(line for line in html.split("<tr") if "有人联系户" in line)
    assert "镇干赵" in row and "村干钱" in row and "(缺)" not in row
    assert "包村干部" in row and "村委委员" in row and PHONES[0] not in row
    missing = next(line for line in html.split("<tr") if "无人联系户" in line)
    assert missing.count("(缺)") == 2


@pytest.mark.parametrize("date", ["", "&date=2025-03-19"], ids=["today", "past"])
def test_the_api_overdue_rows_carry_the_contacts_without_phones(served_and_unserved, county_officer, date):
    served, unserved = served_and_unserved
    response = login(county_officer).get(f"/api/compliance/report?region=510104000000{date}")
    body = response.json()
    rows = {r["family"]: r for r in body["overdue"]}
    assert {"family", "obligation", "due", "contacts"} == set(rows[served.pk])
    assert rows[served.pk]["contacts"] == EXPECTED
    assert rows[unserved.pk]["contacts"] == {"first": None, "second": None}
    assert not any(phone in response.content.decode() for phone in PHONES)


def test_the_report_command_adds_the_contacts_to_the_documented_keys(served_and_unserved, capsys):
    served, unserved = served_and_unserved
    call_command("compliance_report", "--region", "510104000000", "--date", PAST.isoformat(), "--json")
    out = capsys.readouterr().out
    rows = {r["family"]: r for r in json.loads(out)["overdue"]}
    assert set(rows[served.pk]) == {"family", "obligation", "due", "contacts"}
    assert rows[served.pk]["contacts"] == EXPECTED
    assert rows[unserved.pk]["contacts"] == {"first": None, "second": None}
    assert not any(phone in out for phone in PHONES)


def test_a_contact_assigned_after_the_date_is_not_named(served_and_unserved, county_officer):
    from guanhuai.contacts.models import Assignment

    served, _ = served_and_unserved
    Assignment.objects.filter(family=served, slot="second").update(start_date=timezone.localdate())
    rows = [r for r in overdue_list(county_officer, "510104", PAST) if r.family_id == served.pk]
    assert rows and all(r.contacts["second"] is None and r.contacts["first"]["name"] == "镇干赵" for r in rows)


def test_another_countys_officer_gets_404_and_anonymous_401(served_and_unserved, outsider, client):
    assert login(outsider).get("/api/compliance/report?region=510104000000").status_code == 404
    assert client.get("/api/compliance/report?region=510104000000").status_code == 401
    assert login(outsider).get(reverse("compliance:region_code", args=["510104000000"])).status_code == 404
