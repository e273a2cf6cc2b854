"""Auditors search the log by user, object, action and date range, within their jurisdiction only."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login
from guanhuai.accounts.services import api_token_create
from guanhuai.audit.services import audit_record

SEARCH = reverse("audit:search")
API = "/api/audit/events"
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def record(when, **kwargs):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit_record(**kwargs)


@pytest.fixture
def log(county_officer, village_contact, outsider):
    """Events in 东城县 (the auditor's county), in 南河县 (not), and one without a region."""
    return {
        "mine_1": record(at(1), actor=county_officer, action="family.created", object_type="family",
                         object_id="11", object_repr="张家", region_code="510104001001"),
        "mine_2": record(at(5), actor=village_contact, action="family.updated", object_type="family",
                         object_id="11", object_repr="张家", region_code="510104001001"),
        "mine_3": record(at(9, 23), actor=village_contact, action="member.updated", object_type="member",
                         object_id="31", object_repr="李秀英", region_code="510104001001"),
        "theirs": record(at(5), actor=outsider, action="family.updated", object_type="family",
                         object_id="12", object_repr="王家", region_code="510105001001"),
        "system": record(at(5), actor=None, action="regions.imported", object_type="region",
                         object_id="regions.csv"),
    }


def page_ids(client, **params) -> list[int]:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return [e.id for e in response.context["page"]]


def api_ids(client, **params) -> list[int]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()]


def ids(log, *names) -> list[int]:
    return sorted((log[n].id for n in names), reverse=True)


@pytest.fixture(params=["page", "api"])
def search(request, auditor):
    """The same questions asked through the page and the JSON API."""
    if request.param == "page":
        client = login(auditor)
        return lambda **params: page_ids(client, **params)
    _, raw = api_token_create(user=auditor, name="审计")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    return lambda **params: api_ids(client, **params)


def test_an_auditor_sees_only_events_in_the_jurisdiction(log, search):
    found = search()
    assert set(ids(log, "mine_1", "mine_2", "mine_3")) <= set(found)
    assert log["theirs"].id not in found and log["system"].id not in found


def test_it_filters_by_user(log, search):
    assert search(user="village_contact") == ids(log, "mine_2", "mine_3")


def test_it_filters_by_object(log, search):
    assert search(object_type="family", object_id="11") == ids(log, "mine_1", "mine_2")
    assert search(object_type="member") == ids(log, "mine_3")


def test_it_filters_by_action(log, search):
    assert search(action="family.updated") == ids(log, "mine_2")


def test_it_filters_by_date_range_in_local_days(log, search):
    assert search(date_from="2026-03-02", date_to="2026-03-09") == ids(log, "mine_2", "mine_3")
    assert search(date_from="2026-03-05", date_to="2026-03-05") == ids(log, "mine_2")
    assert search(date_to="2026-03-01") == ids(log, "mine_1")


def test_filtering_for_an_event_outside_the_jurisdiction_finds_nothing(log, search):
    assert search(object_type="family", object_id="12") == []
    assert search(user="outsider") == []


def test_a_province_administrator_also_sees_system_events(log, admin_user):
    found = page_ids(login(admin_user))
    assert {log[n].id for n in log} <= set(found)


def test_a_bad_date_shows_an_error_not_the_whole_log(log, auditor):
    response = login(auditor).get(SEARCH, {"date_from": "2026-13-45"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "有效的日期" in response.content.decode()
    assert login(auditor).get(API, {"date_from": "2026-13-45"}).status_code == 422


def test_the_page_shows_actor_action_and_changes(county_officer, auditor):
    record(at(3), actor=county_officer, action="member.updated", object_type="member", object_id="7",
           region_code="510104001001", changes={"phone": ["138****5678", "139****1234"]})
    html = login(auditor).get(SEARCH).content.decode()
    assert "county_officer" in html and "修改成员" in html and "138****5678" in html


def test_the_api_pages_with_limit_and_offset(log, auditor):
    client = login(auditor)
    first = api_ids(client, limit=2)
    second = api_ids(client, limit=2, offset=2)
    assert first == ids(log, "mine_2", "mine_3") and second == ids(log, "mine_1")


@pytest.mark.parametrize("persona", ["village_contact", "county_officer", "province_officer", "association_worker"])
def test_other_roles_get_404(log, request, persona):
    user = request.getfixturevalue(persona)
    assert login(user).get(SEARCH).status_code == 404
    response = login(user).get(API)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_anonymous_visitors_are_sent_to_login_or_get_401(db):
    response = Client().get(SEARCH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    response = Client().get(API)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
