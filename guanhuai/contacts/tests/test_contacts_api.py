"""The contacts JSON API: same services and access rules as the pages."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import Assignment, CardIssue, ContactPerson
from guanhuai.contacts.services import assignment_set
from guanhuai.families.models import ImportJob

from .conftest import START
from .roster_files import roster, row


def _post(client, url, payload):
    return client.post(url, data=json.dumps(payload, default=str), content_type="application/json")


def _patch(client, url, payload):
    return client.patch(url, data=json.dumps(payload, default=str), content_type="application/json")


def test_anonymous_calls_get_401(family, first_contact, client):
    for url in ["/api/contacts", f"/api/contacts/{first_contact.pk}", f"/api/contacts/families/{family.pk}/assignments",
                "/api/contacts/coverage/510104000000", "/api/contacts/cards/pending"]:
        response = client.get(url)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert _post(client, "/api/contacts", {"region_code": "510104001000", "name": "某", "kind": "township_cadre"}
                 ).status_code == 401
    assert not ContactPerson.objects.exclude(pk=first_contact.pk).exists()


def test_listing_and_creating_contacts(first_contact, township_officer, auditor):
    client = login(township_officer)
    body = client.get("/api/contacts", {"q": "王"}).json()
    assert body["count"] == 1 and body["results"][0]["phone"] == "13900000001"
    assert login(auditor).get("/api/contacts").json()["results"][0]["phone"] == "139****0001"
    response = _post(client, "/api/contacts", {"region_code": "510104001001", "name": "周村干", "kind": "village_cadre",
                                               "post": "村委委员", "phone": "13900000008"})
    assert response.status_code == 201 and response.json()["region_name"] == "桃园村"
    assert ContactPerson.objects.filter(name="周村干", region_id="510104001001").exists()


def test_creation_errors_use_the_one_error_shape(township_officer):
    response = _post(login(township_officer), "/api/contacts",
                     {"region_code": "510104001000", "name": "王五", "kind": "township_cadre", "phone": "12ab"})
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "电话号码应为 7–12 位数字",
                               "fields": {"phone": ["电话号码应为 7–12 位数字"]}}
    response = _post(login(township_officer), "/api/contacts",
                     {"region_code": "510104002000", "name": "越界", "kind": "township_cadre"})
    assert response.status_code == 422 and "region_code" in response.json()["fields"]
    assert not ContactPerson.objects.exists()


def test_updating_a_contact(first_contact, township_officer, village_contact):
    response = _patch(login(township_officer), f"/api/contacts/{first_contact.pk}", {"post": "镇长"})
    assert response.status_code == 200 and response.json()["post"] == "镇长"
    assert _patch(login(village_contact), f"/api/contacts/{first_contact.pk}", {"post": "x"}).status_code == 404
    first_contact.refresh_from_db()
    assert first_contact.post == "镇长"


def test_setting_and_reading_a_familys_assignments(family, first_contact, second_contact, township_officer):
    client = login(township_officer)
    url = f"/api/contacts/families/{family.pk}/assignments"
    response = _post(client, url, {"slot": "first", "contact_id": first_contact.pk, "start_date": START})
    assert response.status_code == 201 and response.json()["contact_name"] == "王乡干"
    _post(client, url, {"slot": "second", "contact_id": second_contact.pk, "start_date": START})
    body = client.get(url).json()
    assert body["first"]["contact_name"] == "王乡干" and body["second"]["contact_phone_masked"] == "139****0002"
    assert body["card_pending"] and len(body["history"]) == 2


def test_an_unsuitable_contact_is_refused_with_a_reason(family, second_contact, make_contact, township_officer):
    client = login(township_officer)
    url = f"/api/contacts/families/{family.pk}/assignments"
    response = _post(client, url, {"slot": "first", "contact_id": second_contact.pk, "start_date": START})
    assert response.status_code == 422 and response.json()["message"] == "第一联系人(乡镇)应由乡镇干部担任"
    elsewhere = make_contact("510104002000", name="西山干部", phone="13900000005")
    response = _post(client, url, {"slot": "first", "contact_id": elsewhere.pk, "start_date": START})
    assert response.status_code == 422 and "contact_id" in response.json()["fields"]
    assert not Assignment.objects.exists()


def test_a_village_contact_and_an_outsider_cannot_set_assignments(family, first_contact, village_contact, outsider):
    url = f"/api/contacts/families/{family.pk}/assignments"
    for user in (village_contact, outsider):
        response = _post(login(user), url, {"slot": "first", "contact_id": first_contact.pk, "start_date": START})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Assignment.objects.exists()


def test_handover_first_counts_then_moves_all_or_nothing(make_family, first_contact, make_contact, county_officer):
    for i in range(2):
        assignment_set(acting_user=county_officer, family=make_family(head_name=f"户{i}"), slot="first",
                       contact=first_contact, start_date=START)
    successor = make_contact(name="接任人", phone="13900000010")
    client = login(county_officer)
    payload = {"from_contact_id": first_contact.pk, "to_contact_id": successor.pk, "change_date": "2025-04-01",
               "reason": "退休"}
    assert _post(client, "/api/contacts/handover", payload).json() == {"families": 2, "moved": False}
    assert not Assignment.objects.filter(contact=successor).exists()
    narrow = make_contact("510104001002", name="李庄村干", kind="village_cadre", phone="13900000004")
    refused = _post(client, "/api/contacts/handover", {**payload, "to_contact_id": narrow.pk, "confirm": True})
    assert refused.status_code == 422
    assert Assignment.objects.filter(contact=first_contact, end_date__isnull=True).count() == 2
    assert _post(client, "/api/contacts/handover", {**payload, "confirm": True}).json() == {"families": 2,
                                                                                            "moved": True}
    assert Assignment.objects.filter(contact=successor, end_date__isnull=True).count() == 2


def test_coverage_of_a_region(make_family, first_contact, county_officer, outsider):
    family = make_family(head_name="缺村干户")
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    body = login(county_officer).get("/api/contacts/coverage/510104000000").json()
    assert body["total"]["families"] == 1 and body["total"]["rate"] == 0
    assert body["missing"] == [{"family_id": family.pk, "head_name": "缺村干户", "region_code": "510104001001",
                                "village": "桃园村", "has_first": True, "has_second": False}]
    assert login(outsider).get("/api/contacts/coverage/510104000000").status_code == 404


def test_the_roster_export_masks_member_ids(family, first_contact, county_officer, outsider):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    response = login(county_officer).get("/api/contacts/roster/510104000000")
    assert response.status_code == 200
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[1][4] == family.members.get(role="father").id_number_masked
    assert family.members.get(role="father").id_number not in str(rows)
    assert AuditEvent.objects.filter(action="contacts.roster_exported").exists()
    assert login(outsider).get("/api/contacts/roster/510104000000").status_code == 404


def test_cards_pdf_pending_list_and_marking_issued(family, first_contact, county_officer, township_officer):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    client = login(township_officer)
    pending = client.get("/api/contacts/cards/pending").json()
    assert [c["family_id"] for c in pending] == [family.pk]
    pdf = client.get(f"/api/contacts/cards/families/{family.pk}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"WenQuanYiMicroHei" in pdf.content
    sheet = client.get("/api/contacts/cards/regions/510104001000")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    response = _post(client, "/api/contacts/cards/issued", {"family_ids": [family.pk], "issued_on": START})
    assert response.json() == {"issued": 1}
    assert CardIssue.objects.get(family=family).state == "issued"


def test_cards_of_another_county_are_404(family, first_contact, county_officer, outsider):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    client = login(outsider)
    assert client.get(f"/api/contacts/cards/families/{family.pk}").status_code == 404
    assert _post(client, "/api/contacts/cards/issued", {"family_ids": [family.pk], "issued_on": START}
                 ).status_code == 404
    assert CardIssue.objects.get(family=family).state == "pending"


def test_roster_import_through_the_api(family, county_officer, township_officer, django_capture_on_commit_callbacks):
    client = login(county_officer)
    stranger = member_data(name="路人")["id_number"]
    data = roster([row(1, family.members.get(role="father").id_number), row(2, stranger)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/contacts/imports", {"file": SimpleUploadedFile("名册.xlsx", data)})
    assert response.status_code == 201
    job_id = response.json()["id"]
    body = client.get(f"/api/contacts/imports/{job_id}").json()
    assert body["state"] == "checked" and body["error_rows"] == 1
    assert {r["row"]: bool(r["errors"]) for r in body["report"]} == {3: False, 4: True}
    assert client.get(f"/api/contacts/imports/{job_id}/errors").status_code == 200
    assert login(township_officer).get(f"/api/contacts/imports/{job_id}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/api/contacts/imports/{job_id}/commit", {})
    assert response.status_code == 200
    assert ImportJob.objects.get(pk=job_id).state == "committed"
    assert Assignment.objects.filter(family=family).count() == 2


@pytest.mark.parametrize("url", ["/api/contacts/imports"])
def test_a_village_contact_cannot_upload_a_roster(village_contact, url):
    response = login(village_contact).post(url, {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert response.status_code == 404
    assert not ImportJob.objects.exists()
