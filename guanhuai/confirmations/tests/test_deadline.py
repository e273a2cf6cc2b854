"""The entry deadline: 10 official working days after the window ends; later entries are accepted as 迟报."""

import datetime as dt

from conftest import login
from guanhuai.confirmations.models import ConfirmationItem, ConfirmationWindow
from guanhuai.confirmations.services import confirmation_window_open
from guanhuai.workdays.calendar import add_working_days, working_days_between

# 2026-03-02 (Mon) – 2026-03-13 (Fri); no public holiday until 清明 (4 April).
START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 13)
TENTH, ELEVENTH = dt.date(2026, 3, 27), dt.date(2026, 3, 30)


def _open(county_officer, on_day) -> ConfirmationWindow:
    on_day(dt.date(2026, 3, 1))
    return confirmation_window_open(acting_user=county_officer, region=county_officer.region, year=2026,
                                    start_date=START, end_date=END)


def _record(user, window, family, **body):
    return login(user).post(f"/api/confirmations/windows/{window.pk}/families/{family.pk}/record",
                            {"outcome": "confirmed", **body}, content_type="application/json")


def test_the_deadline_is_the_tenth_official_working_day_after_the_end(county_families, county_officer, on_day):
    window = _open(county_officer, on_day)
    assert window.deadline.date == TENTH == add_working_days(END, 10).date
    assert working_days_between(END, TENTH) == 10 and working_days_between(END, ELEVENTH) == 11
    assert window.is_late_on(TENTH) is False and window.is_late_on(ELEVENTH) is True


def test_an_entry_on_the_tenth_working_day_is_on_time(county_families, county_officer, village_contact, on_day):
    window = _open(county_officer, on_day)
    on_day(TENTH)
    response = _record(village_contact, window, county_families[0])
    assert response.status_code == 200 and response.json()["is_late"] is False
    assert response.json()["entry_deadline"] == "2026-03-27"


def test_an_entry_on_the_eleventh_working_day_is_accepted_and_flagged_late(county_families, county_officer,
                                                                           village_contact, on_day):
    window = _open(county_officer, on_day)
    on_day(ELEVENTH)
    response = _record(village_contact, window, county_families[0])
    assert response.status_code == 200 and response.json()["is_late"] is True
    exit_ = _record(village_contact, window, county_families[1], outcome="exited", exit_reason="moved_away")
    assert exit_.status_code == 200 and exit_.json()["is_late"] is True
    detail = login(county_officer).get(f"/api/confirmations/windows/{window.pk}").json()
    assert detail["progress"]["late"] == 2 and detail["overdue"] is True


def test_a_bulk_confirmation_after_the_deadline_is_flagged_late(county_families, county_officer, township_officer,
                                                                on_day):
    window = _open(county_officer, on_day)
    on_day(ELEVENTH)
    response = login(township_officer).post(f"/api/confirmations/windows/{window.pk}/bulk-confirm",
                                            {"family_ids": [county_families[0].pk, county_families[3].pk]},
                                            content_type="application/json")
    assert response.status_code == 200 and response.json() == {
        "confirmed": 2, "late": 2, "family_ids": sorted([county_families[0].pk, county_families[3].pk])}


def test_pending_families_after_the_deadline_are_listed_as_overdue(county_families, county_officer, on_day):
    window = _open(county_officer, on_day)
    client = login(county_officer)
    on_day(TENTH)
    rows = client.get(f"/api/confirmations/windows/{window.pk}/families?status=pending").json()["results"]
    assert rows and not any(r["overdue"] for r in rows)
    assert "逾期未确认" not in client.get(f"/confirmations/{window.pk}/").content.decode()
    on_day(ELEVENTH)
    rows = client.get(f"/api/confirmations/windows/{window.pk}/families?status=pending").json()["results"]
    assert len(rows) == 6 and all(r["overdue"] for r in rows)
    page = client.get(f"/confirmations/{window.pk}/").content.decode()
    assert "逾期未确认的家庭" in page and "张0家" in page


def test_closing_early_brings_the_deadline_forward(county_families, county_officer, on_day):
    window = _open(county_officer, on_day)
    on_day(dt.date(2026, 3, 10))
    response = login(county_officer).post(f"/api/confirmations/windows/{window.pk}/close", {},
                                          content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "closed" and data["ends_on"] == "2026-03-10"
    assert data["deadline"] == add_working_days(dt.date(2026, 3, 10), 10).date.isoformat()


def test_only_the_county_closes_its_window(county_families, county_officer, township_officer, city_officer,
                                           outsider, client, on_day):
    window = _open(county_officer, on_day)
    on_day(dt.date(2026, 3, 20))
    url = f"/api/confirmations/windows/{window.pk}/close"
    for user in (township_officer, city_officer, outsider):
        assert login(user).post(url, {}, content_type="application/json").status_code == 404, user.username
        assert login(user).post(f"/confirmations/{window.pk}/close/").status_code == 404, user.username
    assert client.post(url, {}, content_type="application/json").status_code == 401
    assert ConfirmationWindow.objects.get().state == "open"
    assert login(county_officer).post(f"/confirmations/{window.pk}/close/").status_code == 302
    window.refresh_from_db()
    assert window.state == "closed" and window.closed_on == dt.date(2026, 3, 20) and window.ends_on == END
    again = login(county_officer).post(url, {}, content_type="application/json")
    assert again.status_code == 422 and again.json()["message"] == "本次资格确认已结束"


def test_entries_after_closing_are_still_accepted(county_families, county_officer, village_contact, on_day):
    window = _open(county_officer, on_day)
    on_day(dt.date(2026, 3, 16))
    login(county_officer).post(f"/confirmations/{window.pk}/close/")
    response = _record(village_contact, window, county_families[0])
    assert response.status_code == 200 and response.json()["is_late"] is False
    assert ConfirmationItem.objects.filter(outcome="confirmed").count() == 1


def test_the_window_cannot_be_closed_before_an_entry_already_made(county_families, county_officer, village_contact,
                                                                  on_day):
    window = _open(county_officer, on_day)
    on_day(dt.date(2026, 3, 9))
    assert _record(village_contact, window, county_families[0]).status_code == 200
    on_day(dt.date(2026, 3, 11))
    response = login(county_officer).post(f"/api/confirmations/windows/{window.pk}/close",
                                          {"closed_on": "2026-03-05"}, content_type="application/json")
    assert response.status_code == 422 and "2026-03-09" in response.json()["message"]
    assert ConfirmationWindow.objects.get().state == "open"
