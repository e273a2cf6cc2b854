"""Major events through the pages: report, detail, close rules, the county's open-events list and block."""

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from conftest import county_maker, login, member_data
from guanhuai.inbox.models import Notification
from guanhuai.visits.models import MajorEvent
from guanhuai.visits.services import event_report

from .conftest import days_ago


def _report(client, family, **data):
    payload = {"family": family.pk, "kind": "illness", "event_date": timezone.localdate().isoformat(),
               "description": "突发脑梗住院"}
    payload.update(data)
    return client.post(reverse("visits:event_report"), payload)


def test_reporting_an_event_opens_it_and_notifies_the_county(family, village_contact, county_officer):
    client = login(village_contact)
    page = client.get(reverse("visits:event_report"), {"family": family.pk})
    assert page.status_code == 200 and "信访倾向" in page.content.decode()
    response = _report(client, family)
    event = MajorEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visits:event_detail", args=[event.pk])
    assert event.state == "open" and event.reported_by == village_contact
    assert Notification.objects.filter(user=county_officer, kind="event").exists()


def test_a_petition_tendency_needs_its_level(family, village_contact, city_officer):
    client = login(village_contact)
    response = _report(client, family, kind="petition", description="扬言去省里上访")
    assert response.status_code == 200 and "信访倾向须选择层级" in response.content.decode()
    assert not MajorEvent.objects.exists()
    _report(client, family, kind="petition", petition_level="beijing", description="扬言进京上访")
    assert MajorEvent.objects.get().petition_level == "beijing"
    assert Notification.objects.filter(user=city_officer).exists()


def test_a_future_event_date_is_refused(family, village_contact):
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = _report(login(village_contact), family, event_date=tomorrow)
    assert "发生日期不能晚于今天" in response.content.decode()
    assert not MajorEvent.objects.exists()


@pytest.mark.parametrize("persona", ["city_officer", "auditor", "outsider"])
def test_readers_and_outsiders_cannot_report(family, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("visits:event_report"), {"family": family.pk}).status_code == 404
    assert _report(client, family).status_code == 404
    assert not MajorEvent.objects.exists()


@pytest.fixture
def event(family, village_contact):
    return event_report(acting_user=village_contact, family=family, kind="accident", event_date=days_ago(1),
                        description="摔伤住院")


def test_the_detail_offers_an_emergency_visit_and_links_it_once_recorded(event, village_contact, record):
    client = login(village_contact)
    html = client.get(reverse("visits:event_detail", args=[event.pk])).content.decode()
    assert "记录紧急上门" in html and "channel=emergency" in html
    visit = record(village_contact, event.family, channel="emergency")
    html = client.get(reverse("visits:event_detail", args=[event.pk])).content.decode()
    assert reverse("visits:detail", args=[visit.pk]) in html
    assert "记录紧急上门" not in html


def test_the_emergency_link_preselects_the_channel(event, village_contact):
    html = login(village_contact).get(reverse("visits:record"), {"family": event.family_id,
                                                                 "channel": "emergency"}).content.decode()
    assert 'value="emergency" class="btn-check" id="id_channel_5" required checked>' in html
    assert html.count(" checked>") == 1


def test_an_event_cannot_be_closed_before_a_face_to_face_visit(event, township_officer):
    response = login(township_officer).post(reverse("visits:event_close", args=[event.pk]), {"outcome": "已处理"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == "open"


def test_an_officer_closes_it_with_an_outcome_after_the_visit(event, village_contact, township_officer, record):
    record(village_contact, event.family, channel="emergency")
    client = login(township_officer)
    assert "办结" in client.get(reverse("visits:event_detail", args=[event.pk])).content.decode()
    client.post(reverse("visits:event_close", args=[event.pk]), {"outcome": ""})
    event.refresh_from_db()
    assert event.state == "open"
    client.post(reverse("visits:event_close", args=[event.pk]), {"outcome": "协调医保报销,家庭医生定期随访"})
    event.refresh_from_db()
    assert event.state == "closed" and event.closed_by == township_officer
    assert event.outcome == "协调医保报销,家庭医生定期随访"


@pytest.mark.parametrize("persona", ["village_contact", "city_officer", "auditor", "outsider"])
def test_only_township_and_county_officers_may_close(event, persona, village_contact, record, request):
    record(village_contact, event.family, channel="emergency")
    client = login(request.getfixturevalue(persona))
    response = client.post(reverse("visits:event_close", args=[event.pk]), {"outcome": "已处理"})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.state == "open"


def test_the_open_events_list_puts_the_most_overdue_first_in_red(make_family, village_contact, county_officer):
    a = make_family("510104001001", head_name="甲")
    b = make_family("510104001001", head_name="乙")
    c = make_family("510104001001", head_name="丙")
    recent = event_report(acting_user=village_contact, family=a, kind="illness", event_date=days_ago(0),
                          description="x")
    oldest = event_report(acting_user=village_contact, family=b, kind="death", event_date=days_ago(10),
                          description="x")
    older = event_report(acting_user=village_contact, family=c, kind="disaster", event_date=days_ago(6),
                         description="x")
    response = login(county_officer).get(reverse("visits:events"))
    assert [e.pk for e in response.context["page"]] == [oldest.pk, older.pk, recent.pk]
    html = response.content.decode()
    assert html.count('class="event-overdue"') == 2


def test_the_open_events_block_shows_only_the_jurisdiction(make_family, village_contact, county_officer, outsider,
                                                           regions):
    mine = make_family("510104001001", head_name="甲")
    theirs = make_family("510105001001", head_name="南河户", members=[member_data(name="南河户", area="510105")])
    event_report(acting_user=village_contact, family=mine, kind="illness", event_date=days_ago(5), description="x")
    event_report(acting_user=county_maker_for(theirs), family=theirs, kind="death", event_date=days_ago(1),
                 description="x")
    template = Template('{% include "visits/_open_events.html" %}')
    for user, shown, hidden in ((county_officer, "甲家", "南河户家"), (outsider, "南河户家", "甲家")):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(RequestContext(request, {}))
        assert shown in html and hidden not in html
    request = RequestFactory().get("/")
    request.user = county_officer
    html = template.render(RequestContext(request, {}))
    assert "其中 1 件逾期未上门" in html and "list-group-item-danger" in html
    assert "没有待处理的重大事件" in template.render(Context({}))  # no request, no user: nothing listed


def county_maker_for(family):
    return county_maker(family.region_id)


def test_a_closed_event_is_listed_under_closed(event, village_contact, township_officer, record, county_officer):
    record(village_contact, event.family, channel="home")
    login(township_officer).post(reverse("visits:event_close", args=[event.pk]), {"outcome": "已处理"})
    client = login(county_officer)
    assert len(client.get(reverse("visits:events")).context["page"]) == 0
    assert [e.pk for e in client.get(reverse("visits:events"), {"state": "closed"}).context["page"]] == [event.pk]


def test_an_event_of_another_county_is_404(event, outsider):
    client = login(outsider)
    assert client.get(reverse("visits:event_detail", args=[event.pk])).status_code == 404
    assert client.post(reverse("visits:event_close", args=[event.pk]), {"outcome": "x"}).status_code == 404


def test_an_event_reported_after_the_visit_shows_that_visit(family, village_contact, record):
    visit = record(village_contact, family, channel="home", visit_date=days_ago(1))
    event = event_report(acting_user=village_contact, family=family, kind="illness", event_date=days_ago(2),
                         description="住院")
    assert event.responded_on == days_ago(1)
    html = login(village_contact).get(reverse("visits:event_detail", args=[event.pk])).content.decode()
    assert reverse("visits:detail", args=[visit.pk]) in html


def test_deleting_the_answering_visit_hands_the_event_to_the_next_one(family, village_contact, record):
    from guanhuai.visits.services import visit_delete

    event = event_report(acting_user=village_contact, family=family, kind="illness", event_date=days_ago(5),
                         description="住院")
    first = record(village_contact, family, channel="home", visit_date=days_ago(4))
    second = record(village_contact, family, channel="meeting", visit_date=days_ago(2))
    visit_delete(acting_user=village_contact, visit=first, reason="录重了")
    event.refresh_from_db()
    second.refresh_from_db()
    assert event.responded_on == days_ago(2) and second.event == event
