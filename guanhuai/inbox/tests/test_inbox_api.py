"""The inbox API: a user's own notifications and marking them read."""

import pytest

from conftest import login
from guanhuai.inbox.models import Notification


@pytest.fixture
def notes(county_officer, township_officer):
    return [Notification.objects.create(user=county_officer, kind="event", title=f"通知{i}") for i in range(3)] + [
        Notification.objects.create(user=township_officer, kind="event", title="别人的通知")]


def test_the_list_has_only_the_callers_notifications_newest_first(notes, county_officer):
    body = login(county_officer).get("/api/inbox").json()
    assert body["count"] == 3 and body["unread"] == 3
    assert [n["title"] for n in body["results"]] == ["通知2", "通知1", "通知0"]


def test_marking_some_then_all_read(notes, county_officer):
    client = login(county_officer)
    response = client.post("/api/inbox/read", {"ids": [notes[0].pk, notes[3].pk]}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread": 2}
    notes[3].refresh_from_db()
    assert notes[3].read_at is None  # someone else's is untouched
    assert client.get("/api/inbox", {"unread_only": True}).json()["count"] == 2
    assert client.post("/api/inbox/read", {}, content_type="application/json").json() == {"marked": 2, "unread": 0}


def test_marking_one_read(notes, county_officer):
    response = login(county_officer).post(f"/api/inbox/{notes[1].pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    notes[1].refresh_from_db()
    assert notes[1].read_at is not None


def test_another_users_notification_is_404(notes, county_officer):
    response = login(county_officer).post(f"/api/inbox/{notes[3].pk}/read")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    notes[3].refresh_from_db()
    assert notes[3].read_at is None


def test_anonymous_callers_get_401(client):
    assert client.get("/api/inbox").status_code == 401
    assert client.post("/api/inbox/read", {}, content_type="application/json").status_code == 401
