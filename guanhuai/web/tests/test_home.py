"""The home page shows each role what to do today, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import login, member_data
from guanhuai.families.services import sensitive_reveal


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_a_village_contact_is_reminded_of_a_childs_death_anniversary(make_family, village_contact):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    died = tomorrow.replace(year=tomorrow.year - 6)
    child = member_data("child", name="王小明", birth=dt.date(1990, 2, 3))
    child.update(is_alive=False, death_date=died)
    make_family(head_name="王建国", members=[member_data("father", name="王建国"), child])
    page = login(village_contact).get("/").content.decode()
    assert "今日待办" in page
    assert "王小明(子女)离世 6 周年" in page and "明天" in page


def test_risk_flagged_families_come_first(make_family, village_contact):
    make_family(head_name="甲某", health="serious")
    make_family(head_name="乙某", risk_flags=["petition"])
    page = login(village_contact).get("/").content.decode()
    assert page.index("乙某家") < page.index("甲某家")
    assert "信访倾向" in page


def test_a_county_officer_sees_each_township_below(make_family, county_officer):
    make_family()
    make_family("510104002001", risk_flags=["hardship"])
    page = login(county_officer).get("/").content.decode()
    assert "下级区划概况" in page and "东城镇" in page and "西山乡" in page


def test_an_auditor_sees_todays_sensitive_reads_first(family, auditor, village_contact):
    sensitive_reveal(acting_user=village_contact, obj=family.members.first(), field_name="id_number",
                     reason="核对补贴发放")
    page = login(auditor).get("/").content.decode()
    assert page.index("今日审计") < page.index("在册家庭")
    assert "核对补贴发放" in page


def test_an_administrator_sees_locked_accounts(admin_user, village_contact):
    village_contact.locked_until = timezone.now() + dt.timedelta(minutes=10)
    village_contact.save(update_fields=["locked_until"])
    page = login(admin_user).get("/").content.decode()
    assert "被锁定的账号" in page and "village_contact" in page


def test_the_query_count_does_not_grow_with_the_families(make_family, village_contact, county_officer, auditor,
                                                         admin_user, province_officer):
    clients = [login(u) for u in (village_contact, county_officer, auditor, admin_user, province_officer)]
    make_family()
    [_queries(c) for c in clients]  # the first request of a session does a little session bookkeeping
    before = [_queries(c) for c in clients]
    for i in range(6):
        make_family("510104001002" if i % 2 else "510104002001", risk_flags=["hardship"], health="serious")
    assert [_queries(c) for c in clients] == before
    assert max(before) <= 20
