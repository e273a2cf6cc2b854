"""The 统计看板 pages and API: access, drill-down, xlsx downloads, audit, query count."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.regions.codes import level_of, parent_code_of
from guanhuai.regions.models import Region
from guanhuai.reports.dashboards import CHART_TITLES


def _data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_a_county_officer_sees_the_county_dashboard_with_every_chart(county, county_officer):
    response = login(county_officer).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert set(_data(response)["charts"]) == set(CHART_TITLES)
    html = response.content.decode()
    assert "统计看板 · 东城县" in html and "vendor/echarts.min.js" in html and "js/dashboard.js" in html
    for key in CHART_TITLES:
        assert f"xlsx/?chart={key}" in html
    assert "<script>" not in html  # the CSP forbids inline scripts: data travels as application/json


def test_clicking_a_township_opens_its_dashboard(county, county_officer):
    client = login(county_officer)
    data = _data(client.get(reverse("reports:dashboard")))
    assert data["charts"]["overdue"]["codes"] == ["510104001000", "510104002000"]
    drill = client.get(reverse("reports:dashboard_code", args=["510104001000"]))
    assert drill.status_code == 200
    assert _data(drill)["charts"]["coverage"]["categories"] == ["桃园村", "李庄村"]
    html = drill.content.decode()
    assert 'data-drill-url="/reports/dashboard/000000000000/"' in html
    assert reverse("reports:dashboard_code", args=["510104000000"]) in html  # breadcrumb back to the county


@pytest.mark.parametrize("level_user", ["township_officer", "city_officer", "province_officer", "auditor"])
def test_every_officer_level_has_a_dashboard(county, level_user, request):
    user = request.getfixturevalue(level_user)
    response = login(user).get(reverse("reports:dashboard"))
    assert response.status_code == 200 and f"统计看板 · {user.region.name}" in response.content.decode()


def test_a_region_outside_the_jurisdiction_is_404(county, outsider, township_officer):
    for code in ("510104000000", "510104001000"):
        assert login(outsider).get(reverse("reports:dashboard_code", args=[code])).status_code == 404
        assert login(outsider).get(reverse("reports:dashboard_xlsx", args=[code]) + "?chart=coverage").status_code == 404
        assert login(outsider).get(f"/api/reports/dashboards/{code}").status_code == 404
    # A township officer may not climb to the county either.
    assert login(township_officer).get(reverse("reports:dashboard_code", args=["510104000000"])).status_code == 404
    assert login(township_officer).get(reverse("reports:dashboard_code", args=["510104002000"])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, regions):
    for url in (reverse("reports:dashboard"), reverse("reports:dashboard_xlsx", args=["510104000000"])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.get("/api/reports/dashboards/510104000000").status_code == 401


@pytest.mark.parametrize("persona", ["village_contact", "association_worker", "admin_user"])
def test_roles_without_the_permission_get_403(county, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:dashboard")).status_code == 403
    assert client.get(reverse("reports:dashboard_xlsx", args=["510104000000"]) + "?chart=coverage").status_code == 403
    api = client.get("/api/reports/dashboards/510104000000")
    assert api.status_code == 403 and api.json()["code"] == "forbidden"


def test_each_chart_downloads_as_xlsx_with_the_chart_data(county, county_officer):
    client = login(county_officer)
    for key in CHART_TITLES:
        response = client.get(reverse("reports:dashboard_xlsx", args=["510104000000"]), {"chart": key})
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert f"-{key}-" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0][0].startswith(f"东城县 · {CHART_TITLES[key]}")
    coverage = client.get(reverse("reports:dashboard_xlsx", args=["510104000000"]), {"chart": "coverage"})
    rows = [list(r) for r in load_workbook(io.BytesIO(coverage.content)).worksheets[0].iter_rows(values_only=True)]
    assert rows[1:] == [["下级区划", "在册家庭", "双岗齐全", "覆盖率(%)"], ["东城镇", 3, 1, 33.33],
                        ["西山乡", 1, 1, 100], ["合计", 4, 2, 50]]


def test_an_unknown_chart_is_404(county, county_officer):
    client = login(county_officer)
    assert client.get(reverse("reports:dashboard_xlsx", args=["510104000000"]), {"chart": "nope"}).status_code == 404
    assert client.get("/api/reports/dashboards/510104000000", {"chart": "nope"}).status_code == 404


def test_the_api_returns_the_same_charts(county, county_officer):
    client = login(county_officer)
    body = client.get("/api/reports/dashboards/510104000000").json()
    assert body["region"] == "510104000000" and [c["key"] for c in body["charts"]] == list(CHART_TITLES)
    one = client.get("/api/reports/dashboards/510104000000", {"chart": "late_entry"}).json()
    assert [c["key"] for c in one["charts"]] == ["late_entry"] and one["charts"][0]["series"][0]["data"] == [0.3333, 0.0]


def test_posting_to_the_dashboard_is_refused(county, county_officer):
    assert login(county_officer).post(reverse("reports:dashboard")).status_code == 405


def test_an_auditors_reads_are_logged(county, auditor, county_officer):
    login(auditor).get(reverse("reports:dashboard_code", args=["510104001000"]))
    login(auditor).get(reverse("reports:dashboard_xlsx", args=["510104000000"]), {"chart": "needs"})
    login(county_officer).get(reverse("reports:dashboard"))
    events = list(AuditEvent.objects.filter(action__startswith="dashboard.").order_by("id"))
    assert [(e.action, e.region_code, e.actor_username) for e in events] == [
        ("dashboard.viewed", "510104001000", "auditor"), ("dashboard.exported", "510104000000", "auditor")]


def test_the_navigation_and_the_home_page_link_to_the_dashboard(county, county_officer, village_contact):
    home = login(county_officer).get(reverse("web:home")).content.decode()
    assert "统计看板" in home and reverse("reports:dashboard") in home
    assert "统计看板" not in login(village_contact).get(reverse("web:home")).content.decode()


def _add_townships(n: int, make_family) -> None:
    for i in range(n):
        township = f"510104{100 + i:03d}000"
        village = township[:9] + "001"
        for code, name in ((township, f"新镇{i}"), (village, f"新村{i}")):
            Region.objects.create(code=code, name=name, level=level_of(code), parent_id=parent_code_of(code))
        make_family(village, head_name=f"新户{i}")


def test_the_query_count_does_not_grow_with_the_child_regions(county, county_officer, make_family,
                                                            django_assert_max_num_queries):
    client = login(county_officer)
    client.get(reverse("reports:dashboard"))  # sessions, caches
    with django_assert_max_num_queries(20) as few:  # 12 on SQLite
        assert client.get(reverse("reports:dashboard")).status_code == 200
    _add_townships(8, make_family)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("reports:dashboard"))
    assert len(_data(response)["charts"]["coverage"]["categories"]) == 10


def test_a_province_page_does_not_wait_for_the_family_counts(county, province_officer):
    client = login(province_officer)
    first = _data(client.get(reverse("reports:dashboard")))["charts"]
    assert {k for k, c in first.items() if c["deferred"]} == {"classification", "health", "needs"}
    assert first["coverage"]["deferred"] is False
    # The visits come from the township counters: exact, never deferred nor cached.
    assert sum(sum(s["data"]) for s in first["visits"]["series"]) == 5
    assert "分钟更新" not in first["visits"]["note"]
    # The page's script fetches the family charts from the API, which counts and caches them…
    api = client.get(reverse("api:reports_dashboard", args=["510000000000"]), {"chart": "visits,classification"})
    assert [c["key"] for c in api.json()["charts"]] == ["visits", "classification"]
    assert "分钟更新" in api.json()["charts"][1]["note"]
    # …so the next page comes with every chart.
    again = _data(client.get(reverse("reports:dashboard")))["charts"]
    assert not any(c["deferred"] for c in again.values())
    assert sum(sum(s["data"]) for s in again["visits"]["series"]) == 5


def test_a_county_page_counts_everything_at_once(county, county_officer):
    charts = _data(login(county_officer).get(reverse("reports:dashboard")))["charts"]
    assert not any(c["deferred"] for c in charts.values())
    assert "分钟更新" not in charts["visits"]["note"]
