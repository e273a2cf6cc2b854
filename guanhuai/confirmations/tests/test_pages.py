"""The window page (progress per township), worklist, export and the family archive card."""

import io

from openpyxl import load_workbook

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.confirmations.services import confirmation_record


def _record(user, window, family, outcome="confirmed", **extra):
    item = window.items.get(family=family)
    return confirmation_record(acting_user=user, item=item, outcome=outcome, **extra)


def test_the_county_page_shows_progress_per_township(window, county_families, county_officer):
    _record(county_officer, window, county_families[0])
    _record(county_officer, window, county_families[4], "exited", exit_reason="moved_away")
    page = login(county_officer).get(f"/confirmations/{window.pk}/").content.decode()
    assert "东城镇" in page and "西山乡" in page and "各乡镇(街道)进度" in page and "结束确认" in page
    data = login(county_officer).get(f"/api/confirmations/windows/{window.pk}").json()
    rows = {r["region_name"]: r for r in data["children"]}
    assert rows["东城镇"]["total"] == 4 and rows["东城镇"]["confirmed"] == 1 and rows["东城镇"]["pending"] == 3
    assert rows["西山乡"]["exited"] == 1 and rows["西山乡"]["pending"] == 1
    assert data["progress"] == {"region_code": "510104000000", "region_name": "东城县", "total": 6, "confirmed": 1,
                                "changed": 0, "exited": 1, "pending": 4, "late": 0}


def test_a_township_sees_its_villages_and_only_its_own_families(window, county_families, township_officer):
    client = login(township_officer)
    page = client.get(f"/confirmations/{window.pk}/").content.decode()
    assert "桃园村" in page and "李庄村" in page and "西山乡" not in page and "结束确认" not in page
    data = client.get(f"/api/confirmations/windows/{window.pk}").json()
    assert data["progress"]["total"] == 4 and [r["region_name"] for r in data["children"]] == ["桃园村", "李庄村"]
    assert client.get(f"/confirmations/{window.pk}/?region=510104002000").status_code == 404


def test_the_county_drills_down_to_a_township(window, county_families, county_officer):
    page = login(county_officer).get(f"/confirmations/{window.pk}/?region=510104001000").content.decode()
    assert "各村(居)进度" in page and "桃园村" in page and "石0家" not in page


def test_the_worklist_query_count_does_not_grow_with_rows(window, county_families, county_officer, make_family,
                                                          django_assert_max_num_queries):
    client = login(county_officer)
    client.get(f"/confirmations/{window.pk}/families/?status=all")
    with django_assert_max_num_queries(20):
        response = client.get(f"/confirmations/{window.pk}/families/?status=all")
    assert response.status_code == 200 and response.content.decode().count("逐户确认") == 6


def test_the_export_lists_every_family_with_its_result(window, county_families, county_officer, township_officer):
    _record(county_officer, window, county_families[0], "changed", family_data={"health": "chronic"})
    response = login(county_officer).get(f"/confirmations/{window.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary, rows = book["进度汇总"], book["家庭确认结果"]
    assert rows.max_row == 2 + 6  # caption, header, six families
    values = [[c.value for c in row] for row in rows.iter_rows(min_row=3)]
    changed = next(v for v in values if v[0] == county_families[0].pk)
    assert changed[6] == "有变化" and changed[7] == "身体状况:良好 → 慢性病"
    assert [r[0].value for r in summary.iter_rows(min_row=3)][-1] == "510104000000"
    assert AuditEvent.objects.filter(action="confirmation.exported").exists()
    mine = load_workbook(io.BytesIO(login(township_officer).get(f"/confirmations/{window.pk}/export.xlsx").content))
    assert mine["家庭确认结果"].max_row == 2 + 4


def test_the_family_archive_shows_the_year_s_confirmation(window, county_families, county_officer, village_contact):
    family = county_families[0]
    client = login(village_contact)
    page = client.get(f"/families/{family.pk}/").content.decode()
    assert f"{window.year} 年度资格确认" in page and "待确认" in page and "去确认" in page
    _record(county_officer, window, family)
    page = client.get(f"/families/{family.pk}/").content.decode()
    assert "确认无变化" in page and "去确认" not in page


def test_the_window_list_and_navigation(window, county_families, village_contact, association_worker):
    page = login(village_contact).get("/confirmations/").content.decode()
    assert "资格确认" in page and f"{window.year} 年度" in page and "开启本县资格确认" not in page
    assert login(association_worker).get("/confirmations/").status_code == 404
