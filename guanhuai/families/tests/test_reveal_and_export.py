import io

from django.urls import reverse
from openpyxl import load_workbook

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent


def test_revealing_an_id_number_on_the_page_needs_a_reason(member, township_officer):
    client = login(township_officer)
    url = reverse("families:reveal", args=["id_number", member.pk])
    refused = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and "理由" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()
    response = client.post(url, {"reason": "核对补贴发放"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and member.id_number in response.content.decode()
    event = AuditEvent.objects.get(action="sensitive.reveal")
    assert event.object_id == str(member.pk) and event.reason == "核对补贴发放"
    assert event.region_code == "510104001001"


def test_revealing_outside_jurisdiction_is_404_and_not_logged(member, outsider):
    response = login(outsider).post(reverse("families:reveal", args=["id_number", member.pk]), {"reason": "x x"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()


def test_an_association_worker_sees_but_cannot_reveal(member, association_worker):
    client = login(association_worker)
    assert client.get(reverse("families:detail", args=[member.family_id])).status_code == 200
    response = client.post(reverse("families:reveal", args=["phone", member.pk]), {"reason": "回访"})
    assert response.status_code == 404


def test_an_auditors_reading_of_an_archive_is_logged(family, auditor):
    login(auditor).get(reverse("families:detail", args=[family.pk]))
    assert AuditEvent.objects.filter(action="family.viewed", actor=auditor, object_id=str(family.pk)).exists()


def test_the_export_is_masked_filtered_and_audited(make_family, county_officer):
    kept = make_family(head_name="导出甲", category="deceased")
    make_family(head_name="导出乙", category="disabled", disability_grade=2,
                members=[member_data(name="导出乙")])
    response = login(county_officer).get(reverse("families:export") + "?category=deceased")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "户主姓名"
    assert [r[3] for r in rows[1:]] == ["导出甲"]
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    for m in kept.members.all():
        assert m.id_number not in text and m.id_number_masked in text
    assert "13812345678" not in text and "138****5678" in text
    event = AuditEvent.objects.get(action="family.exported")
    assert event.changes["rows"] == 1 and event.changes["filters"] == {"category": "deceased"}


def test_export_is_not_offered_to_village_contacts(family, village_contact):
    assert login(village_contact).get(reverse("families:export")).status_code == 404


def test_the_history_page_shows_who_changed_what(family, township_officer):
    client = login(township_officer)
    client.post(reverse("families:edit", args=[family.pk]), {
        "region": family.region_id, "head_name": family.head_name, "category": "deceased",
        "registered_on": "2020-03-01", "health": "bedridden", "mental": "low", "living": "alone", "income": "dibao",
        "housing": "own", "pension": "resident", "medical": "resident", "address": family.address,
    })
    html = client.get(reverse("families:history", args=[family.pk])).content.decode()
    assert "身体状况" in html and "良好" in html and "失能卧床" in html
    assert "township_officer" in html


def test_searching_the_list_by_exact_id_number(make_family, county_officer):
    target = make_family(head_name="查找户", members=[member_data(name="查找户")])
    make_family(head_name="其他户", members=[member_data(name="其他户")])
    number = target.members.get().id_number
    html = login(county_officer).get(reverse("families:list"), {"q": number}).content.decode()
    assert "查找户" in html and "其他户" not in html


def test_leaving_the_bank_account_blank_on_edit_keeps_it(make_family, county_officer):
    family = make_family(bank_account="6222020200112233445", bank_name="农商银行")
    login(county_officer).post(reverse("families:edit", args=[family.pk]), {
        "region": family.region_id, "head_name": "改名户", "category": "deceased", "registered_on": "2020-03-01",
        "health": "good", "mental": "stable", "living": "alone", "income": "low", "housing": "own",
        "pension": "resident", "medical": "resident", "bank_account": "",
    })
    family.refresh_from_db()
    assert family.head_name == "改名户" and family.bank_account == "6222020200112233445"


def test_an_auditors_list_reads_are_logged_with_the_filters(family, auditor):
    login(auditor).get(reverse("families:list"), {"category": "deceased"})
    login(auditor).get("/api/families?health=good")
    events = AuditEvent.objects.filter(action="family.listed", actor=auditor).order_by("id")
    assert [e.changes["filters"] for e in events] == [{"category": "deceased"}, {"health": "good"}]
    assert all(e.changes["rows"] == 1 for e in events)
