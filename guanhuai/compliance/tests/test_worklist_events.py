"""How an open major event ranks a family on "my families": overdue only past its response deadline.

Each case compares the family with the event to a twin registered the same day with the same visits and no
event, so only the event's part of the ranking is measured. Dates are fixed in June 2025 (no holiday): an
event on Monday 9 June must be answered by Thursday 12 June.
"""

import datetime as dt

from guanhuai.compliance.engine import DUE_SOON, OVERDUE, URGENCY
from guanhuai.compliance.selectors import worklist
from guanhuai.families.models import Family
from guanhuai.visits.models import MajorEvent
from guanhuai.visits.services import event_report, visit_record

REGISTERED = dt.date(2025, 6, 9)  # a Monday: its first judged week ends on Sunday 15 June
EVENT_DAY = dt.date(2025, 6, 9)


def _statuses(day: dt.date) -> dict[str, tuple[str, int]]:
    ranked = worklist(Family.objects.all(), day)
    return {i.family.head_name: (i.status, i.open_events) for i in getattr(ranked, "items", ranked)}


def _twins(make_family, user, *, visit_on: dt.date | None = None):
    families = make_family(head_name="有事件", registered_on=REGISTERED), make_family(head_name="无事件",
                                                                                    registered_on=REGISTERED)
    if visit_on is not None:
        for family in families:
            visit_record(acting_user=user, family=family, data={"visit_date": visit_on, "channel": "home"})
    event = event_report(acting_user=user, family=families[0], kind="accident", event_date=EVENT_DAY,
                         description="骑车摔伤(测试)")
    return event


def test_an_unanswered_event_inside_its_window_makes_the_family_due_soon_not_overdue(make_family, village_contact):
    _twins(make_family, village_contact)
    day = EVENT_DAY + dt.timedelta(days=1)
    statuses = _statuses(day)
    twin_status, _ = statuses["无事件"]
    assert URGENCY[twin_status] > URGENCY[DUE_SOON], twin_status  # the event is what makes it urgent
    assert statuses["有事件"] == (DUE_SOON, 1)


def test_an_unanswered_event_past_its_deadline_makes_the_family_overdue(make_family, village_contact):
    _twins(make_family, village_contact)
    statuses = _statuses(dt.date(2025, 6, 13))
    assert statuses["有事件"] == (OVERDUE, 1)
    assert statuses["无事件"][0] != OVERDUE


def test_an_answered_event_awaiting_closing_does_not_make_the_family_overdue(make_family, village_contact):
    event = _twins(make_family, village_contact, visit_on=dt.date(2025, 6, 10))
    event.refresh_from_db()
    assert event.state == MajorEvent.State.OPEN and event.responded_on == dt.date(2025, 6, 10)
    statuses = _statuses(dt.date(2025, 6, 13))
    twin_status, _ = statuses["无事件"]
    assert twin_status != OVERDUE
    assert statuses["有事件"] == (twin_status, 1)  # still counted as open on the card, but not urgent
