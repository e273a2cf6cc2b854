"""Passwords: at least 8 characters and 3 of the 4 character classes, refused in Chinese."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import PASSWORD, login
from guanhuai.accounts.models import User

CHANGE_URL = reverse("accounts:password_change")


def change(client, new, old=PASSWORD):
    return client.post(CHANGE_URL, {"old_password": old, "new_password": new, "new_password2": new})


@pytest.mark.parametrize("password", ["Qw3#rty", "Zk7!"])
def test_it_refuses_a_password_shorter_than_eight_characters(village_contact, password):
    response = change(login(village_contact), password)
    assert response.status_code == 200
    assert "密码长度太短,至少需要 8 个字符" in response.content.decode()
    village_contact.refresh_from_db()
    assert village_contact.check_password(PASSWORD)


@pytest.mark.parametrize("password", ["qwertzuiop", "qwertz1234", "QWERTZ#$%&", "zq#x!v@k%w"])
def test_it_refuses_a_password_with_fewer_than_three_character_classes(village_contact, password):
    response = change(login(village_contact), password)
    assert response.status_code == 200
    assert "密码至少要包含大写字母、小写字母、数字、符号中的 3 类" in response.content.decode()
    village_contact.refresh_from_db()
    assert village_contact.check_password(PASSWORD)


@pytest.mark.parametrize("password", ["Qwertz12", "qwertz1#", "QWERTZ1#", "Qwertz#!"])
def test_it_accepts_eight_characters_with_three_classes(village_contact, password):
    response = change(login(village_contact), password)
    assert response.status_code == 302
    village_contact.refresh_from_db()
    assert village_contact.check_password(password)
    assert village_contact.password_changed_at is not None


def test_the_policy_is_the_one_every_password_goes_through():
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password("abcdefgh")
    assert any("3 类" in m for m in exc.value.messages)
    password_validation.validate_password("Abcdefg1#x")


def test_it_requires_the_old_password_for_a_voluntary_change(village_contact):
    response = change(login(village_contact), "Qwertz12#", old="Wrong#2026")
    assert "原密码不正确" in response.content.decode()
    village_contact.refresh_from_db()
    assert village_contact.check_password(PASSWORD)


def test_it_refuses_to_keep_the_same_password(village_contact):
    response = change(login(village_contact), PASSWORD)
    assert "新密码不能与原密码相同" in response.content.decode()


def test_it_refuses_two_different_new_passwords(village_contact):
    response = login(village_contact).post(CHANGE_URL, {"old_password": PASSWORD, "new_password": "Qwertz12#",
                                                        "new_password2": "Qwertz12$"})
    assert "两次输入的新密码不一致" in response.content.decode()
    assert User.objects.get(pk=village_contact.pk).check_password(PASSWORD)


def test_a_password_change_keeps_this_session_and_ends_the_others(village_contact):
    here, elsewhere = login(village_contact), login(village_contact)
    assert change(here, "Qwertz12#").status_code == 302
    assert here.get(reverse("accounts:profile")).status_code == 200
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
