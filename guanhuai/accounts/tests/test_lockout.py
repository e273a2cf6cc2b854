"""Five wrong passwords lock an account for fifteen minutes."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from guanhuai.accounts.models import LoginFailure
from guanhuai.audit.models import AuditEvent

from .conftest import is_logged_in, post_login, travel


def fail(client, user, times):
    for _ in range(times):
        response = post_login(client, user.username, "Wrong#Pass1")
        assert response.status_code == 200
    return response


def test_a_wrong_password_gives_the_same_message_as_an_unknown_user(village_contact):
    client = Client()
    wrong = post_login(client, village_contact.username, "Wrong#Pass1").content.decode()
    unknown = post_login(client, "nobody_here", "Wrong#Pass1").content.decode()
    assert "用户名或密码错误" in wrong and "用户名或密码错误" in unknown
    assert LoginFailure.objects.filter(username__in=[village_contact.username, "nobody_here"]).count() == 2


def test_it_locks_the_account_after_five_wrong_passwords(village_contact):
    client = Client()
    response = fail(client, village_contact, 5)
    assert "账号已锁定 15 分钟" in response.content.decode()
    village_contact.refresh_from_db()
    assert village_contact.locked_until is not None
    minutes = (village_contact.locked_until - dt.datetime.now(dt.UTC)).total_seconds() / 60
    assert 14 < minutes <= 15
    event = AuditEvent.objects.get(action="account.locked", object_id=str(village_contact.pk))
    assert event.object_type == "user" and event.region_code == village_contact.region_id
    assert AuditEvent.objects.filter(action="account.login_failed", object_id=str(village_contact.pk)).count() == 5


def test_a_locked_account_refuses_even_the_right_password(village_contact):
    client = Client()
    fail(client, village_contact, 5)
    response = post_login(client, village_contact.username)
    assert response.status_code == 200
    assert "账号已被锁定" in response.content.decode()
    assert not is_logged_in(client)


def test_four_wrong_passwords_do_not_lock_and_a_success_resets_the_count(village_contact):
    client = Client()
    fail(client, village_contact, 4)
    village_contact.refresh_from_db()
    assert village_contact.failed_login_count == 4 and village_contact.locked_until is None
    response = post_login(client, village_contact.username)
    assert response.status_code == 302 and is_logged_in(client)
    village_contact.refresh_from_db()
    assert village_contact.failed_login_count == 0


def test_the_account_is_still_locked_fourteen_minutes_later(village_contact):
    client = Client()
    fail(client, village_contact, 5)
    with travel(dt.timedelta(minutes=14)):
        response = post_login(client, village_contact.username)
    assert "账号已被锁定" in response.content.decode()
    assert not is_logged_in(client)


def test_it_unlocks_after_fifteen_minutes(village_contact):
    client = Client()
    fail(client, village_contact, 5)
    with travel(dt.timedelta(minutes=15, seconds=5)):
        response = post_login(client, village_contact.username)
        assert response.status_code == 302
        assert is_logged_in(client)
    village_contact.refresh_from_db()
    assert village_contact.locked_until is None and village_contact.failed_login_count == 0


def test_after_a_lock_expires_five_more_failures_lock_again(village_contact):
    client = Client()
    fail(client, village_contact, 5)
    with travel(dt.timedelta(minutes=16)):
        fail(client, village_contact, 4)
        village_contact.refresh_from_db()
        assert village_contact.failed_login_count == 4
        assert "账号已锁定" in fail(client, village_contact, 1).content.decode()
    assert AuditEvent.objects.filter(action="account.locked", object_id=str(village_contact.pk)).count() == 2


def test_an_unlocked_login_is_audited_with_the_source_address(village_contact):
    client = Client()
    post_login(client, village_contact.username, ip="192.0.2.44")
    event = AuditEvent.objects.get(action="account.login")
    assert event.actor_id == village_contact.pk and event.ip == "192.0.2.44"
    assert client.get(reverse("accounts:profile")).status_code == 200
