"""Helpers for the account tests: logging in through the real login page."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD, _user
from guanhuai.accounts.roles import Role
from guanhuai.regions.models import Region

LOGIN_URL = reverse("accounts:login")


def post_login(client: Client, username: str, password: str = PASSWORD, *, ip: str = "10.0.0.1", next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN_URL, data, REMOTE_ADDR=ip)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@contextmanager
def travel(delta: dt.timedelta):
    """Move django.utils.timezone.now() forward by ``delta``."""
    target = timezone.now() + delta
    with mock.patch("django.utils.timezone.now", return_value=target):
        yield target


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def other_province_admin(regions):
    """An administrator of another province (44): none of 51's accounts are theirs."""
    Region.objects.create(code="440000000000", name="南方演示省", level=1, parent=None)
    return _user("admin_44", Role.ADMIN, "440000000000")


@pytest.fixture
def county_admin(regions):
    """An administrator bound to 南河县 only."""
    return _user("admin_510105", Role.ADMIN, "510105000000")
