"""The family page's 走访记录 card, and the open-events banner on every page of the family."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import login
from guanhuai.visits.services import event_close, event_report

from .conftest import days_ago


def test_the_family_page_shows_the_latest_visits_and_the_record_button(family, village_contact, record):
    for n in range(7):
        record(village_contact, family, visit_date=days_ago(n), channel="phone", needs_raised=f"诉求{n}")
    html = login(village_contact).get(reverse("families:detail", args=[family.pk])).content.decode()
    assert "走访记录" in html
    assert f"{reverse('visits:record')}?family={family.pk}" in html
    assert reverse("visits:family", args=[family.pk]) in html
    assert "诉求0" in html and "诉求4" in html and "诉求5" not in html  # the latest five


def test_readers_see_the_visits_but_no_record_button(family, village_contact, city_officer, record):
    record(village_contact, family, needs_raised="需要陪同就医")
    html = login(city_officer).get(reverse("families:detail", args=[family.pk])).content.decode()
    assert "需要陪同就医" in html
    assert f"{reverse('visits:record')}?family=" not in html


def test_a_family_without_visits_says_so(family, village_contact):
    html = login(village_contact).get(reverse("families:detail", args=[family.pk])).content.decode()
    assert "还没有走访记录" in html


@pytest.fixture
def open_event(family, village_contact):
    return event_report(acting_user=village_contact, family=family, kind="illness", event_date=days_ago(5),
                        description="突发脑梗住院")


@pytest.mark.parametrize("page", ["families:detail", "families:history", "families:edit", "families:member_add",
                                  "visits:family"])
def test_an_open_event_is_shown_on_every_page_of_the_family(open_event, village_contact, page):
    html = login(village_contact).get(reverse(page, args=[open_event.family_id])).content.decode()
    assert "重大事件:重病" in html
    assert reverse("visits:event_detail", args=[open_event.pk]) in html
    assert "上门已逾期" in html  # event five days ago, three days to respond


def test_the_banner_is_on_the_member_edit_page_too(open_event, village_contact):
    member = open_event.family.members.first()
    html = login(village_contact).get(reverse("families:member_edit", args=[member.pk])).content.decode()
    assert "重大事件:重病" in html


def test_a_closed_event_leaves_the_banner(open_event, village_contact, township_officer, record):
    record(village_contact, open_event.family, channel="emergency", visit_date=days_ago(4))
    open_event.refresh_from_db()
    event_close(acting_user=township_officer, event=open_event, outcome="已协调医保报销")
    html = login(village_contact).get(reverse("families:detail", args=[open_event.family_id])).content.decode()
    assert "重大事件:重病" not in html


def test_an_answered_event_says_it_waits_for_closing(open_event, village_contact, record):
    record(village_contact, open_event.family, channel="home", visit_date=timezone.localdate())
    html = login(village_contact).get(reverse("families:detail", args=[open_event.family_id])).content.decode()
    assert "待办结" in html and "上门已逾期" not in html
