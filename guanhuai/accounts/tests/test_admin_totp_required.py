"""With REQUIRE_TOTP_FOR_ADMINS (on in prod), administrators must use a second factor."""

import pyotp
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import login
from guanhuai.accounts.models import User
from guanhuai.accounts.services import api_token_create

from .conftest import bearer

SETUP = reverse("accounts:totp_setup")
USERS = reverse("accounts:user_list")

required = override_settings(REQUIRE_TOTP_FOR_ADMINS=True)


@required
@pytest.mark.parametrize("path", [USERS, reverse("accounts:user_new"), reverse("accounts:profile"), "/", "/audit/"])
def test_an_administrator_without_totp_is_sent_to_set_it_up(admin_user, path):
    response = login(admin_user).get(path)
    assert response.status_code == 302 and response["Location"] == SETUP


@required
def test_the_api_refuses_an_administrator_without_totp(admin_user):
    response = login(admin_user).get("/api/accounts/me")
    assert response.status_code == 403 and response.json()["code"] == "totp_required"
    _, raw = api_token_create(user=admin_user, name="旧令牌")
    response = Client().get("/api/accounts/me", headers=bearer(raw))
    assert response.status_code == 403 and response.json()["code"] == "totp_required"


@required
def test_after_enabling_totp_the_administrator_gets_in(admin_user):
    client = login(admin_user)
    assert client.get(SETUP).status_code == 200
    secret = User.objects.get(pk=admin_user.pk).totp_secret
    client.post(SETUP, {"code": pyotp.TOTP(secret).now()})
    assert client.get(USERS).status_code == 200
    assert client.get("/api/accounts/me").status_code == 200


@required
def test_an_administrator_cannot_turn_the_required_totp_off(admin_user):
    client = login(admin_user)
    client.get(SETUP)
    client.post(SETUP, {"code": pyotp.TOTP(User.objects.get(pk=admin_user.pk).totp_secret).now()})
    response = client.post(reverse("accounts:totp_disable"), follow=True)
    assert "系统管理员必须启用双因素认证" in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).totp_enabled


@required
def test_other_roles_are_not_required_to_use_totp(county_officer):
    assert login(county_officer).get(reverse("accounts:profile")).status_code == 200


@override_settings(REQUIRE_TOTP_FOR_ADMINS=False)
def test_without_the_setting_an_administrator_needs_no_totp(admin_user):
    assert login(admin_user).get(USERS).status_code == 200
