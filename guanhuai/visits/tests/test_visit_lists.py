"""Visit lists per family and per region: filters, pagination, constant query count."""

from django.urls import reverse

from conftest import login, member_data
from guanhuai.audit.models import AuditEvent

from .conftest import days_ago


def _dates(response) -> list[str]:
    return [v.visit_date.isoformat() for v in response.context["page"]]


def test_the_family_list_shows_its_visits_newest_first(family, village_contact, record):
    record(village_contact, family, visit_date=days_ago(3), channel="phone")
    record(village_contact, family, visit_date=days_ago(1), channel="home")
    response = login(village_contact).get(reverse("visits:family", args=[family.pk]))
    assert response.status_code == 200
    assert _dates(response) == [days_ago(1).isoformat(), days_ago(3).isoformat()]
    assert "张建国家的走访记录" in response.content.decode()


def test_filters_by_date_range_channel_and_late_only(family, village_contact, record):
    record(village_contact, family, visit_date=days_ago(40), channel="phone")  # late
    record(village_contact, family, visit_date=days_ago(20), channel="home")  # late
    record(village_contact, family, visit_date=days_ago(1), channel="phone")
    client = login(village_contact)
    url = reverse("visits:family", args=[family.pk])
    assert _dates(client.get(url, {"channel": "phone"})) == [days_ago(1).isoformat(), days_ago(40).isoformat()]
    assert _dates(client.get(url, {"late": "on"})) == [days_ago(20).isoformat(), days_ago(40).isoformat()]
    assert _dates(client.get(url, {"date_from": days_ago(25).isoformat(), "date_to": days_ago(2).isoformat()})) == [
        days_ago(20).isoformat()]
    html = client.get(url, {"late": "on"}).content.decode()
    assert "迟报" in html


def test_the_region_list_covers_the_jurisdiction_only(make_family, township_officer, county_officer, record):
    mine = make_family("510104001001", head_name="王秀兰")
    theirs = make_family("510104002001", head_name="赵德胜", members=[member_data(name="赵德胜")])
    record(county_officer, mine)
    record(county_officer, theirs)
    html = login(township_officer).get(reverse("visits:list")).content.decode()
    assert "王秀兰家" in html and "赵德胜家" not in html
    county = login(county_officer)
    assert len(county.get(reverse("visits:list")).context["page"]) == 2
    only = county.get(reverse("visits:list"), {"region": "510104002000"})
    assert [v.family_id for v in only.context["page"]] == [theirs.pk]


def test_a_region_outside_the_jurisdiction_is_refused_not_leaked(family, township_officer, county_officer, record):
    record(county_officer, family)
    response = login(township_officer).get(reverse("visits:list"), {"region": "510105000000"})
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()


def test_the_list_is_paginated(family, county_officer, record):
    for n in range(35):
        record(county_officer, family, visit_date=days_ago(n % 7), channel="phone", notes=f"第{n}次")
    client = login(county_officer)
    first = client.get(reverse("visits:family", args=[family.pk]))
    assert len(first.context["page"]) == 30 and first.context["page"].paginator.num_pages == 2
    assert len(client.get(reverse("visits:family", args=[family.pk]), {"page": 2}).context["page"]) == 5


def test_the_query_count_does_not_grow_with_the_rows(make_family, county_officer, record,
                                                     django_assert_max_num_queries):
    families = [make_family("510104001001", head_name=f"户{i}") for i in range(2)]
    client = login(county_officer)
    for family in families:
        record(county_officer, family)
    client.get(reverse("visits:list"))  # warm caches (calendar, profiles, session)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("visits:list"))
    for i in range(25):
        record(county_officer, families[i % 2], channel="phone", notes=str(i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("visits:list"))
    assert len(response.context["page"]) == 27


def test_an_auditors_list_read_is_logged(family, auditor, county_officer, record):
    record(county_officer, family)
    assert login(auditor).get(reverse("visits:list")).status_code == 200
    assert AuditEvent.objects.filter(action="visit.listed", actor=auditor).exists()


def test_a_family_list_of_another_county_is_404(family, outsider):
    assert login(outsider).get(reverse("visits:family", args=[family.pk])).status_code == 404
