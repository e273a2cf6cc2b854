"""Trainings of contact persons: held, attendance, and who had none this year (≥ 1 a year)."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.community.models import Training, TrainingAttendance
from guanhuai.contacts.services import contact_create

URL = "/api/community/trainings"


@pytest.fixture
def contacts(county_officer):
    from guanhuai.regions.models import Region

    def create(code, name, kind):
        return contact_create(acting_user=county_officer, region=Region.objects.get(code=code), name=name, kind=kind,
                              phone="13900000001")

    return {
        "east_town": create("510104001000", "王乡干", "township_cadre"),
        "east_village": create("510104001001", "赵村干", "village_cadre"),
        "west_village": create("510104002001", "钱村干", "village_cadre"),
    }


def _create(client, **body):
    body.setdefault("title", "双岗联系人业务培训")
    body.setdefault("held_on", (timezone.localdate() - dt.timedelta(days=3)).isoformat())
    return client.post(URL, body, content_type="application/json")


def test_a_county_officer_records_a_training_and_its_attendance(contacts, county_officer):
    client = login(county_officer)
    response = _create(client, kind="classroom", place="县卫健局会议室")
    assert response.status_code == 201, response.content
    tid = response.json()["id"]
    ids = [contacts["east_town"].pk, contacts["west_village"].pk]
    set_ = client.put(f"{URL}/{tid}/attendance", {"contact_ids": ids}, content_type="application/json")
    assert set_.status_code == 200 and {a["contact_id"] for a in set_.json()["attendees"]} == set(ids)
    assert TrainingAttendance.objects.filter(training_id=tid).count() == 2
    assert AuditEvent.objects.filter(action="training.attendance_set", object_id=str(tid)).exists()
    untrained = client.get(f"{URL}/untrained").json()
    assert [c["contact_id"] for c in untrained["results"]] == [contacts["east_village"].pk]


def test_a_township_officer_marks_only_own_contacts_and_keeps_others(contacts, county_officer, township_officer):
    county_training = _create(login(county_officer)).json()["id"]
    login(county_officer).put(f"{URL}/{county_training}/attendance", {"contact_ids": [contacts["west_village"].pk]},
                              content_type="application/json")
    client = login(township_officer)
    # A county training: the township reads it but may not change its attendance.
    assert client.get(f"{URL}/{county_training}").status_code == 200
    assert client.put(f"{URL}/{county_training}/attendance", {"contact_ids": []},
                      content_type="application/json").status_code == 404
    own = _create(client, title="镇级培训").json()["id"]
    refused = client.put(f"{URL}/{own}/attendance", {"contact_ids": [contacts["west_village"].pk]},
                         content_type="application/json")
    assert refused.status_code == 422 and "不在本辖区" in refused.json()["message"]
    ok = client.put(f"{URL}/{own}/attendance", {"contact_ids": [contacts["east_village"].pk]},
                    content_type="application/json")
    assert ok.status_code == 200
    assert TrainingAttendance.objects.filter(training_id=county_training).count() == 1
    # The township's list of untrained contacts is its own.
    assert [c["contact_id"] for c in client.get(f"{URL}/untrained").json()["results"]] == [contacts["east_town"].pk]


def test_untrained_page_lists_and_exports(contacts, county_officer):
    client = login(county_officer)
    page = client.get("/community/trainings/untrained/").content.decode()
    assert "王乡干" in page and "赵村干" in page and "3 人" in page
    xlsx = client.get("/community/trainings/untrained/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    trainings = client.get("/community/trainings/").content.decode()
    assert "尚未参加培训" in trainings


def test_the_pages_record_a_training_and_attendance(contacts, county_officer):
    client = login(county_officer)
    held = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post("/community/trainings/", {"title": "政策解读培训", "held_on": held, "kind": "online"})
    training = Training.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/community/trainings/{training.pk}/"
    saved = client.post(response["Location"], {"contact_ids": [str(contacts["east_village"].pk)]})
    assert saved.status_code == 302
    assert list(training.attendances.values_list("contact_id", flat=True)) == [contacts["east_village"].pk]
    bad = client.post("/community/trainings/", {"title": "", "held_on": held, "kind": "online"})
    assert bad.status_code == 200 and Training.objects.count() == 1


def test_attendance_of_a_future_training_is_refused(contacts, county_officer):
    client = login(county_officer)
    tid = _create(client, held_on=(timezone.localdate() + dt.timedelta(days=10)).isoformat()).json()["id"]
    response = client.put(f"{URL}/{tid}/attendance", {"contact_ids": [contacts["east_town"].pk]},
                          content_type="application/json")
    assert response.status_code == 422 and not TrainingAttendance.objects.exists()


def test_wrong_roles_and_outsiders(contacts, county_officer, village_contact, city_officer, outsider, auditor):
    tid = _create(login(county_officer)).json()["id"]
    for user in (village_contact, city_officer, auditor):
        assert _create(login(user)).status_code == 404, user
    assert login(village_contact).get(URL).status_code == 404
    assert login(outsider).get(f"{URL}/{tid}").status_code == 404
    assert login(outsider).put(f"{URL}/{tid}/attendance", {"contact_ids": []},
                               content_type="application/json").status_code == 404
    assert login(city_officer).get(f"{URL}/{tid}").status_code == 200
    assert login(auditor).get(f"/community/trainings/{tid}/").status_code == 200
    assert login(village_contact).get("/community/trainings/").status_code == 404
    assert Training.objects.count() == 1
