"""The visit counters per township, month and channel: kept exact by every visit write, equal to a rebuild
from the visits and to a live count, for any history of records, edits and deletions."""

import datetime as dt
from collections import Counter

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import family_data, member_data
from guanhuai.compliance import visit_counts
from guanhuai.compliance.models import VisitMonthCount
from guanhuai.families.services import family_create, family_update
from guanhuai.regions.models import Region
from guanhuai.visits.models import Visit
from guanhuai.visits.services import visit_delete, visit_record, visit_update

CHANNELS = ["phone", "online", "meeting", "home", "festival", "emergency"]
VILLAGES = ["510104001001", "510104001002", "510104002001"]  # two in 东城镇, one in 西山乡


def counters() -> list[tuple]:
    """The counter rows that count something (a row may reach 0 after deletions; a rebuild leaves none)."""
    return sorted(VisitMonthCount.objects.exclude(visits=0).values_list("region_id", "month", "channel", "visits"))


def live() -> list[tuple]:
    """The same figures counted from the visits themselves."""
    counts = Counter((v.region_id[:9] + "000", v.visit_date.replace(day=1), v.channel) for v in Visit.objects.all())
    return sorted((*key, n) for key, n in counts.items())


def rebuilt() -> list[tuple]:
    VisitMonthCount.objects.all().delete()
    call_command("compliance_rebuild", verbosity=0)
    return counters()


def _family(user, code: str, registered_on: dt.date):
    return family_create(acting_user=user, region=Region.objects.get(code=code),
                         data=family_data(registered_on=registered_on), members=[member_data()],
                         confirm_duplicates=True)


operation = st.one_of(
    st.tuples(st.just("record"), st.integers(0, 2), st.integers(0, 400), st.sampled_from(CHANNELS)),
    st.tuples(st.just("update"), st.integers(0, 20), st.integers(0, 400), st.sampled_from(CHANNELS)),
    st.tuples(st.just("delete"), st.integers(0, 20), st.just(0), st.just("")),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_incremental_counts_equal_a_rebuild_and_a_live_count(county_officer, ops):
    today = timezone.localdate()
    since = today - dt.timedelta(days=400)
    with transaction.atomic():
        families = [_family(county_officer, code, since) for code in VILLAGES]
        for kind, which, days_ago, channel in ops:
            visits = list(Visit.objects.order_by("id"))
            day = today - dt.timedelta(days=days_ago)
            if kind == "record":
                visit_record(acting_user=county_officer, family=families[which],
                             data={"visit_date": day, "channel": channel})
            elif kind == "update" and visits:
                visit_update(acting_user=county_officer, visit=visits[which % len(visits)],
                             data={"visit_date": day, "channel": channel})
            elif kind == "delete" and visits:
                visit_delete(acting_user=county_officer, visit=visits[which % len(visits)], reason="测试")
        incremental = counters()
        assert incremental == live()
        assert rebuilt() == incremental
        transaction.set_rollback(True)


def test_a_visit_counts_in_its_township_month_and_channel(make_family, county_officer):
    family = make_family("510104002001", registered_on=dt.date(2024, 1, 1))
    visit_record(acting_user=county_officer, family=family, data={"visit_date": dt.date(2025, 3, 31),
                                                                  "channel": "home"})
    visit_record(acting_user=county_officer, family=family, data={"visit_date": dt.date(2025, 3, 1),
                                                                  "channel": "home"})
    assert counters() == [("510104002000", dt.date(2025, 3, 1), "home", 2)]


def test_editing_a_visit_moves_its_count_and_deleting_it_removes_it(make_family, county_officer):
    family = make_family("510104001001", registered_on=dt.date(2024, 1, 1))
    visit = visit_record(acting_user=county_officer, family=family,
                         data={"visit_date": dt.date(2025, 3, 5), "channel": "phone"})
    visit_update(acting_user=county_officer, visit=visit, data={"visit_date": dt.date(2025, 3, 20)})
    assert counters() == [("510104001000", dt.date(2025, 3, 1), "phone", 1)]
    visit_update(acting_user=county_officer, visit=visit, data={"visit_date": dt.date(2025, 4, 2), "channel": "home"})
    assert counters() == [("510104001000", dt.date(2025, 4, 1), "home", 1)]
    visit_delete(acting_user=county_officer, visit=visit, reason="录错了")
    assert counters() == []


def test_a_family_that_moves_leaves_its_visits_where_they_were_recorded(make_family, county_officer):
    """Visits keep the village they were recorded in (Visit.region), as do the village summaries and every
    live count, so a move changes no counter and the counters still equal a rebuild."""
    family = make_family("510104001001", registered_on=dt.date(2024, 1, 1))
    visit_record(acting_user=county_officer, family=family, data={"visit_date": dt.date(2025, 3, 5),
                                                                  "channel": "phone"})
    family_update(acting_user=county_officer, family=family, data={},
                  region=Region.objects.get(code="510104002001"))
    visit_record(acting_user=county_officer, family=family, data={"visit_date": dt.date(2025, 3, 6),
                                                                  "channel": "phone"})
    expected = [("510104001000", dt.date(2025, 3, 1), "phone", 1), ("510104002000", dt.date(2025, 3, 1), "phone", 1)]
    assert counters() == expected == live() == rebuilt()


def test_a_rebuild_of_one_region_recounts_only_its_townships(make_family, county_officer):
    here = make_family("510104001001", registered_on=dt.date(2024, 1, 1))
    there = make_family("510104002001", registered_on=dt.date(2024, 1, 1))
    for family in (here, there):
        visit_record(acting_user=county_officer, family=family, data={"visit_date": dt.date(2025, 3, 5),
                                                                      "channel": "phone"})
    VisitMonthCount.objects.update(visits=7)
    call_command("compliance_rebuild", region="510104001001", verbosity=0)  # a village: its whole township
    assert counters() == [("510104001000", dt.date(2025, 3, 1), "phone", 1),
                          ("510104002000", dt.date(2025, 3, 1), "phone", 7)]


def test_changes_to_one_key_are_summed_before_writing(regions):
    march = dt.date(2025, 3, 9)
    with transaction.atomic():
        visit_counts.visit_counts_add([("510104001001", march, "home", 1), ("510104001002", march, "home", 2),
                                       ("510104001001", march, "phone", 1), ("510104001001", march, "phone", -1)])
    assert counters() == [("510104001000", dt.date(2025, 3, 1), "home", 3)]
