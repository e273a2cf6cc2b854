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


def test_the_event_deadline_is_the_familys_due_date_and_is_shown(make_family, village_contact):
    event = _twins(make_family, village_contact)
    ranked = worklist(Family.objects.all(), EVENT_DAY + dt.timedelta(days=1))
    item = next(i for i in ranked.items if i.family.head_name == "有事件")
    assert (item.event_status, item.event_due, item.due) == (DUE_SOON, event.response_due, event.response_due)
    late = next(i for i in worklist(Family.objects.all(), dt.date(2025, 6, 13)).items if i.family.head_name == "有事件")
    assert (late.event_status, late.event_due) == (OVERDUE, dt.date(2025, 6, 12))


def test_the_page_says_what_the_event_needs(make_family, village_contact):
    from django.utils import timezone

    from conftest import login

    today = timezone.localdate()
    late, soon, answered = (make_family(head_name=n) for n in ("逾期户", "将到户", "已上门户"))
    for family, days_ago in ((late, 10), (soon, 0), (answered, 1)):
        event_report(acting_user=village_contact, family=family, kind="illness",
                     event_date=today - dt.timedelta(days=days_ago), description="住院(测试)")
    visit_record(acting_user=village_contact, family=answered, data={"visit_date": today, "channel": "home"})
    html = login(village_contact).get("/compliance/mine/").content.decode()
    late_due = MajorEvent.objects.get(family=late).response_due
    soon_due = MajorEvent.objects.get(family=soon).response_due
    assert f"重大事件逾期未上门(限 {late_due:%m月%d日})" in html
    assert f"重大事件:请于 {soon_due:%m月%d日} 前上门" in html
    assert "重大事件已上门,待办结" in html
