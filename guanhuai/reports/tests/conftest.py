import datetime as dt

import pytest
from django.utils import timezone

from conftest import member_data
from guanhuai.visits.services import event_report, visit_record


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
