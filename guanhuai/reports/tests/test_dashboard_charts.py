"""Each chart's data against the hand-built county in conftest.py (exact numbers)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanhuai.compliance.selectors import RATE_LABELS, overdue_list, rates_by_child_region
from guanhuai.regions.models import Region
from guanhuai.reports.dashboards import Dashboard, month_starts


def _board(code="510104000000") -> Dashboard:
    return Dashboard(Region.objects.get(code=code))


def _series(chart) -> dict[str, list]:
    return {s["name"]: s["data"] for s in chart.series}


def test_coverage_counts_families_in_the_register_with_both_contacts(county):
    chart = _board().chart("coverage")
    assert chart.categories == ["东城镇", "西山乡"] and chart.codes == ["510104001000", "510104002000"]
    assert chart.series[0]["data"] == [0.3333, 1.0]
    assert chart.table()[1] == [["东城镇", 3, 1, 33.33], ["西山乡", 1, 1, 100.0], ["合计", 4, 2, 50.0]]
    assert chart.summary == "50.0%"


def test_visits_by_month_and_channel_cover_the_last_twelve_months_of_the_region_only(county):
    today = county["today"]
    chart = _board().chart("visits")
    months = [m.strftime("%Y-%m") for m in month_starts(today)]
    assert chart.categories == months and len(months) == 12 and months[-1] == today.strftime("%Y-%m")
    data = _series(chart)
    this_month, earlier = months.index(today.strftime("%Y-%m")), months.index(
        (today - dt.timedelta(days=40)).strftime("%Y-%m"))
    assert data["电话"][this_month] == 1 and sum(data["电话"]) == 1  # 己户 in 南河县 is not counted
    assert data["上门走访"][this_month] == 2 and sum(data["上门走访"]) == 2
    assert data["面谈"][earlier] == 1 and sum(data["面谈"]) == 1
    assert sum(sum(v) for v in data.values()) == 4
    headers, rows = chart.table()
    assert headers == ["月份", "电话", "网络", "面谈", "上门走访", "节日慰问", "紧急上门", "合计"]
    assert rows[-1] == ["合计", 1, 0, 1, 2, 0, 0, 4]


def test_visits_before_the_twelve_months_are_left_out(county, county_officer):
    from guanhuai.visits.models import Visit
    from guanhuai.visits.services import visit_update

    start = month_starts(county["today"])[0]
    visit = Visit.objects.get(family=county["A"], channel="phone")
    visit_update(acting_user=county_officer, visit=visit, data={"visit_date": start - dt.timedelta(days=1)})
    assert sum(_series(_board().chart("visits"))["电话"]) == 0
    assert sum(_series(_board("510104001001").chart("visits"))["电话"]) == 0  # a village counts live


def test_every_level_counts_the_same_visits_at_once(county, county_officer):
    """Above the village the chart sums the township counters, which every visit write keeps exact: a
    visit recorded, edited or deleted shows at once at every level, and the levels agree."""
    from guanhuai.visits.services import visit_delete, visit_record, visit_update

    def totals() -> list[int]:
        return [sum(sum(s["data"]) for s in _board(code).chart("visits").series)
                for code in ("510000000000", "510100000000", "510104000000", "510104001000", "510104001001")]

    assert totals() == [5, 5, 4, 3, 3]
    visit = visit_record(acting_user=county_officer, family=county["A"],
                         data={"visit_date": county["today"], "channel": "festival"})
    assert totals() == [6, 6, 5, 4, 4]
    visit_update(acting_user=county_officer, visit=visit, data={"channel": "online"})
    assert _series(_board("510000000000").chart("visits"))["网络"][-1] == 1
    visit_delete(acting_user=county_officer, visit=visit, reason="录重了")
    assert totals() == [5, 5, 4, 3, 3]


def test_overdue_obligations_per_township_by_obligation(county, county_officer):
    chart = _board().chart("overdue")
    data = _series(chart)
    # 丙户 never visited: every periodic obligation overdue, and the illness unanswered past its 3 days.
    assert data["重大事件未及时上门"] == [1, 0]
    assert [row[-1] for row in chart.table()[1]][-1] == sum(sum(v) for v in data.values())
    # Same figures as the compliance page (summaries) and its overdue list (state rows).
    rows, _ = rates_by_child_region(county_officer, Region.objects.get(code="510104000000"))
    for i, row in enumerate(rows):
        assert sum(v[i] for name, v in data.items() if name != "重大事件未及时上门") == row.overdue
        listed = overdue_list(county_officer, row.region.prefix)
        assert sum(v[i] for v in data.values()) == len(listed)
    for name in ("每周联系", "每月面见", "上门走访进度", "节日慰问"):
        assert data[name][0] >= 1  # at least 丙户


def test_an_unvisited_family_has_each_periodic_obligation_overdue(make_family, county_officer):
    make_family("510104002001", head_name="无访户", registered_on=dt.date(2024, 1, 1))
    data = _series(_board().chart("overdue"))
    assert data == {"每周联系": [0, 1], "每月面见": [0, 1], "上门走访进度": [0, 1], "节日慰问": [0, 1],
                    "重大事件未及时上门": [0, 0]}


def test_compliance_rates_per_township_equal_the_compliance_page(county, county_officer):
    board = _board()
    chart = board.chart("compliance")
    rows, total = rates_by_child_region(county_officer, Region.objects.get(code="510104000000"))
    for name, values in _series(chart).items():
        key = next(k for k, label in RATE_LABELS.items() if label == name)
        assert values == [r.rates[key] for r in rows], name
    assert board.total_rates == total.rates
    assert chart.table()[1][-1][0] == "合计"


def test_late_entry_rate_counts_visits_entered_this_year_after_the_deadline(county):
    chart = _board().chart("late_entry")
    assert chart.series[0]["data"] == [0.3333, 0.0]
    assert chart.table()[1] == [["东城镇", 3, 1, 33.33], ["西山乡", 1, 0, 0.0], ["合计", 4, 1, 25.0]]


def test_open_major_events_by_kind_and_those_past_their_deadline(county):
    chart = _board().chart("events")
    assert _series(chart) == {"重病": [1, 0], "信访倾向": [0, 1]}  # the closed accident is not open
    assert chart.table()[1][-1] == ["合计", 1, 1, 2, 1]
    assert chart.summary == "2 件,其中 1 件逾期未上门"


def test_families_by_classification_leave_out_exited_families(county):
    chart = _board().chart("classification")
    assert _series(chart) == {"独生子女死亡": [1, 1], "独生子女伤残": [1, 0], "计划生育手术并发症": [1, 0]}
    assert chart.table()[1][-1] == ["合计", 2, 1, 1, 4]


def test_health_by_mental_state(county):
    chart = _board().chart("health")
    assert chart.categories == ["良好", "慢性病", "重病", "残疾", "失能卧床"]
    assert _series(chart) == {"精神稳定": [1, 1, 0, 0, 0], "精神情绪低落": [0, 0, 0, 0, 1],
                              "精神抑郁倾向": [0, 0, 1, 0, 0], "精神心理危机": [0, 0, 0, 0, 0]}
    assert chart.summary == "重病、失能卧床 2 户"


def test_needs_count_each_need_once_per_family(county):
    chart = _board().chart("needs")
    assert dict(zip(chart.categories, chart.series[0]["data"], strict=True)) == {
        "生活照料": 1, "养老保障": 0, "大病治疗": 1, "精神慰藉": 1, "经济困难": 1, "其他": 0}
    assert chart.table()[1][2] == ["大病治疗", 1, 25.0]


def test_a_township_dashboard_breaks_down_by_village(county):
    board = _board("510104001000")
    coverage = board.chart("coverage")
    assert coverage.categories == ["桃园村", "李庄村"] and coverage.codes == ["510104001001", "510104001002"]
    assert coverage.series[0]["data"] == [0.5, 0.0]
    assert _series(board.chart("classification"))["独生子女伤残"] == [1, 0]


def test_a_village_dashboard_shows_the_village_itself(county):
    board = _board("510104001001")
    chart = board.chart("coverage")
    assert chart.categories == ["桃园村"] and chart.codes == []
    assert board.headline()["families"] == 2


def test_the_headline_sums_the_charts(county):
    head = _board().headline()
    assert head["families"] == 4 and head["open_events"] == 2
    assert head["rates"]["coverage"] == 0.5 and head["rates"]["late_entry"] == 0.25
    overdue = _board().chart("overdue")
    assert head["overdue"] == overdue.table()[1][-1][-1]


def test_the_province_caches_the_family_counts_and_says_when(county, django_assert_num_queries):
    province = _board("510000000000")
    assert province.chart("classification").summary == "在册 5 户"  # 南河县 too
    again = _board("510000000000")
    with django_assert_num_queries(0):
        assert again.families["5101"]["total"] == 5
    assert "每 10 分钟更新" in again.chart("classification").note


def test_the_province_counts_visits_from_the_counters_in_one_query(county, django_assert_num_queries):
    province = _board("510000000000")
    with django_assert_num_queries(1):
        chart = province.chart("visits")
    assert sum(sum(s["data"]) for s in chart.series) == 5  # 南河县 too
    assert "分钟更新" not in chart.note
    assert timezone.localdate() == county["today"]
