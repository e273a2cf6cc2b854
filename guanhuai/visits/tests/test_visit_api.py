"""The visits API: record (the hot path), list, read, update, delete — same rules as the pages."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import login
from guanhuai.accounts.services import api_token_create
from guanhuai.audit.models import AuditEvent
from guanhuai.compliance.models import ObligationState
from guanhuai.visits.models import Visit
from guanhuai.visits.services import event_report

from .conftest import days_ago


def _post(client, payload, **extra):
    return client.post("/api/visits", payload, content_type="application/json", **extra)


def _visit(family, **data):
    payload = {"family_id": family.pk, "visit_date": timezone.localdate().isoformat(), "channel": "home"}
    payload.update(data)
    return payload


def test_recording_a_visit_returns_it_and_writes_it(family, village_contact, village_card):
    response = _post(login(village_contact), _visit(family, needs_raised="希望办理护理补贴",
                                                    health_observed="chronic"))
    assert response.status_code == 201
    body = response.json()
    visit = Visit.objects.get()
    assert body["id"] == visit.pk and body["channel_label"] == "上门走访" and body["family_name"] == "张建国"
    assert body["contact_id"] == village_card.pk and body["is_late"] is False
    assert visit.needs_raised == "希望办理护理补贴" and visit.contact == village_card and visit.participants == ""
    assert ObligationState.objects.filter(family=family, key="weekly_contact", base_status="met").exists()


def test_a_late_entry_is_accepted_and_flagged(family, village_contact):
    response = _post(login(village_contact), _visit(family, visit_date=days_ago(30).isoformat(), channel="phone"))
    assert response.status_code == 201 and response.json()["is_late"] is True
    assert Visit.objects.get().is_late


def test_a_future_date_is_refused_with_the_error_shape(family, village_contact):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _post(login(village_contact), _visit(family, visit_date=tomorrow))
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "走访日期不能晚于今天",
                               "fields": {"visit_date": ["走访日期不能晚于今天"]}}
    assert not Visit.objects.exists()


def test_a_date_before_registration_is_refused(family, village_contact):
    response = _post(login(village_contact), _visit(family, visit_date="2019-01-01"))
    assert response.status_code == 422 and "早于该家庭纳入登记" in response.json()["message"]


def test_an_unknown_channel_is_refused(family, village_contact):
    response = _post(login(village_contact), _visit(family, channel="pigeon"))
    assert response.status_code == 422 and response.json()["fields"]["channel"] == ["请选择联系方式"]


def test_a_contact_of_another_county_cannot_be_named(family, village_contact, regions, county_maker_contact):
    response = _post(login(village_contact), _visit(family, contact_id=county_maker_contact.pk))
    assert response.status_code == 422 and "contact_id" in response.json()["fields"]
    assert not Visit.objects.exists()


@pytest.fixture
def county_maker_contact(regions):
    from conftest import county_maker
    from guanhuai.contacts.services import contact_create
    from guanhuai.regions.models import Region

    return contact_create(acting_user=county_maker("510105001001"), region=Region.objects.get(code="510105001001"),
                          name="南河村干", kind="village_cadre")


@pytest.mark.parametrize("persona", ["city_officer", "auditor", "outsider"])
def test_readers_and_outsiders_get_404(family, persona, request):
    response = _post(login(request.getfixturevalue(persona)), _visit(family))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Visit.objects.exists()


def test_anonymous_callers_get_401(family, client):
    assert _post(client, _visit(family)).status_code == 401
    assert client.get("/api/visits").status_code == 401


def _queries_to_record(client, auth, family) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, _visit(family, channel="home"), **auth)
    assert response.status_code == 201
    return [q["sql"] for q in queries.captured_queries]


def test_recording_through_a_token_reads_little_and_does_not_grow_with_history(make_family, village_contact,
                                                                               village_card, record):
    _, raw = api_token_create(user=village_contact, name="手机")
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    fresh, busy = make_family(head_name="甲"), make_family(head_name="乙")
    for n in range(20):
        record(village_contact, busy, visit_date=days_ago(n), channel="phone" if n % 2 else "home")
    event_report(acting_user=village_contact, family=busy, kind="illness", event_date=days_ago(30), description="x")
    _queries_to_record(client, auth, make_family(head_name="丙"))  # warm the caches (calendar, profile)
    first, second = _queries_to_record(client, auth, fresh), _queries_to_record(client, auth, busy)
    # A family with a long history costs no more than a new one (a visit that changes no obligation's
    # standing even skips the village counters' update). 17 on PostgreSQL: the 17th is the upsert of the
    # township's visits-by-month-and-channel counter (compliance.visit_counts).
    assert len(second) <= len(first) <= 17, first
    # Before its one transaction the endpoint reads only the token (with user and region); the
    # transaction opens by reading the family, which also takes its row lock on PostgreSQL (so no
    # separate lock statement follows); no foreign key is fetched again to be validated.
    start = next(i for i, sql in enumerate(first) if sql.startswith("SAVEPOINT"))
    assert len(first[:start]) == 1 and "accounts_apitoken" in first[0], first[:start]
    assert "FROM families_family f JOIN regions_region" in first[start + 1], first[start + 1]
    assert first[start + 1].endswith("FOR UPDATE OF f") == (connection.vendor == "postgresql")
    assert not any(sql.startswith("SELECT id FROM families_family") for sql in first), first
    assert not any(sql.startswith('SELECT 1 AS "a"') for sql in first), first


def test_the_list_filters_and_stays_in_the_jurisdiction(family, make_family, village_contact, county_officer,
                                                        outsider, record):
    record(village_contact, family, visit_date=days_ago(40), channel="phone")
    record(village_contact, family, visit_date=days_ago(2), channel="home")
    client = login(county_officer)
    assert client.get("/api/visits").json()["count"] == 2
    late = client.get("/api/visits", {"late": True}).json()
    assert late["count"] == 1 and late["results"][0]["visit_date"] == days_ago(40).isoformat()
    assert client.get("/api/visits", {"channel": "home"}).json()["count"] == 1
    assert client.get("/api/visits", {"family_id": family.pk, "date_from": days_ago(10).isoformat()}).json()[
        "count"] == 1
    assert login(outsider).get("/api/visits").json()["count"] == 0


def test_read_update_and_delete(family, village_contact, record):
    visit = record(village_contact, family, channel="phone")
    client = login(village_contact)
    assert client.get(f"/api/visits/{visit.pk}").json()["channel"] == "phone"
    response = client.patch(f"/api/visits/{visit.pk}", {"channel": "meeting", "notes": "补充"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["channel"] == "meeting"
    visit.refresh_from_db()
    assert visit.channel == "meeting" and visit.notes == "补充"
    missing_reason = client.delete(f"/api/visits/{visit.pk}", {"reason": " "}, content_type="application/json")
    assert missing_reason.status_code == 422 and missing_reason.json()["fields"]["reason"] == ["请填写删除理由"]
    response = client.delete(f"/api/visits/{visit.pk}", {"reason": "录错家庭"}, content_type="application/json")
    assert response.status_code == 204
    assert not Visit.objects.exists()
    assert AuditEvent.objects.filter(action="visit.deleted", reason="录错家庭").exists()


def test_a_reader_can_read_but_not_change(family, village_contact, city_officer, record):
    visit = record(village_contact, family, channel="phone")
    client = login(city_officer)
    assert client.get(f"/api/visits/{visit.pk}").status_code == 200
    assert client.patch(f"/api/visits/{visit.pk}", {"notes": "x"}, content_type="application/json").status_code == 404
    assert client.delete(f"/api/visits/{visit.pk}", {"reason": "x"},
                         content_type="application/json").status_code == 404
    assert Visit.objects.filter(pk=visit.pk, notes="").exists()


def test_another_countys_visit_is_404_for_every_method(family, village_contact, outsider, record):
    visit = record(village_contact, family)
    client = login(outsider)
    assert client.get(f"/api/visits/{visit.pk}").status_code == 404
    assert client.patch(f"/api/visits/{visit.pk}", {"notes": "x"}, content_type="application/json").status_code == 404
    assert client.delete(f"/api/visits/{visit.pk}", {"reason": "x"},
                         content_type="application/json").status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()
