"""Many failed logins from one address throttle that address, whatever the usernames."""

import datetime as dt

from django.test import Client, override_settings

from conftest import PASSWORD
from guanhuai.accounts.models import LoginFailure

from .conftest import is_logged_in, post_login, travel

ATTACKER = "203.0.113.9"


def spray(client, times, ip=ATTACKER):
    for n in range(times):
        post_login(client, f"guess{n}", "Guess#Pass1", ip=ip)


def test_it_throttles_an_address_after_twenty_failures(village_contact):
    client = Client()
    spray(client, 20)
    assert LoginFailure.objects.filter(ip=ATTACKER).count() == 20
    response = post_login(client, village_contact.username, ip=ATTACKER)
    assert "该地址登录失败次数过多" in response.content.decode()
    assert not is_logged_in(client)
    # The accounts themselves are not locked: the throttle is per address.
    village_contact.refresh_from_db()
    assert village_contact.locked_until is None


def test_nineteen_failures_do_not_throttle(village_contact):
    client = Client()
    spray(client, 19)
    assert post_login(client, village_contact.username, ip=ATTACKER).status_code == 302
    assert is_logged_in(client)


def test_other_addresses_are_not_throttled(village_contact):
    spray(Client(), 20)
    client = Client()
    assert post_login(client, village_contact.username, ip="198.51.100.7").status_code == 302
    assert is_logged_in(client)


def test_the_throttle_ends_after_the_lock_period(village_contact):
    client = Client()
    spray(client, 20)
    with travel(dt.timedelta(minutes=16)):
        assert post_login(client, village_contact.username, ip=ATTACKER).status_code == 302


@override_settings(LOGIN_IP_MAX_FAILURES=3, TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_client_cannot_dodge_the_throttle_by_forging_forwarded_for(village_contact):
    client = Client()
    for n in range(3):
        client.post("/accounts/login/", {"username": "x", "password": "Guess#Pass1"}, REMOTE_ADDR="10.9.9.9",
                    HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {ATTACKER}")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {ATTACKER}
    response = client.post("/accounts/login/", {"username": village_contact.username, "password": PASSWORD},
                           REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"5.6.7.8, {ATTACKER}")
    assert "该地址登录失败次数过多" in response.content.decode()
