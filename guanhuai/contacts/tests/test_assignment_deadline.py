"""A contact change has the policy profile's entry deadline (DOMAIN.md §2: within 5 working days in Sichuan),
counted in official working days and marked provisional when it runs into a year with no published calendar."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from guanhuai.compliance import profiles
from guanhuai.compliance.models import PolicyProfile, ProfileVersion, RegionProfile
from guanhuai.contacts.services import assignment_set, contacts_bulk_reassign
from guanhuai.workdays.calendar import add_working_days

from .conftest import START


@pytest.fixture
def county_profile_with_entry_days(regions):
    """Gives the county its own profile whose entry deadline is ``days`` working days."""
    def make(days: int) -> None:
        _county_profile_with_entry_days(regions, days)
    yield make
    profiles.clear_cache()  # the profile rows are rolled back with the test


def _county_profile_with_entry_days(regions, days: int) -> None:
    own = PolicyProfile.objects.create(code="county-own", name="本县政策")
    obligations = [o if o["kind"] != "entry_deadline" else {**o, "working_days": days}
                   for o in ProfileVersion.objects.get(profile__code="sichuan-2018").obligations]
    ProfileVersion.objects.create(profile=own, effective_from=dt.date(2020, 1, 1), obligations=obligations)
    RegionProfile.objects.create(region=regions["510104000000"], profile=own)
    profiles.clear_cache()


def test_the_deadline_is_the_profiles_entry_deadline_in_working_days(family, first_contact, county_officer):
    sichuan = assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact,
                             start_date=START)
    assert sichuan.entry_deadline == add_working_days(START, 5).date and not sichuan.entry_deadline_provisional


def test_a_county_profile_with_another_entry_deadline_moves_it(family, first_contact, make_contact, county_officer,
                                                                county_profile_with_entry_days):
    county_profile_with_entry_days(12)
    a = assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact,
                       start_date=START)
    assert a.entry_deadline == add_working_days(START, 12).date
    successor = make_contact(name="接任人", phone="13900000010")
    day = START + dt.timedelta(days=30)
    contacts_bulk_reassign(acting_user=county_officer, from_contact=first_contact, to_contact=successor,
                           change_date=day, reason="工作调动")
    moved = family.assignments.get(contact=successor)
    assert moved.entry_deadline == add_working_days(day, 12).date


def test_a_deadline_counted_into_an_unpublished_year_is_provisional_and_shown_so(
        family, first_contact, county_officer, monkeypatch):
    today = dt.date(2030, 12, 27)  # 2031 has no published calendar: Monday–Friday is assumed
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    a = assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact,
                       start_date=today)
    expected = add_working_days(today, 5)
    assert expected.provisional and (a.entry_deadline, a.entry_deadline_provisional) == (expected.date, True)
    page = login(county_officer).get(reverse("contacts:detail", args=[first_contact.pk])).content.decode()
    assert f"期限 {expected.date:%Y-%m-%d}(暂定)" in page
    api = login(county_officer).get(f"/api/contacts/families/{family.pk}/assignments")
    assert api.status_code == 200 and api.json()["first"]["entry_deadline_provisional"] is True
