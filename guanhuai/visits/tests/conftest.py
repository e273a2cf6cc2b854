import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guanhuai.contacts.services import contact_create
from guanhuai.regions.models import Region
from guanhuai.visits.services import visit_record

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def png(name="photo.png", data=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def village_card(village_contact, county_officer):
    """The village contact's own contact card (the default contact of the visits they record)."""
    return contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"), name="周小梅",
                          kind="village_cadre", post="村妇女主任", phone="13900000009", user=village_contact)


@pytest.fixture
def record():
    """Record a visit through the service (defaults: today, home visit)."""

    def make(user, family, **data):
        payload = {"visit_date": timezone.localdate(), "channel": "home"}
        payload.update(data)
        return visit_record(acting_user=user, family=family, data=payload)

    return make


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
