"""Administrators manage accounts in their own region only; every action is audited."""

import datetime as dt
from unittest import mock

import pyotp
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, login
from guanhuai.accounts.models import User
from guanhuai.accounts.services import totp_begin, totp_disable, totp_enable
from guanhuai.audit.models import AuditEvent

from .conftest import is_logged_in, post_login

LIST = reverse("accounts:user_list")
NEW = reverse("accounts:user_new")


def detail(user) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def new_user_form(**overrides):
    data = {"username": "li_clerk", "full_name": "李文", "role": "township", "region": "510104002000",
            "password": "Temp#Pass2026", "phone": "13900001111", "email": ""}
    data.update(overrides)
    return data


def is_logged_in_after_login(user) -> bool:
    client = Client()
    post_login(client, user.username)
    return is_logged_in(client)


def test_anonymous_visitors_are_sent_to_login(village_contact):
    for path in [LIST, NEW, detail(village_contact)]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["village_contact", "county_officer", "province_officer", "auditor"])
def test_only_administrators_see_the_pages(request, persona, township_officer):
    client = login(request.getfixturevalue(persona))
    for path in [LIST, NEW, detail(township_officer)]:
        assert client.get(path).status_code == 404, path
    assert client.post(detail(township_officer), {"action": "deactivate"}).status_code == 404
    assert User.objects.get(pk=township_officer.pk).is_active


def test_the_list_shows_the_accounts_of_the_administrators_region(admin_user, village_contact, outsider):
    html = login(admin_user).get(LIST).content.decode()
    assert village_contact.username in html and outsider.username in html


def test_an_administrator_of_another_province_sees_none_of_them(other_province_admin, village_contact):
    client = login(other_province_admin)
    html = client.get(LIST).content.decode()
    assert village_contact.username not in html
    assert client.get(detail(village_contact)).status_code == 404
    for action in ["unlock", "deactivate", "reset_password"]:
        response = client.post(detail(village_contact), {"action": action, "password": "Other#Pass2026"})
        assert response.status_code == 404
    village_contact.refresh_from_db()
    assert village_contact.is_active and village_contact.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(object_type="user", object_id=str(village_contact.pk)).exists()


def test_a_county_administrator_cannot_reach_the_neighbouring_county(county_admin, village_contact):
    assert login(county_admin).get(detail(village_contact)).status_code == 404


def test_it_creates_an_account_and_audits_it(admin_user):
    response = login(admin_user).post(NEW, new_user_form(), REMOTE_ADDR="192.0.2.10")
    user = User.objects.get(username="li_clerk")
    assert response.status_code == 302 and response["Location"] == detail(user)
    assert user.role == "township" and user.region_id == "510104002000" and user.must_change_password
    assert user.check_password("Temp#Pass2026") and user.password != "Temp#Pass2026"
    event = AuditEvent.objects.get(action="user.created")
    assert (event.actor_id, event.ip, event.object_type, event.object_id) == (admin_user.pk, "192.0.2.10", "user",
                                                                              str(user.pk))
    assert event.region_code == "510104002000"
    assert event.changes == {"username": [None, "li_clerk"], "role": [None, "township"],
                             "region": [None, "510104002000"]}


def test_it_refuses_an_account_outside_the_administrators_region(county_admin):
    response = login(county_admin).post(NEW, new_user_form(region="510104002000"))
    assert response.status_code == 200
    assert "所选区划不在您的管辖范围内" in response.content.decode()
    assert not User.objects.filter(username="li_clerk").exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"password": "simplepassword"}, "3 类"),
    ({"region": "510104009999"}, "区划代码不存在"),
    ({"username": "admin"}, "用户名已存在"),
    ({"username": "有 空格"}, "用户名只能包含"),
])
def test_it_refuses_bad_accounts_with_a_chinese_message(admin_user, overrides, message):
    response = login(admin_user).post(NEW, new_user_form(**overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.filter(username=overrides.get("username", "li_clerk"), role="township").exists()
    assert not AuditEvent.objects.filter(action="user.created").exists()


def test_the_account_and_its_audit_event_are_written_together(admin_user):
    with mock.patch("guanhuai.accounts.services.audit_record", side_effect=RuntimeError("audit down")):
        with pytest.raises(RuntimeError):
            login(admin_user).post(NEW, new_user_form())
    assert not User.objects.filter(username="li_clerk").exists()


def test_it_unlocks_an_account(admin_user, village_contact):
    village_contact.locked_until = timezone.now() + dt.timedelta(minutes=10)
    village_contact.save(update_fields=["locked_until"])
    assert "账号已被锁定" in post_login(Client(), village_contact.username).content.decode()
    response = login(admin_user).post(detail(village_contact), {"action": "unlock"})
    assert response.status_code == 302
    village_contact.refresh_from_db()
    assert village_contact.locked_until is None
    assert AuditEvent.objects.filter(action="user.unlocked", actor=admin_user,
                                     object_id=str(village_contact.pk)).exists()
    client = Client()
    post_login(client, village_contact.username)
    assert is_logged_in(client)


def test_it_resets_a_password(admin_user, village_contact):
    response = login(admin_user).post(detail(village_contact), {"action": "reset_password",
                                                                "password": "Reset#Pass2026"})
    assert response.status_code == 302
    village_contact.refresh_from_db()
    assert village_contact.check_password("Reset#Pass2026") and village_contact.must_change_password
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.actor_id == admin_user.pk and "Reset#Pass2026" not in str(event.changes)


def test_a_weak_reset_password_is_refused(admin_user, village_contact):
    response = login(admin_user).post(detail(village_contact), {"action": "reset_password", "password": "short"},
                                      follow=True)
    assert "密码长度太短" in response.content.decode()
    village_contact.refresh_from_db()
    assert village_contact.check_password(PASSWORD) and not village_contact.must_change_password


def test_a_reset_ends_the_users_sessions(admin_user, village_contact):
    their_session = login(village_contact)
    login(admin_user).post(detail(village_contact), {"action": "reset_password", "password": "Reset#Pass2026"})
    assert their_session.get(reverse("accounts:profile")).status_code == 302


def test_it_deactivates_and_reactivates_an_account(admin_user, village_contact):
    their_session = login(village_contact)
    client = login(admin_user)
    client.post(detail(village_contact), {"action": "deactivate"})
    village_contact.refresh_from_db()
    assert not village_contact.is_active
    assert their_session.get(reverse("accounts:profile")).status_code == 302
    assert not is_logged_in_after_login(village_contact)
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.changes == {"is_active": [True, False]} and event.actor_id == admin_user.pk
    client.post(detail(village_contact), {"action": "activate"})
    village_contact.refresh_from_db()
    assert village_contact.is_active
    assert AuditEvent.objects.filter(action="user.activated").exists()


def test_an_administrator_cannot_deactivate_themselves(admin_user):
    response = login(admin_user).post(detail(admin_user), {"action": "deactivate"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).is_active


def test_it_turns_off_a_users_lost_second_factor(admin_user, township_officer):
    secret = totp_begin(user=township_officer)
    totp_enable(user=township_officer, code=pyotp.TOTP(secret).now())
    login(admin_user).post(detail(township_officer), {"action": "disable_totp"})
    township_officer.refresh_from_db()
    assert not township_officer.totp_enabled
    event = AuditEvent.objects.get(action="account.totp_disabled")
    assert event.actor_id == admin_user.pk and event.object_id == str(township_officer.pk)


def test_an_administrator_elsewhere_cannot_turn_off_a_second_factor(other_province_admin, township_officer):
    secret = totp_begin(user=township_officer)
    totp_enable(user=township_officer, code=pyotp.TOTP(secret).now())
    with pytest.raises(ValidationError):
        totp_disable(acting_user=other_province_admin, user=township_officer)
    assert User.objects.get(pk=township_officer.pk).totp_enabled
