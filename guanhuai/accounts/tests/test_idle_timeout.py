"""A session ends after 30 idle minutes."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from conftest import login

from .conftest import travel

PROFILE = reverse("accounts:profile")


def set_last_seen(client, minutes_ago: float) -> None:
    session = client.session
    session["last_seen"] = int((timezone.now() - dt.timedelta(minutes=minutes_ago)).timestamp())
    session.save()


def test_it_ends_the_session_after_thirty_idle_minutes(village_contact):
    client = login(village_contact)
    assert client.get(PROFILE).status_code == 200
    set_last_seen(client, 31)
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/accounts/profile/"
    assert "_auth_user_id" not in client.session
    # Logged out for good, not just for one request.
    assert client.get(PROFILE).status_code == 302


def test_the_login_page_says_why(village_contact):
    client = login(village_contact)
    client.get(PROFILE)
    set_last_seen(client, 45)
    response = client.get(PROFILE, follow=True)
    assert "您已 30 分钟未操作,请重新登录" in response.content.decode()


def test_twenty_nine_idle_minutes_keep_the_session_and_renew_it(village_contact):
    client = login(village_contact)
    client.get(PROFILE)
    set_last_seen(client, 29)
    assert client.get(PROFILE).status_code == 200
    assert timezone.now().timestamp() - client.session["last_seen"] < 5


def test_activity_keeps_a_session_alive_beyond_thirty_minutes(village_contact):
    client = login(village_contact)
    client.get(PROFILE)
    for minutes in (20, 40, 60):
        with travel(dt.timedelta(minutes=minutes)):
            assert client.get(PROFILE).status_code == 200


def test_time_moving_on_without_requests_ends_the_session(village_contact):
    client = login(village_contact)
    client.get(PROFILE)
    with travel(dt.timedelta(minutes=31)):
        assert client.get(PROFILE).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_idle_api_session_gets_401_in_the_error_shape(village_contact):
    client = login(village_contact)
    assert client.get("/api/accounts/me").status_code == 200
    set_last_seen(client, 31)
    response = client.get("/api/accounts/me")
    assert response.status_code == 401
    assert response.json() == {"code": "session_expired", "message": "会话已超时,请重新登录", "fields": {}}
