"""Contact cards: the queue of cards to hand out, the PDFs, and recording that the family got theirs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login, pdf_text
from guanhuai.audit.models import AuditEvent
from guanhuai.contacts.models import CardIssue
from guanhuai.contacts.services import assignment_set
from guanhuai.regions.models import Region

from .conftest import START


@pytest.fixture
def covered(family, first_contact, second_contact, county_officer):
    Region.objects.filter(code="510104000000").update(hotline="028-12320")
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=second_contact,
                   start_date=START)
    return family


def test_a_family_card_names_the_family_its_contacts_and_the_county_hotline(covered, village_contact):
    response = login(village_contact).get(reverse("contacts:family_card", args=[covered.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and b"WenQuanYiMicroHei" in pdf and b"/FontFile2" in pdf
    text = pdf_text(pdf)
    for words in ("张建国家", "东城镇 桃园村", "王乡干", "副镇长", "13900000001", "李村干", "村委委员", "13900000002",
                  "东城县服务热线:028-12320", f"{timezone.localdate():%Y年%m月%d日}"):
        assert words in text, words
    assert AuditEvent.objects.filter(action="card.printed", actor=village_contact).exists()


def test_the_pending_list_groups_cards_by_township(covered, make_family, county_officer):
    make_family("510104002001", head_name="西山户")  # no contacts, no card queued
    response = login(county_officer).get(reverse("contacts:cards"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(t.name, [c.family.head_name for c in cards]) for t, cards, _ in groups] == [("东城镇", ["张建国"])]
    assert reverse("contacts:region_cards", args=["510104001000"]) in response.content.decode()


def test_a_township_sheet_prints_its_pending_cards_eight_to_a_page(make_family, first_contact, county_officer,
                                                                   township_officer):
    for i in range(9):
        assignment_set(acting_user=county_officer, family=make_family(head_name=f"户{i}"), slot="first",
                       contact=first_contact, start_date=START)
    response = login(township_officer).get(reverse("contacts:region_cards", args=["510104001000"]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert text.count("王乡干") == 9 and text.count("\f") == 2
    event = AuditEvent.objects.get(action="card.printed")
    assert event.changes["cards"] == 9 and event.changes["scope"] == "待发放"


def test_printing_every_family_of_a_township(covered, make_family, township_officer):
    make_family(head_name="另一户")
    CardIssue.objects.update(state="issued")
    response = login(township_officer).get(reverse("contacts:region_cards", args=["510104001000"]), {"scope": "all"})
    text = pdf_text(response.content)
    assert "张建国家" in text and "另一户家" in text


def test_a_county_sheet_is_refused_with_a_message(covered, county_officer):
    response = login(county_officer).get(reverse("contacts:region_cards", args=["510104000000"]))
    assert response.status_code == 302 and response["Location"] == reverse("contacts:cards")


def test_marking_cards_handed_over_records_it(covered, township_officer):
    response = login(township_officer).post(reverse("contacts:cards_issued"), {
        "families": [covered.pk], "issued_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    card = CardIssue.objects.get(family=covered)
    assert card.state == "issued" and card.issued_by == township_officer
    assert AuditEvent.objects.filter(action="card.issued", object_id=str(covered.pk)).exists()
    assert login(township_officer).get(reverse("contacts:cards")).context["total"] == 0


def test_a_handover_date_in_the_future_is_refused(covered, township_officer):
    login(township_officer).post(reverse("contacts:cards_issued"), {
        "families": [covered.pk], "issued_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert CardIssue.objects.get(family=covered).state == "pending"


def test_families_of_another_county_cannot_be_marked(covered, outsider):
    login(outsider).post(reverse("contacts:cards_issued"), {"families": [covered.pk],
                                                            "issued_on": timezone.localdate().isoformat()})
    assert CardIssue.objects.get(family=covered).state == "pending"


def test_an_outsider_gets_404_for_cards(covered, outsider):
    client = login(outsider)
    assert client.get(reverse("contacts:family_card", args=[covered.pk])).status_code == 404
    assert client.get(reverse("contacts:region_cards", args=["510104001000"])).status_code == 404
    assert client.get(reverse("contacts:cards")).context["total"] == 0


def test_readers_without_edit_rights_cannot_print_cards(covered, auditor):
    assert login(auditor).get(reverse("contacts:family_card", args=[covered.pk])).status_code == 404
    assert login(auditor).get(reverse("contacts:cards")).status_code == 404
