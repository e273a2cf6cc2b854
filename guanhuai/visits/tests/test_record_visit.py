import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanhuai.audit.models import AuditEvent
from guanhuai.compliance.models import ObligationState
from guanhuai.visits.models import Visit
from guanhuai.visits.services import visit_delete, visit_record, visit_update
from guanhuai.workdays.calendar import add_working_days


def _record(user, family, **data):
    payload = {"visit_date": timezone.localdate(), "channel": "home"}
    payload.update(data)
    return visit_record(acting_user=user, family=family, data=payload)


def test_recording_a_visit_updates_the_obligation_state_in_the_same_step(family, village_contact):
    visit = _record(village_contact, family, channel="home", needs_raised="希望有人陪同就医")
    assert Visit.objects.get().needs_raised == "希望有人陪同就医"
    states = {s.key: s for s in ObligationState.objects.filter(family=family)}
    assert {"weekly_contact", "monthly_meeting", "home_visits", "festival_visit"} <= set(states)
    assert states["weekly_contact"].base_status == "met"
    assert states["weekly_contact"].last_visit == visit.visit_date
    assert AuditEvent.objects.filter(action="visit.recorded", object_id=str(visit.pk)).exists()


def test_a_visit_dated_in_the_future_is_refused_with_a_clear_message(family, village_contact):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _record(village_contact, family, visit_date=timezone.localdate() + dt.timedelta(days=1))
    assert not Visit.objects.exists()


def test_a_visit_before_the_family_entered_the_register_is_refused(family, village_contact):
    with pytest.raises(ValidationError, match="早于该家庭纳入登记"):
        _record(village_contact, family, visit_date=family.registered_on - dt.timedelta(days=1))


def test_a_late_entry_is_accepted_and_flagged(family, village_contact):
    old = timezone.localdate() - dt.timedelta(days=40)
    visit = _record(village_contact, family, visit_date=old, channel="phone")
    assert visit.is_late
    assert visit.entry_deadline == add_working_days(old, 5).date


def test_an_entry_within_five_working_days_is_not_late(family, village_contact):
    visit = _record(village_contact, family, visit_date=timezone.localdate(), channel="phone")
    assert not visit.is_late


def test_a_historical_record_without_entry_date_is_backfill_and_never_late(family, county_officer):
    visit = visit_record(acting_user=county_officer, family=family, backfill=True,
                         data={"visit_date": dt.date(2021, 5, 1), "channel": "home"})
    assert visit.is_backfill and not visit.is_late


def test_readers_cannot_record_visits(family, city_officer, auditor):
    for user in (city_officer, auditor):
        with pytest.raises(ValidationError):
            _record(user, family)


def test_editing_and_deleting_a_visit_refresh_the_state(family, village_contact):
    visit = _record(village_contact, family, channel="phone")
    assert ObligationState.objects.get(family=family, key="weekly_contact").base_status == "met"
    visit_update(acting_user=village_contact, visit=visit, data={"channel": "meeting"})
    monthly = ObligationState.objects.get(family=family, key="monthly_meeting")
    assert monthly.base_status == "met" and monthly.count == 1
    visit_delete(acting_user=village_contact, visit=visit, reason="录错了")
    assert ObligationState.objects.get(family=family, key="monthly_meeting").count == 0
    assert AuditEvent.objects.filter(action="visit.deleted", reason="录错了").exists()


def test_a_follow_up_needs_its_promise_and_a_sane_deadline(family, village_contact):
    with pytest.raises(ValidationError, match="承诺事项"):
        _record(village_contact, family, follow_up_due=timezone.localdate() + dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="不能早于走访日期"):
        _record(village_contact, family, follow_up="协调低保", follow_up_due=timezone.localdate() - dt.timedelta(days=1))
