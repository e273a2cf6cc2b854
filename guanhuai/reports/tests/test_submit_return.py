"""A township submits to its county, the county to its city: frozen versions, review, totals checked."""

import datetime as dt

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.reports.models import ReturnSchedule, ReturnVersion, StatReturn


def _submit(user, code, year, **body):
    return login(user).post(f"/api/reports/returns/{code}/submit", {"year": year, **body},
                            content_type="application/json")


def _accept(user, version_id):
    return login(user).post(f"/api/reports/versions/{version_id}/accept", {}, content_type="application/json")


def _send_back(user, version_id, reason):
    return login(user).post(f"/api/reports/versions/{version_id}/send-back", {"reason": reason},
                            content_type="application/json")


def test_a_township_submits_a_frozen_snapshot(county_data, year, township_officer, make_family):
    response = _submit(township_officer, "510104001000", year, note="按时报送")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == 1 and data["decision"] == "pending" and data["is_late"] is False
    version = ReturnVersion.objects.get(pk=data["id"])
    assert version.stat_return.state == StatReturn.State.SUBMITTED
    make_family("510104001001", head_name="后来者")  # entered after submission
    families = next(t for t in version.snapshot["tables"] if t["key"] == "families")
    assert families["total"][3] == 3  # 在册合计 of the frozen snapshot does not move
    assert AuditEvent.objects.filter(action="return.submitted").count() == 1


def test_it_refuses_to_submit_twice_while_awaiting_review(county_data, year, township_officer):
    _submit(township_officer, "510104001000", year)
    response = _submit(township_officer, "510104001000", year)
    assert response.status_code == 422 and "待审核" in response.json()["message"]
    assert ReturnVersion.objects.count() == 1


def test_only_the_region_itself_submits(county_data, year, county_officer, other_township_officer):
    assert _submit(county_officer, "510104001000", year).status_code == 404
    assert _submit(other_township_officer, "510104001000", year).status_code == 404
    assert not ReturnVersion.objects.exists()


def test_the_county_accepts_or_sends_back_with_a_reason_and_resubmission_makes_a_new_version(
        county_data, year, township_officer, county_officer):
    v1 = _submit(township_officer, "510104001000", year).json()
    blank = _send_back(county_officer, v1["id"], "  ")
    assert blank.status_code == 422 and blank.json()["fields"]["reason"] == ["请填写退回原因"]
    back = _send_back(county_officer, v1["id"], "李庄村户数与花名册不符")
    assert back.status_code == 200 and back.json()["decision"] == "returned"
    assert StatReturn.objects.get().state == StatReturn.State.RETURNED
    v2 = _submit(township_officer, "510104001000", year).json()
    assert v2["number"] == 2
    assert _accept(county_officer, v1["id"]).status_code == 422  # an old version cannot be accepted
    accepted = _accept(county_officer, v2["id"])
    assert accepted.status_code == 200 and accepted.json()["decision"] == "accepted"
    page = login(township_officer).get(f"/reports/returns/510104001000/?year={year}").content.decode()
    assert "已通过" in page and "李庄村户数与花名册不符" in page and "第 2 版" in page


def test_only_the_level_directly_above_reviews(county_data, year, township_officer, city_officer,
                                                other_township_officer):
    v1 = _submit(township_officer, "510104001000", year).json()
    assert _accept(city_officer, v1["id"]).status_code == 404
    assert _accept(other_township_officer, v1["id"]).status_code == 404
    assert _accept(township_officer, v1["id"]).status_code == 404
    assert ReturnVersion.objects.get().decision == "pending"


def _all_townships_accepted(year, township_officer, other_township_officer, county_officer):
    for user, code in ((township_officer, "510104001000"), (other_township_officer, "510104002000")):
        version = _submit(user, code, year).json()
        assert _accept(county_officer, version["id"]).status_code == 200


def test_a_county_submits_only_when_every_township_is_accepted(county_data, year, township_officer,
                                                               other_township_officer, county_officer, city_officer):
    _submit(township_officer, "510104001000", year)
    refused = _submit(county_officer, "510104000000", year)
    assert refused.status_code == 422
    assert "东城镇" in refused.json()["message"] and "西山乡" in refused.json()["message"]
    StatReturn.objects.all().delete()
    _all_townships_accepted(year, township_officer, other_township_officer, county_officer)
    response = _submit(county_officer, "510104000000", year)
    assert response.status_code == 201, response.content
    assert _accept(city_officer, response.json()["id"]).status_code == 200


def test_a_difference_with_the_accepted_lower_totals_is_named(county_data, year, township_officer,
                                                               other_township_officer, county_officer, make_family):
    _all_townships_accepted(year, township_officer, other_township_officer, county_officer)
    make_family("510104002001", head_name="漏报户")  # entered after 西山乡's return was accepted
    response = _submit(county_officer, "510104000000", year)
    assert response.status_code == 422
    message = response.json()["message"]
    assert "表1 特殊家庭类别与在册情况(户)「西山乡」一行「在册合计」:本级汇总 2,下级已通过报表合计 1" in message
    assert not StatReturn.objects.filter(region_id="510104000000").exclude(state="draft").exists()
    # The county sends 西山乡 back; once resubmitted and accepted, the county's return adds up.
    west = ReturnVersion.objects.get(stat_return__region_id="510104002000")
    assert _send_back(county_officer, west.pk, "请补报新纳入家庭").status_code == 200
    again = _submit(other_township_officer, "510104002000", year).json()
    _accept(county_officer, again["id"])
    assert _submit(county_officer, "510104000000", year).status_code == 201


def test_an_accepted_return_cannot_be_sent_back_once_the_upper_return_is_submitted(
        county_data, year, township_officer, other_township_officer, county_officer):
    _all_townships_accepted(year, township_officer, other_township_officer, county_officer)
    _submit(county_officer, "510104000000", year)
    east = ReturnVersion.objects.get(stat_return__region_id="510104001000")
    response = _send_back(county_officer, east.pk, "更正")
    assert response.status_code == 422 and "已报送上级" in response.json()["message"]


def test_a_submission_after_the_deadline_is_flagged_late(county_data, year, township_officer, county_officer):
    # A deadline already behind us (whatever today is) makes the submission late.
    ReturnSchedule.objects.create(year=year - 1, deadline=dt.date(year - 1, 12, 31))
    data = _submit(township_officer, "510104001000", year - 1).json()
    assert data["is_late"] is True
    page = login(county_officer).get(f"/reports/returns/510104000000/?year={year - 1}").content.decode()
    assert "逾期" in page


def test_the_default_deadline_is_15_may_of_the_next_year_and_the_province_may_change_it(
        year, province_officer, county_officer):
    assert login(county_officer).get(f"/api/reports/deadlines?year={year}").json()["deadline"] == f"{year + 1}-05-15"
    body = {"year": year, "deadline": f"{year + 1}-04-30"}
    assert login(county_officer).post("/api/reports/deadlines", body,
                                      content_type="application/json").status_code == 422
    assert login(province_officer).post("/api/reports/deadlines", body,
                                        content_type="application/json").status_code == 200
    assert login(county_officer).get(f"/api/reports/deadlines?year={year}").json()["deadline"] == f"{year + 1}-04-30"


def test_the_upper_level_page_lists_the_lower_returns_with_their_states(county_data, year, township_officer,
                                                                        county_officer):
    _submit(township_officer, "510104001000", year)
    data = login(county_officer).get(f"/api/reports/returns/510104000000?year={year}").json()
    states = {r["region_name"]: r["state"] for r in data["lower"]}
    assert states == {"东城镇": "submitted", "西山乡": "draft"}
    assert data["check"]["consistent"] is False
    page = login(county_officer).get(f"/reports/returns/510104000000/?year={year}")
    assert page.status_code == 200 and "下级报送情况" in page.content.decode()


def test_pages_are_404_outside_the_jurisdiction(county_data, year, outsider, village_contact):
    assert login(outsider).get(f"/reports/returns/510104000000/?year={year}").status_code == 404
    assert login(village_contact).get("/reports/returns/").status_code == 404
    assert login(outsider).get("/reports/returns/510104000000/?year=abc").status_code == 404


def test_the_province_page_compiles_the_accepted_city_returns_and_computes_live_only_on_request(
        county_data, year, township_officer, other_township_officer, county_officer, city_officer,
        province_officer):
    _all_townships_accepted(year, township_officer, other_township_officer, county_officer)
    county = _submit(county_officer, "510104000000", year).json()
    _accept(city_officer, county["id"])
    # 南河县 has not reported: the city cannot submit, the province sees the city as missing.
    client = login(province_officer)
    compiled = client.get(f"/reports/returns/510000000000/?year={year}")
    assert compiled.context["snapshot"]["compiled"] is True
    assert compiled.context["check"]["missing"] == ["演示市"]
    live = client.get(f"/reports/returns/510000000000/?year={year}&live=1")
    families = next(t for t in live.context["snapshot"]["tables"] if t["key"] == "families")
    assert families["total"][3] == 5  # live: 东城县 4 + 南河县 1


def test_the_province_sets_a_deadline_on_its_page(year, province_officer, county_officer):
    body = {"year": year, "deadline": f"{year + 1}-04-20"}
    assert login(county_officer).post("/reports/returns/deadline/", body).status_code == 302
    assert not ReturnSchedule.objects.exists()  # refused: a county reviewer cannot
    response = login(province_officer).post("/reports/returns/deadline/", body)
    assert response.status_code == 302 and ReturnSchedule.objects.get(year=year).deadline == dt.date(year + 1, 4, 20)
