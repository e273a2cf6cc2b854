"""The events API: report, list (most overdue first), read, close."""

import pytest
from django.utils import timezone

from conftest import login
from guanhuai.inbox.models import Notification
from guanhuai.visits.models import MajorEvent

from .conftest import days_ago


def _report(client, family, **data):
    payload = {"family_id": family.pk, "kind": "illness", "event_date": timezone.localdate().isoformat(),
               "description": "突发脑梗住院"}
    payload.update(data)
    return client.post("/api/events", payload, content_type="application/json")


def test_reporting_opens_an_event_and_notifies_the_county(family, village_contact, county_officer):
    response = _report(login(village_contact), family)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "open" and body["kind_label"] == "重病" and body["visit_ids"] == []
    assert MajorEvent.objects.get().pk == body["id"]
    assert Notification.objects.filter(user=county_officer, kind="event").exists()


def test_a_petition_without_level_is_refused(family, village_contact):
    response = _report(login(village_contact), family, kind="petition")
    assert response.status_code == 422 and "petition_level" in response.json()["fields"]
    assert not MajorEvent.objects.exists()


@pytest.mark.parametrize("persona", ["city_officer", "auditor", "outsider"])
def test_readers_and_outsiders_cannot_report(family, persona, request):
    assert _report(login(request.getfixturevalue(persona)), family).status_code == 404
    assert not MajorEvent.objects.exists()


def test_the_list_puts_the_most_overdue_first(make_family, village_contact, county_officer, outsider):
    a, b = make_family(head_name="甲"), make_family(head_name="乙")
    client = login(village_contact)
    recent = _report(client, a, event_date=days_ago(0).isoformat()).json()
    overdue = _report(client, b, event_date=days_ago(8).isoformat()).json()
    body = login(county_officer).get("/api/events").json()
    assert [e["id"] for e in body["results"]] == [overdue["id"], recent["id"]]
    assert [e["overdue"] for e in body["results"]] == [True, False]
    assert login(county_officer).get("/api/events", {"overdue": True}).json()["count"] == 1
    assert login(outsider).get("/api/events").json()["count"] == 0


def test_closing_needs_the_visit_an_outcome_and_an_officer(family, village_contact, township_officer, record):
    event = _report(login(village_contact), family).json()
    url = f"/api/events/{event['id']}/close"
    officer = login(township_officer)
    early = officer.post(url, {"outcome": "已处理"}, content_type="application/json")
    assert early.status_code == 422 and early.json()["message"] == "尚未记录上门走访,不能办结"
    visit = record(village_contact, family, channel="emergency")
    assert login(village_contact).post(url, {"outcome": "已处理"}, content_type="application/json").status_code == 404
    response = officer.post(url, {"outcome": "协调住院报销"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "closed" and body["visit_ids"] == [visit.pk] and body["outcome"] == "协调住院报销"
    again = officer.post(url, {"outcome": "再次办结"}, content_type="application/json")
    assert again.status_code == 422 and again.json()["message"] == "该事件已办结"


def test_another_countys_event_is_404(family, village_contact, outsider):
    event = _report(login(village_contact), family).json()
    client = login(outsider)
    assert client.get(f"/api/events/{event['id']}").status_code == 404
    assert client.post(f"/api/events/{event['id']}/close", {"outcome": "x"},
                       content_type="application/json").status_code == 404
