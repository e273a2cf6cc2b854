import datetime as dt

import pytest

from guanhuai.contacts.services import contact_create
from guanhuai.regions.models import Region


@pytest.fixture
def make_contact(county_officer):
    def make(region_code="510104001000", *, name="王乡干", kind="township_cadre", phone="13900000001",
             post="副镇长", actor=None):
        return contact_create(acting_user=actor or county_officer, region=Region.objects.get(code=region_code),
                              name=name, kind=kind, post=post, phone=phone)

    return make


@pytest.fixture
def first_contact(make_contact):
    return make_contact()


@pytest.fixture
def second_contact(make_contact):
    return make_contact("510104001001", name="李村干", kind="village_cadre", post="村委委员", phone="13900000002")


START = dt.date(2025, 3, 3)
