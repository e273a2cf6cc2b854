import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.workdays.calendar import add_working_days, is_working_day
from guanhuai.workdays.models import CalendarDay, CalendarYear

CSV_2030 = "日期,类型,节日\n2030-10-01,休,国庆节\n2030-10-02,休,国庆节\n2030-10-03,休,国庆节\n2030-09-29,班,国庆节\n"


def test_loading_a_csv_publishes_the_year_and_changes_deadlines(admin_user, tmp_path):
    before = add_working_days(dt.date(2030, 9, 27), 3)
    assert before.provisional and before.date == dt.date(2030, 10, 2)
    path = tmp_path / "2030.csv"
    path.write_text(CSV_2030, encoding="utf-8")
    call_command("workdays_load", str(path), "--source", "测试通知")
    assert CalendarYear.objects.filter(year=2030, source="测试通知").exists()
    assert is_working_day(dt.date(2030, 9, 29)) and not is_working_day(dt.date(2030, 10, 2))
    deadline = add_working_days(dt.date(2030, 9, 27), 3)
    assert deadline.date == dt.date(2030, 10, 4) and not deadline.provisional
    assert AuditEvent.objects.filter(action="workdays.loaded", object_id="2030").exists()


def test_loading_json_replaces_the_years_previous_days(admin_user):
    client = login(admin_user)
    first = json.dumps({"year": 2031, "holidays": {"2031-05-01": "劳动节", "2031-05-02": "劳动节"}})
    second = json.dumps({"year": 2031, "holidays": {"2031-05-01": "劳动节"}, "workdays": {"2031-04-27": "劳动节"}})
    for payload in (first, second):
        response = client.post(reverse("workdays:calendar"),
                               {"file": SimpleUploadedFile("2031.json", payload.encode())})
        assert response.status_code == 302
    days = {d.date: d.kind for d in CalendarDay.objects.filter(date__year=2031)}
    assert days == {dt.date(2031, 5, 1): "holiday", dt.date(2031, 4, 27): "workday"}


@pytest.mark.parametrize(("content", "message"), [
    ("", "文件为空"),
    ("2030-13-01,休,x\n", "日期"),
    ("2030-10-08,班,x\n", "不需要标为调休上班"),
    ("2030-10-01,放风筝,x\n", "类型应为"),
    ("2030-10-01,休,x\n2030-10-01,班,x\n", "同时被标为"),
])
def test_bad_calendar_files_are_refused_and_nothing_changes(admin_user, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("workdays_load", str(path))
    assert not CalendarYear.objects.filter(year=2030).exists()


def test_only_administrators_can_load_a_calendar(county_officer):
    client = login(county_officer)
    assert client.get(reverse("workdays:calendar")).status_code == 200
    response = client.post(reverse("workdays:calendar"),
                           {"file": SimpleUploadedFile("x.csv", CSV_2030.encode())})
    assert response.status_code == 404
    assert not CalendarYear.objects.filter(year=2030).exists()


def test_the_calendar_page_says_when_a_year_is_provisional(county_officer):
    html = login(county_officer).get(reverse("workdays:calendar") + "?year=2032").content.decode()
    assert "暂定" in html and "2032-02-11" in html  # 春节 2032
