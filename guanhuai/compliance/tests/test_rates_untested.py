"""Rates and deadlines the older tests left open: late event answers, 补录 visits and the profile's own numbers."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import county_maker, member_data
from guanhuai.compliance.models import PolicyProfile, ProfileVersion
from guanhuai.compliance.selectors import overdue_for_families, rates_by_child_region, rates_for
from guanhuai.compliance.services import profile_version_create, region_profile_set
from guanhuai.families.models import Family
from guanhuai.regions.models import Region
from guanhuai.visits.models import MajorEvent
from guanhuai.visits.services import event_report, visit_record

EVENT = dt.date(2025, 3, 3)  # a Monday; Sichuan: a face-to-face visit due by 3-06


def _event_answered_on(family, officer, answered: dt.date, event_date: dt.date = EVENT) -> MajorEvent:
    event = event_report(acting_user=officer, family=family, kind="illness", event_date=event_date,
                         description="突发疾病住院")
    visit_record(acting_user=officer, family=family, data={"visit_date": answered, "channel": "home"})
    event.refresh_from_db()
    assert event.responded_on == answered
    return event


@pytest.fixture
def one_late_one_in_time(make_family, county_officer):
    prompt = make_family(head_name="及时户", registered_on=dt.date(2024, 1, 1), members=[member_data(name="及时户")])
    late = make_family(head_name="迟到户", registered_on=dt.date(2024, 1, 1), members=[member_data(name="迟到户")])
    _event_answered_on(prompt, county_officer, EVENT + dt.timedelta(days=1))
    _event_answered_on(late, county_officer, EVENT + dt.timedelta(days=7))
    return prompt, late


def test_a_late_answer_does_not_count_as_in_time_on_a_past_date(one_late_one_in_time):
    report = rates_for(Family.objects.all(), dt.date(2025, 3, 19))
    assert report.counts["emergency_in_time"] == (1, 2) and report.rates["emergency_in_time"] == 0.5


def test_an_event_answered_late_is_on_the_past_dates_overdue_list_until_answered(one_late_one_in_time):
    prompt, late = one_late_one_in_time
    before_answer = overdue_for_families(Family.objects.all(), dt.date(2025, 3, 8))
    events = [r for r in before_answer if r.key == "emergency_visit"]
    assert [(r.family_id, r.due) for r in events] == [(late.pk, dt.date(2025, 3, 6))]
    assert "重大事件未及时上门" in events[0].label
    after_answer = overdue_for_families(Family.objects.all(), dt.date(2025, 3, 12))
    assert not any(r.key == "emergency_visit" for r in after_answer)


def test_a_late_answer_this_year_lowers_the_region_rate(make_family, county_officer):
    today = timezone.localdate()
    if today.timetuple().tm_yday <= 21:
        pytest.skip("needs three weeks of this year behind today")
    prompt = make_family(head_name="今年及时户", registered_on=dt.date(2024, 1, 1),
                         members=[member_data(name="今年及时户")])
    late = make_family(head_name="今年迟到户", registered_on=dt.date(2024, 1, 1),
                       members=[member_data(name="今年迟到户")])
    start = today - dt.timedelta(days=20)
    _event_answered_on(prompt, county_officer, start + dt.timedelta(days=1), start)
    _event_answered_on(late, county_officer, start + dt.timedelta(days=10), start)
    county = Region.objects.get(code="510104000000")
    rows, total = rates_by_child_region(county_officer, county)
    assert total.rates["emergency_in_time"] == 0.5
    assert {r.region.code: r.rates["emergency_in_time"] for r in rows} == {"510104001000": 0.5,
                                                                           "510104002000": None}
    assert rates_for(Family.objects.all(), today).rates["emergency_in_time"] == 0.5


def test_backfilled_visits_are_left_out_of_the_late_entry_rate(make_family, county_officer):
    today = timezone.localdate()
    family = make_family(registered_on=dt.date(2024, 1, 1))
    visit_record(acting_user=county_officer, family=family,
                 data={"visit_date": today - dt.timedelta(days=30), "channel": "phone"})  # entered late
    visit_record(acting_user=county_officer, family=family, backfill=True,
                 data={"visit_date": today - dt.timedelta(days=40), "channel": "home"})  # 补录
    report = rates_for(Family.objects.all(), today)
    assert report.counts["late_entry"] == (1, 1) and report.rates["late_entry"] == 1.0
    assert rates_for(Family.objects.all(), today, use_state=False).counts["late_entry"] == (1, 1)
    county = Region.objects.get(code="510104000000")
    assert rates_by_child_region(county_officer, county)[1].rates["late_entry"] == 1.0  # kept up on each visit
    call_command("compliance_rebuild", verbosity=0)  # and recounted from the visit history
    assert rates_by_child_region(county_officer, county)[1].rates["late_entry"] == 1.0


@pytest.fixture
def stricter_profile(admin_user):
    """Sichuan's rules, then from 2025 entry within 2 working days and an emergency visit within 7 days."""
    sichuan = ProfileVersion.objects.get(profile__code="sichuan-2018").obligations
    changed = []
    for item in sichuan:
        if item["kind"] == "entry_deadline":
            item = dict(item, working_days=2, label="2个工作日内录入")
        elif item["kind"] == "emergency":
            item = dict(item, days=7, label="重大情况7日内上门")
        changed.append(item)
    profile = PolicyProfile.objects.create(code="stricter-test", name="测试县规则")
    profile_version_create(acting_user=admin_user, profile=profile, obligations=sichuan,
                           effective_from=dt.date(2020, 1, 1))
    profile_version_create(acting_user=admin_user, profile=profile, obligations=changed,
                           effective_from=dt.date(2025, 1, 1), note="录入2个工作日,重大事件7日")
    region_profile_set(acting_user=admin_user, region=Region.objects.get(code="510104000000"), profile=profile)
    return profile


def test_the_entry_deadline_follows_the_profile_in_force_on_the_visit_date(stricter_profile, make_family,
                                                                           county_officer):
    family = make_family(registered_on=dt.date(2024, 1, 1))
    new_rule = visit_record(acting_user=county_officer, family=family, entry_date=dt.date(2025, 3, 6),
                            data={"visit_date": dt.date(2025, 3, 3), "channel": "phone"})
    assert new_rule.entry_deadline == dt.date(2025, 3, 5) and new_rule.is_late  # Mon + 2 working days
    old_rule = visit_record(acting_user=county_officer, family=family, entry_date=dt.date(2024, 12, 5),
                            data={"visit_date": dt.date(2024, 12, 2), "channel": "phone"})
    assert old_rule.entry_deadline == dt.date(2024, 12, 9) and not old_rule.is_late  # Mon + 5 working days


def test_the_emergency_deadline_follows_the_profile(stricter_profile, make_family, county_officer):
    family = make_family(registered_on=dt.date(2024, 1, 1))
    event = event_report(acting_user=county_officer, family=family, kind="accident", event_date=EVENT,
                         description="车祸受伤")
    assert event.response_due == dt.date(2025, 3, 10)
    elsewhere = make_family("510105001001", registered_on=dt.date(2024, 1, 1))  # still under Sichuan's 3 days
    other = event_report(acting_user=county_maker("510105001001"), family=elsewhere, kind="accident",
                         event_date=EVENT, description="车祸受伤")
    assert other.response_due == dt.date(2025, 3, 6)
