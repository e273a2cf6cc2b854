"""Every write leaves an audit event: who, when, from where, on what, which changes (sensitive values masked)."""

import datetime as dt

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import login, member_data
from guanhuai.accounts.services import api_token_create
from guanhuai.audit.models import AuditEvent
from guanhuai.audit.services import diff_values


def token_client(user):
    _, raw = api_token_create(user=user, name="测试")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_an_account_write_records_actor_address_object_and_changes(admin_user):
    login(admin_user).post(reverse("accounts:user_new"), {
        "username": "zhao_clerk", "full_name": "赵丽", "role": "village", "region": "510104001001",
        "password": "Temp#Pass2026"}, REMOTE_ADDR="192.0.2.77")
    event = AuditEvent.objects.get(action="user.created")
    assert event.actor_id == admin_user.pk and event.actor_username == "admin"
    assert event.ip == "192.0.2.77"
    assert event.object_type == "user" and event.object_repr == "赵丽"
    assert event.region_code == "510104001001"
    assert abs(event.created_at - timezone.now()) < dt.timedelta(seconds=30)
    assert "Temp#Pass2026" not in str(event.changes)


def test_a_phone_change_is_recorded_masked(family, county_officer):
    member = family.members.get(role="mother")
    response = token_client(county_officer).patch(f"/api/families/members/{member.pk}", {"phone": "13900001234"},
                                                  content_type="application/json", REMOTE_ADDR="198.51.100.5")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="member.updated")
    assert event.actor_id == county_officer.pk and event.ip == "198.51.100.5"
    assert (event.object_type, event.object_id) == ("member", str(member.pk))
    assert event.region_code == "510104001001"
    assert event.changes == {"phone": ["138****5678", "139****1234"]}


def test_an_id_number_change_is_recorded_masked(family, county_officer):
    member = family.members.get(role="father")
    old = member.id_number
    new = member_data(birth=member.birth_date)["id_number"]
    response = token_client(county_officer).patch(f"/api/families/members/{member.pk}", {"id_number": new},
                                                  content_type="application/json")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="member.updated")
    assert event.changes == {"id_number": [old[:4] + "*" * 10 + old[-4:], new[:4] + "*" * 10 + new[-4:]]}
    assert old not in str(event.changes) and new not in str(event.changes)


def test_revealing_a_value_is_an_audited_event_with_the_reason(family, county_officer):
    member = family.members.get(role="mother")
    response = token_client(county_officer).post(f"/api/families/members/{member.pk}/reveal",
                                                 {"field": "phone", "reason": "电话回访核实"},
                                                 content_type="application/json")
    assert response.status_code == 200 and response.json()["value"] == "13812345678"
    event = AuditEvent.objects.get(action="sensitive.reveal")
    assert event.reason == "电话回访核实" and event.actor_id == county_officer.pk
    assert event.changes == {"field": "phone", "value": "138****5678"}


def test_an_outsiders_attempt_writes_nothing(family, outsider):
    member = family.members.get(role="mother")
    before = AuditEvent.objects.count()
    response = token_client(outsider).patch(f"/api/families/members/{member.pk}", {"phone": "13900001234"},
                                            content_type="application/json")
    assert response.status_code == 404
    assert AuditEvent.objects.exclude(action="api_token.created").count() == before
    member.refresh_from_db()
    assert member.phone == "13812345678"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_the_proxy_saw_is_recorded(admin_user, village_contact):
    login(admin_user).post(reverse("accounts:user_detail", args=[village_contact.pk]), {"action": "unlock"},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23")
    assert AuditEvent.objects.get(action="user.unlocked").ip == "198.51.100.23"


def test_without_a_trusted_proxy_forwarded_for_is_ignored(admin_user, village_contact):
    login(admin_user).post(reverse("accounts:user_detail", args=[village_contact.pk]), {"action": "unlock"},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.get(action="user.unlocked").ip == "10.0.0.2"


def test_diff_values_lists_only_changed_fields_and_masks_sensitive_ones():
    changes = diff_values(
        {"name": "张三", "phone": "13812345678", "bank_account": "6222021234567890123", "address": "一组"},
        {"name": "张三", "phone": "13912345678", "bank_account": "", "address": "二组"},
        sensitive={"phone": "phone", "bank_account": "bank_account"},
    )
    assert changes == {"address": ["一组", "二组"], "phone": ["138****5678", "139****5678"],
                       "bank_account": ["6222***********0123", ""]}
