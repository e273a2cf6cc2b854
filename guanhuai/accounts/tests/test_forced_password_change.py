"""Accounts created (or reset) by an administrator must change password at first login."""

from django.test import Client
from django.urls import reverse

from conftest import login
from guanhuai.accounts.models import User
from guanhuai.accounts.services import api_token_create, user_reset_password
from guanhuai.audit.models import AuditEvent

from .conftest import bearer, is_logged_in, post_login

TEMP = "Temp#Pass2026"
NEW = "Mine#Pass2026"
CHANGE = reverse("accounts:password_change")


def create_through_the_page(admin_user) -> User:
    response = login(admin_user).post(reverse("accounts:user_new"), {
        "username": "new_clerk", "full_name": "王小红", "role": "village", "region": "510104001002",
        "password": TEMP, "phone": "", "email": "",
    })
    user = User.objects.get(username="new_clerk")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user_detail", args=[user.pk])
    return user


def test_an_account_created_by_an_administrator_must_change_password(admin_user):
    user = create_through_the_page(admin_user)
    assert user.must_change_password
    assert user.check_password(TEMP)


def test_first_login_goes_to_the_password_page(admin_user):
    create_through_the_page(admin_user)
    client = Client()
    response = post_login(client, "new_clerk", TEMP)
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert is_logged_in(client)


def test_every_other_page_redirects_until_the_password_is_changed(admin_user):
    create_through_the_page(admin_user)
    client = Client()
    post_login(client, "new_clerk", TEMP)
    for path in ["/", reverse("accounts:profile"), reverse("accounts:user_list"), reverse("accounts:totp_setup"),
                 reverse("families:list"), reverse("regions:browse")]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == CHANGE, path
    assert client.get(CHANGE).status_code == 200


def test_a_token_cannot_be_made_before_the_password_is_changed(admin_user):
    create_through_the_page(admin_user)
    client = Client()
    post_login(client, "new_clerk", TEMP)
    response = client.post(reverse("accounts:token_create"), {"name": "脚本"})
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert not User.objects.get(username="new_clerk").api_tokens.exists()


def test_the_api_answers_403_with_a_session(admin_user):
    create_through_the_page(admin_user)
    client = Client()
    post_login(client, "new_clerk", TEMP)
    response = client.get("/api/accounts/me")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_the_api_answers_403_with_a_token(admin_user):
    user = create_through_the_page(admin_user)
    _, raw = api_token_create(user=user, name="脚本")
    response = Client().get("/api/accounts/me", headers=bearer(raw))
    assert response.status_code == 403
    assert response.json() == {"code": "password_change_required", "message": "请先修改初始密码", "fields": {}}


def test_the_forced_change_needs_no_old_password_and_opens_the_system(admin_user):
    user = create_through_the_page(admin_user)
    client = Client()
    post_login(client, "new_clerk", TEMP)
    response = client.post(CHANGE, {"new_password": NEW, "new_password2": NEW})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get("/api/accounts/me").json()["username"] == "new_clerk"
    assert AuditEvent.objects.filter(action="account.password_changed", actor=user).exists()


def test_the_temporary_password_cannot_be_kept(admin_user):
    user = create_through_the_page(admin_user)
    client = Client()
    post_login(client, "new_clerk", TEMP)
    response = client.post(CHANGE, {"new_password": TEMP, "new_password2": TEMP})
    assert "新密码不能与原密码相同" in response.content.decode()
    user.refresh_from_db()
    assert user.must_change_password


def test_a_reset_by_the_administrator_forces_a_change_again(admin_user, village_contact):
    user_reset_password(acting_user=admin_user, user=village_contact, new_password=TEMP)
    client = Client()
    response = post_login(client, village_contact.username, TEMP)
    assert response["Location"] == CHANGE
    assert client.get(reverse("accounts:profile"))["Location"] == CHANGE
