"""Fixtures of the reports tests.

``county_data``: a small county for the annual statistics and return tests.
``county``: a hand-built county for the dashboard tests, with exact expected figures:

东城镇 (510104001): A 桃园村 死亡/重病/抑郁倾向, both contacts, a call and a home visit today, needs 大病治疗+精神慰藉;
                    B 桃园村 伤残/良好/稳定, first contact only, a meeting 40 days ago entered today (迟报), 经济困难;
                    C 李庄村 并发症/失能卧床/情绪低落, no contact, no visit, an illness 10 days ago never answered.
西山乡 (510104002): D 石桥村 死亡/慢性病/稳定, both contacts, a home visit today answering yesterday's accident
                    (closed), an open 信访倾向 today, needs 生活照料; E 石桥村 exited (not in any chart).
南河县: F with a visit today (never in 东城县's charts).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from conftest import member_data
from guanhuai.contacts.services import assignment_set, contact_create
from guanhuai.families.services import family_exit
from guanhuai.regions.models import Region
from guanhuai.visits.services import event_close, event_report, visit_record


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def county_data(make_family, county_officer):
    """东城县: two families in 桃园村 and one in 李庄村 (东城镇), one in 石桥村 (西山乡); one in 南河县.

    Visits today: two by phone and one home visit in 桃园村, one meeting in 石桥村; an illness in 石桥村.
    """
    today = timezone.localdate()
    a = make_family("510104001001", head_name="张一")
    b = make_family("510104001001", head_name="张二", category="disabled", disability_grade=2, health="serious",
                    need_medical=True, living="alone",
                    members=[member_data("father", birth=dt.date(1940, 1, 1), name="张老"),
                             member_data("child", birth=dt.date(1990, 6, 1), name="张小")])
    c = make_family("510104001002", head_name="李三", need_comfort=True, need_economic=True)
    d = make_family("510104002001", head_name="石四")
    make_family("510105001001", head_name="南河王")
    for fam, channel in ((a, "phone"), (a, "home"), (b, "phone"), (d, "meeting")):
        visit_record(acting_user=county_officer, family=fam, data={"visit_date": today, "channel": channel})
    event_report(acting_user=county_officer, family=d, kind="illness", event_date=today, description="住院")
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.fixture(autouse=True)
def _no_cached_dashboards():
    cache.clear()
    yield
    cache.clear()


def _contacts(officer, family, township: str, village: str, *, second: bool = True):
    first = contact_create(acting_user=officer, region=Region.objects.get(code=township), name=f"乡干{family.pk}",
                           kind="township_cadre", phone=f"1390000{family.pk:04d}")
    assignment_set(acting_user=officer, family=family, slot="first", contact=first, start_date=dt.date(2024, 1, 1))
    if second:
        other = contact_create(acting_user=officer, region=Region.objects.get(code=village), name=f"村干{family.pk}",
                               kind="village_cadre", phone=f"1380000{family.pk:04d}")
        assignment_set(acting_user=officer, family=family, slot="second", contact=other,
                       start_date=dt.date(2024, 1, 1))


@pytest.fixture
def county(make_family, county_officer):
    today = timezone.localdate()
    since = dt.date(2024, 1, 1)
    a = make_family("510104001001", head_name="甲户", category="deceased", health="serious", mental="depressed",
                    need_medical=True, need_comfort=True, registered_on=since, members=[member_data(name="甲户")])
    b = make_family("510104001001", head_name="乙户", category="disabled", disability_grade=2, health="good",
                    mental="stable", need_economic=True, registered_on=since, members=[member_data(name="乙户")])
    c = make_family("510104001002", head_name="丙户", category="complication", health="bedridden", mental="low",
                    registered_on=since, members=[member_data(name="丙户")])
    d = make_family("510104002001", head_name="丁户", category="deceased", health="chronic", mental="stable",
                    need_daily_care=True, registered_on=since, members=[member_data(name="丁户")])
    e = make_family("510104002001", head_name="戊户", category="disabled", disability_grade=1, health="chronic",
                    registered_on=since, members=[member_data(name="戊户")])
    f = make_family("510105001001", head_name="己户", registered_on=since, members=[member_data(name="己户", area="510105")])
    _contacts(county_officer, a, "510104001000", "510104001001")
    _contacts(county_officer, b, "510104001000", "510104001001", second=False)
    _contacts(county_officer, d, "510104002000", "510104002001")
    record = county_officer
    visit_record(acting_user=record, family=a, data={"visit_date": today, "channel": "phone"})
    visit_record(acting_user=record, family=a, data={"visit_date": today, "channel": "home"})
    visit_record(acting_user=record, family=b, data={"visit_date": today - dt.timedelta(days=40), "channel": "meeting"})
    event_report(acting_user=record, family=c, kind="illness", event_date=today - dt.timedelta(days=10),
                 description="住院")
    accident = event_report(acting_user=record, family=d, kind="accident", event_date=today - dt.timedelta(days=1),
                            description="摔伤")
    visit_record(acting_user=record, family=d, data={"visit_date": today, "channel": "home"})
    accident.refresh_from_db()
    event_close(acting_user=record, event=accident, outcome="已上门,协助就医")
    event_report(acting_user=record, family=d, kind="petition", petition_level="county", event_date=today,
                 description="有到县上访的想法")
    family_exit(acting_user=record, family=e, reason="moved_away", exit_date=today - dt.timedelta(days=3))
    from conftest import county_maker

    visit_record(acting_user=county_maker("510105001001"), family=f, data={"visit_date": today, "channel": "phone"})
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "today": today}
