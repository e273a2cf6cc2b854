"""One visit answers every open event it qualifies for; edits, deletions and the rebuild recompute them all."""

import copy

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanhuai.compliance.models import PolicyProfile, ProfileVersion
from guanhuai.compliance.profiles import rules_for_region
from guanhuai.compliance.services import profile_version_create
from guanhuai.visits.models import MajorEvent, Visit
from guanhuai.visits.services import event_close, event_report, visit_delete, visit_update

from .conftest import days_ago


def _report(user, family, kind, ago, **extra):
    return event_report(acting_user=user, family=family, kind=kind, event_date=days_ago(ago),
                        description="突发情况(测试)", **extra)


def _answers(*events):
    return [MajorEvent.objects.get(pk=e.pk).responded_on for e in events]


@pytest.fixture
def two_events(family, village_contact):
    """An illness, then an accident on the same family, neither answered yet."""
    return _report(village_contact, family, "illness", 2), _report(village_contact, family, "accident", 1)


def test_one_home_visit_answers_both_open_events_and_both_can_be_closed(family, village_contact, township_officer,
                                                                        two_events, record):
    illness, accident = two_events
    visit = record(village_contact, family, channel="home")
    assert _answers(illness, accident) == [days_ago(0), days_ago(0)]
    assert Visit.objects.get(pk=visit.pk).event_id == illness.pk  # the single link: the earliest event
    for event in two_events:
        event_close(acting_user=township_officer, event=MajorEvent.objects.get(pk=event.pk), outcome="已上门慰问")
    assert set(MajorEvent.objects.filter(family=family).values_list("state", flat=True)) == {"closed"}


def test_deleting_the_visit_reopens_both_events(family, village_contact, two_events, record):
    visit = record(village_contact, family, channel="home")
    assert _answers(*two_events) == [days_ago(0), days_ago(0)]
    visit_delete(acting_user=village_contact, visit=visit, reason="录错家庭")
    assert _answers(*two_events) == [None, None]


def test_deleting_the_visit_moves_both_answers_to_the_next_qualifying_visit(family, village_contact, two_events,
                                                                           record):
    illness, accident = two_events
    first = record(village_contact, family, visit_date=days_ago(1), channel="meeting")
    record(village_contact, family, visit_date=days_ago(0), channel="phone")  # a call answers nothing
    later = record(village_contact, family, visit_date=days_ago(0), channel="emergency")
    assert _answers(illness, accident) == [days_ago(1), days_ago(1)]
    visit_delete(acting_user=village_contact, visit=first, reason="重复录入")
    assert _answers(illness, accident) == [days_ago(0), days_ago(0)]
    assert Visit.objects.get(pk=later.pk).event_id == illness.pk


def test_editing_the_visit_to_a_phone_call_reopens_both_events(family, village_contact, two_events, record):
    visit = record(village_contact, family, channel="home")
    updated = visit_update(acting_user=village_contact, visit=visit, data={"channel": "phone"})
    assert _answers(*two_events) == [None, None]
    assert updated.event_id is None and Visit.objects.get(pk=visit.pk).event_id is None
    visit_update(acting_user=village_contact, visit=updated, data={"channel": "meeting"})
    assert _answers(*two_events) == [days_ago(0), days_ago(0)]
    assert Visit.objects.get(pk=visit.pk).event_id == two_events[0].pk


@pytest.fixture
def fresh_profiles():
    """The profile cache outlives each test's rolled-back transaction: clear it on both sides."""
    from guanhuai.compliance import profiles

    profiles.clear_cache()
    yield
    profiles.clear_cache()


def test_an_event_whose_channels_exclude_the_visit_s_channel_stays_unanswered(family, village_contact, admin_user,
                                                                             record, fresh_profiles):
    profile_id = rules_for_region(family.region_id).profile_id
    obligations = copy.deepcopy(ProfileVersion.objects.filter(profile_id=profile_id).latest("effective_from")
                                .obligations)
    for o in obligations:
        if o["kind"] == "emergency":
            o["channels"] = ["emergency"]  # from 3 days ago only an emergency visit answers an event
    profile_version_create(acting_user=admin_user, profile=PolicyProfile.objects.get(pk=profile_id),
                           obligations=obligations, effective_from=days_ago(3), note="测试:仅紧急上门")
    before = _report(village_contact, family, "illness", 5)  # judged by the old rule: any face-to-face visit
    after = _report(village_contact, family, "accident", 1)  # judged by the new one
    home = record(village_contact, family, channel="home")
    assert _answers(before, after) == [days_ago(0), None]
    assert Visit.objects.get(pk=home.pk).event_id == before.pk
    record(village_contact, family, channel="emergency")
    assert _answers(before, after) == [days_ago(0), days_ago(0)]


def test_a_back_dated_visit_becomes_the_first_answer(family, village_contact, two_events, record):
    record(village_contact, family, visit_date=days_ago(0), channel="home")
    record(village_contact, family, visit_date=days_ago(1), channel="home")  # entered later, visited earlier
    assert _answers(*two_events) == [days_ago(1), days_ago(1)]


def test_a_visit_before_an_event_does_not_answer_it(family, village_contact, record):
    record(village_contact, family, visit_date=days_ago(3), channel="home")
    event = _report(village_contact, family, "illness", 2)
    assert _answers(event) == [None]


def test_the_rebuild_leaves_the_event_answers_as_the_writes_left_them(family, make_family, village_contact,
                                                                     two_events, record):
    other = make_family(head_name="王丽")
    lone = _report(village_contact, other, "disaster", 3)
    record(village_contact, family, visit_date=days_ago(0), channel="home")
    record(village_contact, family, visit_date=days_ago(1), channel="festival")
    record(village_contact, other, visit_date=days_ago(1), channel="phone")

    def snapshot():
        return (sorted(MajorEvent.objects.values_list("id", "state", "responded_on")),
                sorted(Visit.objects.values_list("id", "event_id")))

    written = snapshot()
    call_command("compliance_rebuild", verbosity=0)
    assert snapshot() == written
    assert _answers(*two_events, lone) == [days_ago(1), days_ago(1), None]


def test_the_rebuild_repairs_event_answers_left_wrong(family, village_contact, two_events, record):
    record(village_contact, family, visit_date=days_ago(1), channel="home")
    MajorEvent.objects.filter(pk=two_events[1].pk).update(responded_on=None)  # as the old one-event probe left it
    call_command("compliance_rebuild", verbosity=0)
    assert _answers(*two_events) == [days_ago(1), days_ago(1)]


# Statements of recording a visit through the service on PostgreSQL before this change, for a family without
# an open event (lock, insert, event probe, state read, visits read, state update, two village summary
# updates, township counter upsert, audit head and chain, the contact lookup and the savepoint pair).
STATEMENTS_WITHOUT_AN_OPEN_EVENT = 14


def test_recording_without_an_open_event_costs_one_probe_statement(family, make_family, village_contact,
                                                                   township_officer, record):
    answered = _report(village_contact, family, "illness", 3)
    record(village_contact, family, visit_date=days_ago(2), channel="home")
    event_close(acting_user=township_officer, event=MajorEvent.objects.get(pk=answered.pk), outcome="已处理")
    _report(village_contact, family, "other", 1)
    record(village_contact, family, visit_date=days_ago(1), channel="home")  # answers the second event
    record(village_contact, make_family(head_name="甲"))  # warm the caches (calendar, profile)
    for target in (family, make_family(head_name="乙")):
        record(village_contact, target, visit_date=days_ago(3), channel="phone")
        with CaptureQueriesContext(connection) as queries:
            record(village_contact, target, channel="home")
        sqls = [q["sql"] for q in queries.captured_queries]
        touching = [sql for sql in sqls if "visits_majorevent" in sql]
        assert len(touching) == 1 and touching[0].startswith("SELECT"), touching
        if connection.vendor == "postgresql":
            assert len(sqls) <= STATEMENTS_WITHOUT_AN_OPEN_EVENT, sqls
