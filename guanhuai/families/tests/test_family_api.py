import datetime as dt
import json

import pytest

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.families.models import Family, Member, Status


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload, default=str), content_type="application/json")


def _patch(client, url, payload):
    return client.patch(url, data=json.dumps(payload, default=str), content_type="application/json")


def _family_payload(**overrides):
    payload = {
        "region_code": "510104001001",
        "head_name": "刘长青",
        "category": "disabled",
        "disability_grade": 3,
        "registered_on": "2019-07-01",
        "health": "chronic",
        "needs": ["need_daily_care", "need_comfort"],
        "bank_account": "6222020200112233445",
        "members": [member_data("father", name="刘长青", phone="13900001111")],
    }
    payload.update(overrides)
    return payload


def test_anonymous_api_calls_get_401(family, client):
    for url in ["/api/families", f"/api/families/{family.pk}", f"/api/families/{family.pk}/history"]:
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    assert _post(client, "/api/families", _family_payload()).status_code == 401


def test_creating_a_family_returns_masked_values_and_stores_ciphertext(county_officer):
    client = login(county_officer)
    response = _post(client, "/api/families", _family_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["bank_account_masked"] == "6222***********3445"
    assert body["members"][0]["phone_masked"] == "139****1111"
    assert set(body["needs"]) == {"need_daily_care", "need_comfort"}
    family = Family.objects.get(pk=body["id"])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM families_member WHERE family_id = %s", [family.pk])
        stored_id, stored_phone = cursor.fetchone()
    member = family.members.get()
    assert stored_id.startswith("v1$") and member.id_number not in stored_id
    assert stored_phone.startswith("v1$") and "13900001111" not in stored_phone
    event = AuditEvent.objects.get(action="family.created", object_id=str(family.pk))
    assert "6222020200112233445" not in json.dumps(event.changes, ensure_ascii=False)


def test_the_api_refuses_a_village_outside_jurisdiction_with_a_chinese_message(township_officer):
    response = _post(login(township_officer), "/api/families", _family_payload(region_code="510105001001"))
    assert response.status_code == 422
    assert "管辖范围" in response.json()["fields"]["region_code"][0]
    assert not Family.objects.exists()


def test_a_disabled_family_without_grade_is_refused(county_officer):
    response = _post(login(county_officer), "/api/families", _family_payload(disability_grade=None))
    assert response.status_code == 422
    assert "伤残等级" in response.json()["fields"]["disability_grade"][0]


def test_an_id_number_already_in_another_county_is_a_possible_duplicate_without_details(
    make_family, township_officer
):
    other = make_family("510105001001", head_name="机密户")
    number = other.members.first().id_number
    payload = _family_payload()
    payload["members"][0]["id_number"] = number
    payload["members"][0]["birth_date"] = str(other.members.first().birth_date)
    payload["members"][0]["sex"] = other.members.first().sex
    response = _post(login(township_officer), "/api/families", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "duplicate_id_number"
    text = json.dumps(body, ensure_ascii=False)
    assert "可能重复" in text and "辖区以外" in text
    assert "机密户" not in text and str(other.pk) not in text
    # Confirming creates it anyway, and the audit notes the possible duplicate.
    payload["confirm_duplicates"] = True
    assert _post(login(township_officer), "/api/families", payload).status_code == 201
    assert Member.objects.filter(id_number_bidx=other.members.first().id_number_bidx).count() == 2


def test_a_duplicate_inside_jurisdiction_names_the_family(make_family, county_officer):
    existing = make_family(head_name="王大山")
    number = existing.members.first()
    payload = _family_payload()
    payload["members"][0].update(id_number=number.id_number, birth_date=str(number.birth_date), sex=number.sex)
    body = _post(login(county_officer), "/api/families", payload).json()
    assert "王大山家" in json.dumps(body, ensure_ascii=False)


def test_an_outsider_gets_404_on_every_family_endpoint(family, outsider):
    client = login(outsider)
    member = family.members.first()
    assert client.get(f"/api/families/{family.pk}").status_code == 404
    assert client.get(f"/api/families/{family.pk}/history").status_code == 404
    assert _patch(client, f"/api/families/{family.pk}", {"head_name": "X"}).status_code == 404
    assert _post(client, f"/api/families/{family.pk}/exit", {"reason": "other", "exit_date": "2024-01-01",
                                                             "note": "x"}).status_code == 404
    assert _post(client, f"/api/families/{family.pk}/members", member_data()).status_code == 404
    assert _patch(client, f"/api/families/members/{member.pk}", {"name": "X"}).status_code == 404
    assert _post(client, f"/api/families/members/{member.pk}/reveal",
                 {"field": "id_number", "reason": "核对"}).status_code == 404
    assert client.get("/api/families").json()["count"] == 0
    family.refresh_from_db()
    assert family.head_name == "张建国" and family.status == Status.ACTIVE


def test_a_missing_family_and_an_out_of_jurisdiction_family_look_the_same(family, outsider):
    client = login(outsider)
    missing = client.get("/api/families/999999")
    hidden = client.get(f"/api/families/{family.pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_patch_changes_only_given_fields_and_is_audited_with_old_and_new(family, township_officer):
    response = _patch(login(township_officer), f"/api/families/{family.pk}", {"health": "serious",
                                                                               "risk_flags": ["petition"]})
    assert response.status_code == 200
    family.refresh_from_db()
    assert family.health == "serious" and family.risk_flags == ["petition"] and family.head_name == "张建国"
    event = AuditEvent.objects.filter(action="family.updated", object_id=str(family.pk)).get()
    assert event.changes["health"] == ["good", "serious"]
    assert event.actor_username == "township_officer"


def test_readers_cannot_write(family, city_officer, auditor):
    for user in (city_officer, auditor):
        response = _patch(login(user), f"/api/families/{family.pk}", {"health": "serious"})
        assert response.status_code == 404
    family.refresh_from_db()
    assert family.health == "good"


def test_exit_then_reinstate(family, township_officer):
    client = login(township_officer)
    response = _post(client, f"/api/families/{family.pk}/exit", {"reason": "rebirth", "exit_date": "2024-05-01"})
    assert response.status_code == 200 and response.json()["status"] == "exited"
    again = _post(client, f"/api/families/{family.pk}/exit", {"reason": "rebirth", "exit_date": "2024-05-01"})
    assert again.status_code == 422 and "已退出" in again.json()["message"]
    future = dt.date.today() + dt.timedelta(days=3)
    response = _post(client, f"/api/families/{family.pk}/reinstate", {"note": "误操作"})
    assert response.json()["status"] == "active"
    bad = _post(client, f"/api/families/{family.pk}/exit", {"reason": "rebirth", "exit_date": str(future)})
    assert bad.status_code == 422 and "晚于今天" in json.dumps(bad.json(), ensure_ascii=False)


def test_revealing_requires_a_reason_and_is_audited(family, village_contact):
    member = family.members.get(role="mother")
    client = login(village_contact)
    no_reason = _post(client, f"/api/families/members/{member.pk}/reveal", {"field": "phone", "reason": ""})
    assert no_reason.status_code == 422
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()
    response = _post(client, f"/api/families/members/{member.pk}/reveal", {"field": "phone", "reason": "电话回访"})
    assert response.status_code == 200 and response.json()["value"] == "13812345678"
    event = AuditEvent.objects.get(action="sensitive.reveal")
    assert event.reason == "电话回访" and event.actor_username == "village_contact"
    assert event.changes["value"] == "138****5678"


def test_city_officers_may_not_reveal(family, city_officer):
    member = family.members.first()
    response = _post(login(city_officer), f"/api/families/members/{member.pk}/reveal",
                     {"field": "id_number", "reason": "看看"})
    assert response.status_code == 404


def test_list_filters_and_search_by_exact_id_number(make_family, county_officer):
    a = make_family(head_name="甲", category="deceased", health="serious")
    b = make_family("510104002001", head_name="乙", category="disabled", disability_grade=1,
                    members=[member_data(name="乙某")], need_medical=True)
    client = login(county_officer)
    assert [f["id"] for f in client.get("/api/families?category=disabled").json()["results"]] == [b.pk]
    assert [f["id"] for f in client.get("/api/families?health=serious").json()["results"]] == [a.pk]
    assert [f["id"] for f in client.get("/api/families?need=need_medical").json()["results"]] == [b.pk]
    assert [f["id"] for f in client.get("/api/families?region=510104002000").json()["results"]] == [b.pk]
    number = b.members.first().id_number
    assert [f["id"] for f in client.get(f"/api/families?q={number}").json()["results"]] == [b.pk]
    assert [f["id"] for f in client.get("/api/families?q=乙某").json()["results"]] == [b.pk]


@pytest.mark.parametrize("page_size", [5, 20])
def test_the_list_query_count_does_not_grow_with_rows(make_family, county_officer, django_assert_max_num_queries,
                                                     page_size):
    for i in range(page_size):
        make_family(head_name=f"户{i}", members=[member_data(name=f"户{i}"), member_data("mother", sex="F")])
    client = login(county_officer)
    with django_assert_max_num_queries(10):
        response = client.get(f"/api/families?page_size={page_size}")
    assert len(response.json()["results"]) == page_size


def test_member_update_checks_the_id_number_against_the_birth_date(member, county_officer):
    response = _patch(login(county_officer), f"/api/families/members/{member.pk}", {"birth_date": "1970-01-01"})
    assert response.status_code == 422
    assert "出生日期" in json.dumps(response.json(), ensure_ascii=False)
    member.refresh_from_db()
    assert member.birth_date == dt.date(1962, 5, 17)


def test_deleting_a_member_needs_a_reason_and_keeps_one_member(family, county_officer):
    client = login(county_officer)
    father, mother = family.members.get(role="father"), family.members.get(role="mother")
    response = client.delete(f"/api/families/members/{father.pk}", data=json.dumps({"reason": ""}),
                             content_type="application/json")
    assert response.status_code == 422
    response = client.delete(f"/api/families/members/{father.pk}", data=json.dumps({"reason": "重复登记"}),
                             content_type="application/json")
    assert response.status_code == 204
    response = client.delete(f"/api/families/members/{mother.pk}", data=json.dumps({"reason": "x"}),
                             content_type="application/json")
    assert response.status_code == 422
    assert list(family.members.all()) == [mother]


def test_history_lists_changes_with_masked_ids(family, county_officer):
    member = family.members.get(role="father")
    client = login(county_officer)
    _patch(client, f"/api/families/{family.pk}", {"address": "新地址5号"})
    _patch(client, f"/api/families/members/{member.pk}", {"phone": "13700002222"})
    history = client.get(f"/api/families/{family.pk}/history").json()
    text = json.dumps(history, ensure_ascii=False)
    assert "新地址5号" in text
    assert "137****2222" in text and "13700002222" not in text
    assert history[0]["who"] == "county_officer"
