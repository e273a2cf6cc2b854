"""An open major event is shown on every page of the family (issue 3 §3), also on the pages other apps
make for one family: its confirmation, its spot-check and survey records, its relief applications and
the page that deletes one of its visits."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from guanhuai.confirmations.services import confirmation_window_open
from guanhuai.oversight.services import spotcheck_plan
from guanhuai.oversight.services_survey import survey_plan
from guanhuai.relief.models import ReliefItem
from guanhuai.relief.services import application_apply
from guanhuai.relief.tests.conftest import all_documents, bereaved_members
from guanhuai.visits.services import event_report

from .conftest import days_ago


@pytest.fixture
def open_event(family, village_contact):
    return event_report(acting_user=village_contact, family=family, kind="accident", event_date=days_ago(1),
                        description="摔伤住院")


def _shows_the_event(html: str, event) -> bool:
    return "重大事件:意外" in html and reverse("visits:event_detail", args=[event.pk]) in html


def test_the_delete_visit_page(open_event, village_contact, record):
    visit = record(village_contact, open_event.family, channel="phone", visit_date=days_ago(0))
    html = login(village_contact).get(reverse("visits:delete", args=[visit.pk])).content.decode()
    assert _shows_the_event(html, open_event)


def test_the_confirmation_record_page(open_event, county_officer):
    today = timezone.localdate()
    window = confirmation_window_open(acting_user=county_officer, region=county_officer.region, year=today.year,
                                      start_date=today, end_date=today)
    response = login(county_officer).get(reverse("confirmations:record", args=[window.pk, open_event.family_id]))
    assert response.status_code == 200 and _shows_the_event(response.content.decode(), open_event)


def test_the_spot_check_and_survey_record_pages(open_event, county_officer, province_officer):
    check = spotcheck_plan(acting_user=county_officer, region=county_officer.region, title="抽查",
                           planned_on=timezone.localdate(), size=1, seed=1)
    item = check.items.get(family=open_event.family)
    html = login(county_officer).get(reverse("oversight:spotcheck_record", args=[check.pk, item.pk])).content.decode()
    assert _shows_the_event(html, open_event)
    survey = survey_plan(acting_user=province_officer, region=county_officer.region, title="调查",
                         year=timezone.localdate().year, planned_on=timezone.localdate(), share=Decimal(1), seed=1)
    row = survey.items.get(family=open_event.family)
    html = login(province_officer).get(reverse("oversight:survey_record", args=[survey.pk, row.pk])).content.decode()
    assert _shows_the_event(html, open_event)


def test_a_relief_application_page(make_family, village_contact):
    family = make_family(head_name="张建国", certificate_no="GR-2001-001", members=bereaved_members())
    event = event_report(acting_user=village_contact, family=family, kind="accident", event_date=days_ago(1),
                         description="摔伤住院")
    app = application_apply(acting_user=village_contact, family=family, item=ReliefItem.objects.get(code="emergency-comfort"),
                            reason="独生子女因病去世", documents=all_documents("emergency-comfort"))
    html = login(village_contact).get(reverse("relief:application", args=[app.pk])).content.decode()
    assert _shows_the_event(html, event)
