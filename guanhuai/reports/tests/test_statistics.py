"""The standard tables: one row per child region, totals, jurisdiction, constant query count."""

import datetime as dt

from conftest import login
from guanhuai.families.services import family_exit
from guanhuai.regions.models import Region
from guanhuai.reports.statistics import TABLES, statistics_compute, table_totals


def _table(snapshot, key):
    table = next(t for t in snapshot["tables"] if t["key"] == key)
    cols = [c["key"] for c in table["columns"]]
    rows = {r["name"]: dict(zip(cols, r["values"], strict=True)) for r in table["rows"]}
    return rows, dict(zip(cols, table["total"], strict=True))


def test_a_county_has_one_row_per_township_and_a_total(county_data, year, regions):
    snap = statistics_compute(regions["510104000000"], year)
    rows, total = _table(snap, "families")
    assert list(rows) == ["东城镇", "西山乡"]
    assert rows["东城镇"]["total"] == 3 and rows["西山乡"]["total"] == 1 and total["total"] == 4  # 南河县 excluded
    assert rows["东城镇"]["cat_disabled"] == 1 and rows["东城镇"]["cat_deceased"] == 2


def test_a_township_has_one_row_per_village(county_data, year, regions):
    snap = statistics_compute(regions["510104001000"], year)
    rows, _ = _table(snap, "families")
    assert {k: v["total"] for k, v in rows.items()} == {"桃园村": 2, "李庄村": 1}
    visits, vtotal = _table(snap, "visits")
    assert visits["桃园村"]["c_phone"] == 2 and visits["桃园村"]["c_home"] == 1 and visits["李庄村"]["total"] == 0
    assert vtotal["total"] == 3 and vtotal["face_to_face"] == 1


def test_health_needs_members_and_events_are_counted(county_data, year, regions):
    snap = statistics_compute(regions["510104000000"], year)
    _, health = _table(snap, "health")
    assert health["h_serious"] == 1 and health["h_good"] == 3
    _, needs = _table(snap, "needs")
    assert needs["any_need"] == 2 and needs["need_medical"] == 1 and needs["need_comfort"] == 1
    _, living = _table(snap, "living")
    assert living["l_alone"] == 1
    _, members = _table(snap, "members")
    assert members["members"] == 8 and members["age_80"] == 1 and members["age_lt50"] == 1
    events, etotal = _table(snap, "events")
    assert events["西山乡"]["k_illness"] == 1 and etotal["total"] == 1


def test_an_exited_family_leaves_the_register_but_counts_as_an_exit(county_data, year, regions, county_officer):
    family_exit(acting_user=county_officer, family=county_data["c"], reason="moved_away",
                exit_date=dt.date(year, 1, 1), note="迁出")
    rows, total = _table(statistics_compute(regions["510104000000"], year), "families")
    assert total["total"] == 3 and total["exited"] == 1


def test_the_coverage_table_counts_families_lacking_a_contact(county_data, year, regions):
    rows, total = _table(statistics_compute(regions["510104000000"], year), "coverage")
    assert total["families"] == 4 and total["both"] == 0 and total["missing"] == 4


def test_the_query_count_does_not_grow_with_regions_or_families(county_data, year, regions,
                                                                django_assert_max_num_queries):
    with django_assert_max_num_queries(len(TABLES) + 1):
        statistics_compute(regions["510000000000"], year)


def test_province_totals_equal_the_sum_of_its_counties(county_data, year, regions):
    province = table_totals(statistics_compute(regions["510000000000"], year))
    counties = [table_totals(statistics_compute(Region.objects.get(code=c), year))
                for c in ("510104000000", "510105000000")]
    for table, cols in province.items():
        for col, value in cols.items():
            assert value == sum(c[table][col] for c in counties), (table, col)


def test_the_api_returns_the_tables_of_the_users_region(county_data, year, county_officer, outsider):
    data = login(county_officer).get(f"/api/reports/statistics?year={year}").json()
    assert data["region"]["code"] == "510104000000" and len(data["tables"]) == len(TABLES)
    assert login(outsider).get("/api/reports/statistics?region_code=510104000000").status_code == 404


def test_a_village_contact_has_no_statistics(county_data, village_contact):
    assert login(village_contact).get("/api/reports/statistics").status_code == 404
