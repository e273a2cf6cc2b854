"""The working-day API: deadlines, a year's calendar status, and loading a year (administrators only)."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.workdays.models import CalendarDay, CalendarYear

CSV_2031 = "日期,类型,节日\n2031-10-01,休,国庆节\n2031-10-02,休,国庆节\n2031-10-03,休,国庆节\n2031-09-28,班,国庆节\n"


def _load(client, content: bytes | str, name: str = "2031.csv", **form):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/api/workdays/calendar", {"file": SimpleUploadedFile(name, data), **form})


def _nothing_loaded():
    return not CalendarYear.objects.filter(year=2031).exists() and not CalendarDay.objects.filter(
        date__year=2031).exists() and not AuditEvent.objects.filter(action="workdays.loaded").exists()


# ---------------------------------------------------------------- add

def test_adding_working_days_skips_holidays_and_matches_the_command(village_contact):
    # 2024 National Day: Sunday 29 September worked, 1–7 October off.
    response = login(village_contact).get("/api/workdays/add?date=2024-09-27&n=3")
    assert response.status_code == 200
    assert response.json() == {"start": "2024-09-27", "n": 3, "date": "2024-10-08", "provisional": False,
                               "note": ""}
    out = io.StringIO()
    call_command("workdays", "add", "2024-09-27", "3", stdout=out)
    assert out.getvalue().strip() == response.json()["date"]


def test_a_year_without_a_published_calendar_is_marked_provisional(village_contact):
    body = login(village_contact).get("/api/workdays/add?date=2031-09-26&n=3").json()
    assert body["date"] == "2031-10-01" and body["provisional"] is True
    assert body["note"] == "涉及尚未公布官方日历的年份,已按周一至周五推算(暂定)"


@pytest.mark.parametrize(("query", "field", "message"), [
    ("date=2024/09/27&n=3", "date", "日期格式应为 YYYY-MM-DD"),
    ("date=2024-09-27&n=-1", "n", "N 须在 0 到 2500 之间"),
    ("date=2024-09-27&n=100000", "n", "N 须在 0 到 2500 之间"),
    ("date=1800-01-01&n=1", "date", "日期须在 1901–2099 年之间"),
])
def test_bad_input_is_refused_in_chinese(county_officer, query, field, message):
    response = login(county_officer).get(f"/api/workdays/add?{query}")
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": message, "fields": {field: [message]}}


# ---------------------------------------------------------------- a year's status

def test_a_published_year_lists_its_holidays_adjusted_days_and_festivals(township_officer):
    body = login(township_officer).get("/api/workdays/calendar?year=2024").json()
    assert body["published"] is True and body["provisional"] is False and body["status_label"] == "已公布官方日历"
    days = {d["date"]: (d["kind"], d["name"]) for d in body["days"]}
    assert days["2024-10-01"] == ("holiday", "国庆节") and days["2024-09-29"] == ("workday", "国庆节")
    assert {f["name"]: f["date"] for f in body["festivals"]}["春节"] == "2024-02-10"


def test_an_unpublished_year_is_provisional(township_officer):
    body = login(township_officer).get("/api/workdays/calendar?year=2031").json()
    assert body["published"] is False and body["provisional"] is True and body["days"] == []
    assert body["status_label"] == "尚未公布官方日历,按周一至周五推算(暂定)"
    response = login(township_officer).get("/api/workdays/calendar?year=3000")
    assert response.status_code == 422 and response.json()["message"] == "年份须在 1901–2099 之间"


def test_the_calendar_is_national_so_another_county_reads_the_same_answer(county_officer, outsider):
    for url in ("/api/workdays/calendar?year=2024", "/api/workdays/add?date=2024-09-27&n=3"):
        mine, theirs = login(county_officer).get(url), login(outsider).get(url)
        assert mine.status_code == theirs.status_code == 200 and mine.json() == theirs.json()


# ---------------------------------------------------------------- loading a year

def test_an_administrator_loads_a_year_and_deadlines_change(admin_user, village_contact):
    client = login(admin_user)
    response = _load(client, CSV_2031, source="国办发明电〔2030〕1号")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["years"] == [2031] and body["message"] == "已载入 2031 年的官方日历"
    assert body["calendars"][0]["published"] is True and len(body["calendars"][0]["days"]) == 4
    assert CalendarYear.objects.get(year=2031).source == "国办发明电〔2030〕1号"
    assert AuditEvent.objects.filter(action="workdays.loaded", object_id="2031", actor=admin_user).exists()
    # Sunday 28 September is now a working day: three working days after Friday 26th end on Tuesday 30th.
    after = login(village_contact).get("/api/workdays/add?date=2031-09-26&n=3").json()
    assert after == {"start": "2031-09-26", "n": 3, "date": "2031-09-30", "provisional": False, "note": ""}
    assert login(village_contact).get("/api/workdays/calendar?year=2031").json()["published"] is True


def test_a_json_calendar_loads_too(admin_user):
    payload = json.dumps({"year": 2031, "holidays": {"2031-05-01": "劳动节"}, "workdays": {"2031-04-27": "劳动节"}})
    response = _load(login(admin_user), payload, name="2031.json")
    assert response.status_code == 201 and response.json()["years"] == [2031]
    assert dict(CalendarDay.objects.filter(date__year=2031).values_list("date", "kind")) == {
        dt.date(2031, 5, 1): "holiday", dt.date(2031, 4, 27): "workday"}


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_loaded(admin_user):
    content = "日期,类型,节日\n2031-10-01,休,国庆节\n2031-13-01,休,x\n2031-10-02,放风筝,x\n"
    response = _load(login(admin_user), content)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and len(body["fields"]["file"]) == 2
    assert body["fields"]["file"][0].startswith("第 3 行:") and body["fields"]["file"][1].startswith("第 4 行:")
    assert "类型应为 休/班" in body["fields"]["file"][1] and body["message"] == ";".join(body["fields"]["file"])
    assert _nothing_loaded()


@pytest.mark.parametrize(("content", "name", "message"), [
    ("2031-10-01,休,国庆节\n".encode("gbk"), "2031.csv", "文件应为 UTF-8 编码的 CSV 或 JSON"),
    (b"[1, 2]", "2031.json", "JSON 结构不正确"),
    (b"", "2031.csv", "文件为空"),
])
def test_unreadable_files_are_refused_in_chinese(admin_user, content, name, message):
    response = _load(login(admin_user), content, name=name)
    assert response.status_code == 422 and message in response.json()["message"]
    assert _nothing_loaded()


def test_a_missing_file_is_refused(admin_user):
    response = login(admin_user).post("/api/workdays/calendar")
    assert response.status_code == 422 and response.json()["message"] == "请选择文件"


@pytest.mark.parametrize("persona", ["county_officer", "province_officer", "auditor"])
def test_only_administrators_load_calendars(persona, request):
    response = _load(login(request.getfixturevalue(persona)), CSV_2031)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert _nothing_loaded()


def test_another_countys_officer_gets_404_and_nothing_is_loaded(outsider):
    response = _load(login(outsider), CSV_2031)
    assert response.status_code == 404
    assert _nothing_loaded()


def test_anonymous_callers_get_401(regions):
    anonymous = Client()
    for url in ("/api/workdays/add?date=2024-09-27&n=3", "/api/workdays/calendar?year=2024"):
        response = anonymous.get(url)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert _load(anonymous, CSV_2031).status_code == 401
    assert _nothing_loaded()


def test_the_endpoints_are_in_the_openapi_schema(county_officer):
    paths = login(county_officer).get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/workdays/add"]) == {"get"}
    assert set(paths["/api/workdays/calendar"]) == {"get", "post"}
    params = {p["name"] for p in paths["/api/workdays/add"]["get"]["parameters"]}
    assert params == {"date", "n"}
    assert "multipart/form-data" in paths["/api/workdays/calendar"]["post"]["requestBody"]["content"]
