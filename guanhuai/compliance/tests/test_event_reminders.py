"""The daily reminder job also reminds a family's contacts of an open major event nearing or past its deadline.

Dates are fixed in June 2025 (no holiday): an event on Monday 9 June is due on Thursday 12 June (3 days);
on Monday it is 3 working days away, on Tuesday 2 (due soon), on Friday 13 June it is overdue.
"""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from conftest import _user, county_maker
from guanhuai.accounts.roles import Role
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.inbox.models import Notification
from guanhuai.regions.models import Region
from guanhuai.visits.models import MajorEvent
from guanhuai.visits.services import event_close, event_report, visit_record

EVENT_DAY = dt.date(2025, 6, 9)


def _contact(user, region_code, slot, family, name):
    contact = contact_create(acting_user=county_maker(region_code), region=Region.objects.get(code=region_code),
                             name=name, kind="village_cadre" if slot == "second" else "township_cadre", user=user)
    assignment_set(acting_user=county_maker(region_code), family=family, slot=slot, contact=contact,
                   start_date=dt.date(2024, 1, 1))
    return contact


@pytest.fixture
def family_with_contacts(make_family, village_contact, township_officer):
    village_contact.email = "cadre@example.test"
    village_contact.save(update_fields=["email"])
    family = make_family(registered_on=dt.date(2024, 1, 1))
    _contact(township_officer, "510104001000", "first", family, "镇干部甲")
    _contact(village_contact, "510104001001", "second", family, "村干部乙")
    return family


@pytest.fixture
def event(family_with_contacts, village_contact):
    return event_report(acting_user=village_contact, family=family_with_contacts, kind="illness",
                        event_date=EVENT_DAY, description="突发脑梗住院(测试)")


def _event_notices(user=None):
    notes = Notification.objects.filter(kind="reminder", dedupe_key__startswith="reminder:event:")
    return list(notes.filter(user=user) if user is not None else notes)


def _send(day: dt.date, times: int = 1) -> None:
    for _ in range(times):
        call_command("send_reminders", date=day.isoformat(), stdout=io.StringIO())


def test_an_event_due_within_two_working_days_reminds_both_contacts_once(event, village_contact, township_officer,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(EVENT_DAY)  # three working days left: not yet
        assert _event_notices() == []
        _send(EVENT_DAY + dt.timedelta(days=1), times=2)  # the second run the same day sends nothing new
    for user in (village_contact, township_officer):
        [note] = _event_notices(user)
        assert note.title == "重大事件提醒:您联系的一户家庭发生重大事件,请于 06月12日 前上门"
        assert note.url == f"/visits/events/{event.pk}/"
    emails = [m for m in mail.outbox if "重大事件" in m.subject]
    assert len(emails) == 1 and emails[0].to == ["cadre@example.test"]
    # Nothing personal leaves the system: no name, place, illness or description in the notice or the e-mail.
    for text in (note.title, note.body, emails[0].subject, emails[0].body):
        for private in ("张建国", "桃园村", "重病", "突发脑梗住院"):
            assert private not in text, (private, text)


def test_an_overdue_event_reminds_once_a_day(event, village_contact):
    _send(dt.date(2025, 6, 13), times=2)
    [note] = _event_notices(village_contact)
    assert note.title == "重大事件逾期:您联系的一户家庭的上门期限 06月12日 已过,请尽快上门"
    _send(dt.date(2025, 6, 16))  # the next working day: still open, reminded again
    assert len(_event_notices(village_contact)) == 2


def test_an_answered_event_sends_nothing_even_before_it_is_closed(event, family_with_contacts, village_contact):
    visit_record(acting_user=village_contact, family=family_with_contacts,
                 data={"visit_date": dt.date(2025, 6, 10), "channel": "home"})
    event.refresh_from_db()
    assert event.state == MajorEvent.State.OPEN and event.responded_on == dt.date(2025, 6, 10)
    _send(dt.date(2025, 6, 11))
    _send(dt.date(2025, 6, 13))
    assert _event_notices() == []


def test_a_closed_event_sends_nothing(event, family_with_contacts, village_contact, township_officer):
    visit_record(acting_user=village_contact, family=family_with_contacts,
                 data={"visit_date": dt.date(2025, 6, 9), "channel": "emergency"})
    event.refresh_from_db()
    event_close(acting_user=township_officer, event=event, outcome="已协调医保报销")
    MajorEvent.objects.filter(pk=event.pk).update(responded_on=None)  # even with no answer recorded
    _send(dt.date(2025, 6, 13))
    assert _event_notices() == []


def test_a_contact_of_a_family_in_another_county_gets_nothing(event, make_family, regions):
    elsewhere = _user("nanhe_cadre", Role.VILLAGE, "510105001001")
    _contact(elsewhere, "510105001001", "second", make_family("510105001001", registered_on=dt.date(2024, 1, 1)),
             "南河村干")
    _send(dt.date(2025, 6, 13))
    assert _event_notices(elsewhere) == [] and len(_event_notices()) == 2
