"""The daily reminder also covers obligations due within 2 working days (not only overdue ones)."""

import datetime as dt

import pytest
from django.utils import timezone

from guanhuai.compliance.models import PolicyProfile
from guanhuai.compliance.reminders import reminders_send
from guanhuai.compliance.services import profile_version_create, region_profile_set
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.inbox.models import Notification
from guanhuai.regions.models import Region
from guanhuai.visits.services import visit_record

WEEKLY_ONLY = [{"key": "weekly_contact", "kind": "contact", "label": "每周联系", "count": 1, "period": "week",
                "channels": ["phone", "online", "meeting", "home", "festival", "emergency"]}]


@pytest.fixture
def weekly_cadre(make_family, admin_user, county_officer, village_contact):
    """A cadre with one family under a weekly-contact-only rule, contacted this week."""
    profile = PolicyProfile.objects.create(code="weekly-test", name="每周联系(测试)")
    profile_version_create(acting_user=admin_user, profile=profile, obligations=WEEKLY_ONLY,
                           effective_from=dt.date(2020, 1, 1))
    region_profile_set(acting_user=admin_user, region=Region.objects.get(code="510104000000"), profile=profile)
    contact = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                             name="提醒村干", kind="village_cadre", phone="13900000061")
    contact.user = village_contact
    contact.save(update_fields=["user"])
    family = make_family(registered_on=dt.date(2024, 1, 1))
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=contact,
                   start_date=dt.date(2024, 1, 1))
    visit_record(acting_user=village_contact, family=family,
                 data={"visit_date": timezone.localdate(), "channel": "phone"})
    return village_contact


def _friday_next_week() -> dt.date:
    today = timezone.localdate()
    # Friday + 2 working days always reaches the week's end, whatever the holidays: due soon on that day.
    return today + dt.timedelta(days=7 - today.weekday() + 4)


def test_a_family_due_within_two_working_days_gets_a_reminder(weekly_cadre):
    assert reminders_send(day=_friday_next_week()) == 1
    note = Notification.objects.get(user=weekly_cadre, kind="reminder")
    assert "1 户将在 2 个工作日内到期" in note.title and "逾期" not in note.title


def test_nothing_is_due_soon_early_in_the_week(weekly_cadre):
    from guanhuai.workdays.calendar import add_working_days

    monday = _friday_next_week() - dt.timedelta(days=4)
    if add_working_days(monday, 2).date >= monday + dt.timedelta(days=6):
        pytest.skip("a holiday week: Monday is already within 2 working days of the week's end")
    assert reminders_send(day=monday) == 0
    assert not Notification.objects.filter(kind="reminder").exists()
