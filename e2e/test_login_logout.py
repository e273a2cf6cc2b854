"""Signing in (a wrong password first) and signing out, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = pytest.mark.e2e


def test_a_wrong_password_is_refused_and_the_right_one_lets_the_user_in(page, village_contact):
    sign_in(page, "village_contact", "Wrong#Password1")
    expect(page.locator(".alert-danger")).to_contain_text("用户名或密码错误")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    village_contact.refresh_from_db()
    assert village_contact.failed_login_count == 1

    sign_in(page, "village_contact")
    expect(page.locator("h1")).to_contain_text("您好")
    expect(page.locator("nav")).to_contain_text("村级联系人")
    village_contact.refresh_from_db()
    assert village_contact.failed_login_count == 0


def test_signing_out_ends_the_session(page, village_contact):
    sign_in(page, "village_contact")
    page.click("nav .dropdown-toggle:has-text('村级联系人')")  # the account menu
    page.click("text=退出登录")
    expect(page.locator(".alert")).to_contain_text("您已安全退出")
    page.goto("/families/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.locator("input[name=username]")).to_be_visible()
