"""A county opens the year's confirmation: one window per county and year, a snapshot of its register."""

import datetime as dt

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.compliance import profiles
from guanhuai.compliance.models import PolicyProfile, ProfileVersion, RegionProfile
from guanhuai.confirmations.models import ConfirmationItem, ConfirmationWindow
from guanhuai.families.services import family_exit
from guanhuai.workdays.calendar import add_working_days

URL = "/api/confirmations/windows"
BODY = {"year": 2026, "start_date": "2026-03-02", "end_date": "2026-03-13"}


def _open(client, **body):
    return client.post(URL, {**BODY, **body}, content_type="application/json")


def test_a_county_officer_opens_a_window_with_the_county_s_register(county_families, county_officer):
    response = _open(login(county_officer))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["population"] == 6 and data["state"] == "open"
    assert data["entry_working_days"] == 10 and data["deadline_source"] == "sichuan-2018"
    assert data["deadline"] == "2026-03-27" == add_working_days(dt.date(2026, 3, 13), 10).date.isoformat()
    assert data["deadline_provisional"] is False
    window = ConfirmationWindow.objects.get(pk=data["id"])
    assert set(window.items.values_list("family_id", flat=True)) == {f.pk for f in county_families}
    assert AuditEvent.objects.filter(action="confirmation.opened", object_id=str(window.pk)).exists()


def test_the_register_is_a_snapshot_taken_at_opening(county_families, county_officer, make_family):
    exited = county_families[0]
    family_exit(acting_user=county_officer, family=exited, reason="moved_away", exit_date=dt.date(2026, 1, 5))
    data = _open(login(county_officer)).json()
    make_family("510104001001", head_name="后来者")  # entered after opening: confirmed when it was entered
    items = set(ConfirmationItem.objects.filter(window_id=data["id"]).values_list("family_id", flat=True))
    assert data["population"] == 5 and exited.pk not in items and len(items) == 5


def test_the_window_cannot_be_opened_twice_for_a_year(county_families, county_officer):
    client = login(county_officer)
    assert _open(client).status_code == 201
    again = _open(client, start_date="2026-06-01", end_date="2026-06-30")
    assert again.status_code == 422
    assert "2026 年度资格确认已开启" in again.json()["message"] and "不能重复开启" in again.json()["message"]
    assert ConfirmationWindow.objects.count() == 1 and ConfirmationItem.objects.count() == 6


def test_overlapping_windows_of_one_county_are_refused(county_families, county_officer):
    client = login(county_officer)
    assert _open(client).status_code == 201
    overlap = _open(client, year=2027, start_date="2026-03-10", end_date="2026-04-10")
    assert overlap.status_code == 422 and "重叠" in overlap.json()["message"]
    assert ConfirmationWindow.objects.count() == 1


def test_bad_dates_are_refused_and_nothing_is_written(county_families, county_officer):
    client = login(county_officer)
    for body in ({"end_date": "2026-03-01"}, {"start_date": None}, {"year": 1900}):
        response = _open(client, **body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "invalid" and response.json()["message"]
    assert not ConfirmationWindow.objects.exists()


def test_only_county_officers_open_windows(county_families, village_contact, township_officer, city_officer,
                                           auditor, client):
    for user in (village_contact, township_officer, city_officer, auditor):
        assert _open(login(user)).status_code == 404, user.username
        assert login(user).post("/confirmations/", BODY).status_code == 404, user.username
    assert _open(client).status_code == 401
    assert not ConfirmationWindow.objects.exists()


def test_another_county_sees_nothing_of_the_window(county_families, county_officer, outsider):
    window_id = _open(login(county_officer)).json()["id"]
    client = login(outsider)
    assert client.get(f"{URL}/{window_id}").status_code == 404
    assert client.get(URL).json() == []
    assert client.get(f"/confirmations/{window_id}/").status_code == 404


def test_lower_levels_see_their_county_s_window(county_families, county_officer, township_officer, village_contact,
                                                city_officer):
    window_id = _open(login(county_officer)).json()["id"]
    for user in (township_officer, village_contact, city_officer):
        assert [w["id"] for w in login(user).get(URL).json()] == [window_id], user.username


def test_the_page_form_opens_a_window(county_families, county_officer):
    client = login(county_officer)
    response = client.post("/confirmations/", BODY)
    window = ConfirmationWindow.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/confirmations/{window.pk}/"
    twice = client.post("/confirmations/", {**BODY, "start_date": "2026-05-01", "end_date": "2026-05-02"})
    assert twice.status_code == 200 and "不能重复开启" in twice.content.decode()


def test_the_deadline_comes_from_the_policy_profile_as_data(county_families, county_officer, regions):
    own = PolicyProfile.objects.create(code="county-own", name="本县政策")
    obligations = [*ProfileVersion.objects.get(profile__code="sichuan-2018").obligations]
    obligations = [o if o["key"] != "confirmation_entry" else {**o, "working_days": 15} for o in obligations]
    ProfileVersion.objects.create(profile=own, effective_from=dt.date(2020, 1, 1), obligations=obligations)
    RegionProfile.objects.create(region=regions["510104000000"], profile=own)
    profiles.clear_cache()
    data = _open(login(county_officer)).json()
    assert data["entry_working_days"] == 15 and data["deadline_source"] == "county-own"
    assert data["deadline"] == add_working_days(dt.date(2026, 3, 13), 15).date.isoformat()


def test_a_profile_without_the_rule_falls_back_to_ten_working_days(county_families, county_officer, regions):
    RegionProfile.objects.create(region=regions["510104000000"], profile=PolicyProfile.objects.get(code="hubei-2016"))
    profiles.clear_cache()
    data = _open(login(county_officer)).json()
    assert data["entry_working_days"] == 10 and data["deadline_source"] == ""


def test_a_deadline_in_an_unpublished_year_is_provisional(county_families, county_officer):
    data = _open(login(county_officer), year=2031, start_date="2031-12-01", end_date="2031-12-20").json()
    assert data["deadline_provisional"] is True
    page = login(county_officer).get(f"/confirmations/{data['id']}/").content.decode()
    assert "暂定" in page
