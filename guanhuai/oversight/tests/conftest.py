import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.visits.services import visit_record


@pytest.fixture
def county_families(make_family):
    """Five families in 东城县 (two townships) and one in 南河县."""
    own = [make_family("510104001001", head_name=f"张{i}") for i in range(3)]
    own += [make_family("510104002001", head_name=f"李{i}") for i in range(2)]
    make_family("510105001001", head_name="南河王")
    return own


@pytest.fixture
def visited_family(family, county_officer):
    """桃园村 family with both contacts and two recorded visits by its first contact."""
    first = contact_create(acting_user=county_officer, region=family.region.parent, name="王乡干",
                           kind="township_cadre", phone="13900000001")
    second = contact_create(acting_user=county_officer, region=family.region, name="赵村干",
                            kind="village_cadre", phone="13900000002")
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first,
                   start_date=family.registered_on)
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=second,
                   start_date=family.registered_on)
    today = timezone.localdate()
    visits = [visit_record(acting_user=county_officer, family=family, contact=first,
                           data={"visit_date": today - dt.timedelta(days=d), "channel": "home"})
              for d in (3, 40)]
    return family, first, second, visits
