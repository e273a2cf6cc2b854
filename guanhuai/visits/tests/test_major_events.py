import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import _user
from guanhuai.accounts.roles import Role
from guanhuai.inbox.models import Notification
from guanhuai.visits.models import MajorEvent
from guanhuai.visits.services import event_close, event_report, visit_record


def test_reporting_an_event_notifies_county_officers_and_opens_an_emergency(family, village_contact, county_officer,
                                                                            city_officer):
    today = timezone.localdate()
    event = event_report(acting_user=village_contact, family=family, kind="illness", event_date=today,
                         description="突发脑梗住院")
    assert event.state == "open" and event.response_due == today + dt.timedelta(days=3)
    assert Notification.objects.filter(user=county_officer, kind="event").count() == 1
    assert not Notification.objects.filter(user=city_officer).exists()


def test_a_province_level_petition_tendency_also_notifies_the_city(family, village_contact, county_officer,
                                                                 city_officer, outsider):
    event_report(acting_user=village_contact, family=family, kind="petition", petition_level="province",
                 event_date=timezone.localdate(), description="表示要去省里上访")
    assert Notification.objects.filter(user=city_officer).count() == 1
    assert not Notification.objects.filter(user=outsider).exists()


def test_a_petition_needs_its_level(family, village_contact):
    with pytest.raises(ValidationError, match="层级"):
        event_report(acting_user=village_contact, family=family, kind="petition",
                     event_date=timezone.localdate(), description="x")


def test_an_event_closes_only_after_a_face_to_face_visit_and_with_an_outcome(family, village_contact,
                                                                             township_officer):
    today = timezone.localdate()
    event = event_report(acting_user=village_contact, family=family, kind="accident", event_date=today,
                         description="摔伤")
    with pytest.raises(ValidationError, match="尚未记录上门"):
        event_close(acting_user=township_officer, event=event, outcome="已处理")
    visit_record(acting_user=village_contact, family=family, data={"visit_date": today, "channel": "phone"})
    event.refresh_from_db()
    assert event.responded_on is None  # a phone call does not answer an emergency
    visit_record(acting_user=village_contact, family=family, data={"visit_date": today, "channel": "emergency"})
    event.refresh_from_db()
    assert event.responded_on == today
    with pytest.raises(ValidationError):
        event_close(acting_user=village_contact, event=event, outcome="已处理")
    event_close(acting_user=township_officer, event=event, outcome="协调医保报销,联系家庭医生定期随访")
    event.refresh_from_db()
    assert event.state == MajorEvent.State.CLOSED and event.closed_by == township_officer


def test_inactive_officers_are_not_notified(family, village_contact, regions):
    gone = _user("retired_officer", Role.COUNTY, "510104000000", is_active=False)
    event_report(acting_user=village_contact, family=family, kind="death", event_date=timezone.localdate(),
                 description="老人去世")
    assert not Notification.objects.filter(user=gone).exists()


def test_every_write_that_links_events_locks_the_family_before_anything_else(family, village_contact, record):
    """Recording, editing or deleting a visit and reporting an event all start by locking the family's row,
    so a visit and an event written at the same moment cannot miss each other (PostgreSQL; SQLite
    serialises writers)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanhuai.visits.services import visit_delete, visit_update

    def first_statement(write) -> str:
        """The first statement inside the write's transaction (a savepoint within the test's own)."""
        with CaptureQueriesContext(connection) as queries:
            write()
        sqls = [q["sql"] for q in queries.captured_queries]
        return sqls[next(i for i, sql in enumerate(sqls) if sql.startswith("SAVEPOINT")) + 1]

    lock = f"SELECT id FROM families_family WHERE id = {family.pk} FOR UPDATE"
    visit = record(village_contact, family, channel="phone")
    writes = [
        lambda: record(village_contact, family, channel="home"),
        lambda: visit_update(acting_user=village_contact, visit=visit, data={"channel": "meeting"}),
        lambda: event_report(acting_user=village_contact, family=family, kind="illness",
                             event_date=timezone.localdate(), description="住院"),
        lambda: visit_delete(acting_user=village_contact, visit=visit, reason="重复录入"),
    ]
    for write in writes:
        sql = first_statement(write)
        if connection.vendor == "postgresql":
            assert sql == lock, sql
        else:
            assert "families_family" not in sql, sql  # no lock statement where the database has none
    assert MajorEvent.objects.filter(family=family).count() == 1
