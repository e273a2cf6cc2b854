"""Optional TOTP second factor: set-up, login with a code, lockout on wrong codes."""

import datetime as dt

import pyotp
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import login
from guanhuai.accounts.models import User
from guanhuai.audit.models import AuditEvent

from .conftest import is_logged_in, post_login, travel

SETUP = reverse("accounts:totp_setup")
LOGIN_TOTP = reverse("accounts:login_totp")


def enable(client, user) -> str:
    page = client.get(SETUP)
    assert page.status_code == 200
    secret = User.objects.get(pk=user.pk).totp_secret
    assert secret and secret in page.content.decode()
    response = client.post(SETUP, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def wrong_code(secret: str) -> str:
    right = {pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * k)) for k in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in right)


def test_it_enables_totp_after_a_correct_code(township_officer):
    client = login(township_officer)
    enable(client, township_officer)
    township_officer.refresh_from_db()
    assert township_officer.totp_enabled
    assert AuditEvent.objects.filter(action="account.totp_enabled", actor=township_officer).exists()


def test_a_wrong_code_does_not_enable_it(township_officer):
    client = login(township_officer)
    client.get(SETUP)
    secret = User.objects.get(pk=township_officer.pk).totp_secret
    response = client.post(SETUP, {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not User.objects.get(pk=township_officer.pk).totp_enabled


def test_the_secret_is_encrypted_in_the_database(township_officer):
    client = login(township_officer)
    secret = enable(client, township_officer)
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [township_officer.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1$") and secret not in stored


def test_an_enabled_secret_is_never_shown_again(township_officer):
    client = login(township_officer)
    secret = enable(client, township_officer)
    page = client.get(SETUP).content.decode()
    assert "已启用" in page and secret not in page
    assert User.objects.get(pk=township_officer.pk).totp_secret == secret


def test_login_asks_for_the_code_after_the_password(township_officer):
    secret = enable(login(township_officer), township_officer)
    client = Client()
    response = post_login(client, township_officer.username)
    assert response.status_code == 302 and response["Location"] == LOGIN_TOTP
    assert not is_logged_in(client)
    assert client.get(reverse("accounts:profile")).status_code == 302
    response = client.post(LOGIN_TOTP, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_logged_in(client)


def test_the_code_step_keeps_the_next_page(township_officer):
    secret = enable(login(township_officer), township_officer)
    client = Client()
    post_login(client, township_officer.username, next_url="/regions/")
    response = client.post(LOGIN_TOTP, {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/regions/"


def test_a_wrong_code_does_not_log_in(township_officer):
    secret = enable(login(township_officer), township_officer)
    client = Client()
    post_login(client, township_officer.username)
    response = client.post(LOGIN_TOTP, {"code": wrong_code(secret)})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert not is_logged_in(client)
    assert User.objects.get(pk=township_officer.pk).failed_login_count == 1


def test_five_wrong_codes_lock_the_account(township_officer):
    secret = enable(login(township_officer), township_officer)
    client = Client()
    post_login(client, township_officer.username)
    for _ in range(4):
        client.post(LOGIN_TOTP, {"code": wrong_code(secret)})
    response = client.post(LOGIN_TOTP, {"code": wrong_code(secret)}, follow=True)
    assert "账号已锁定 15 分钟" in response.content.decode()
    township_officer.refresh_from_db()
    assert township_officer.locked_until is not None
    # The half-finished login is gone; even the right code does not help now.
    assert client.post(LOGIN_TOTP, {"code": pyotp.TOTP(secret).now()})["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)


def test_the_code_step_expires_after_five_minutes(township_officer):
    secret = enable(login(township_officer), township_officer)
    client = Client()
    post_login(client, township_officer.username)
    with travel(dt.timedelta(minutes=6)):
        response = client.post(LOGIN_TOTP, {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == reverse("accounts:login")
    assert not is_logged_in(client)


def test_the_code_page_without_a_password_step_goes_back_to_login(township_officer):
    response = Client().get(LOGIN_TOTP)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_a_user_can_turn_totp_off(township_officer):
    client = login(township_officer)
    enable(client, township_officer)
    assert client.post(reverse("accounts:totp_disable")).status_code == 302
    township_officer.refresh_from_db()
    assert not township_officer.totp_enabled and township_officer.totp_secret == ""
    assert AuditEvent.objects.filter(action="account.totp_disabled", actor=township_officer).exists()
