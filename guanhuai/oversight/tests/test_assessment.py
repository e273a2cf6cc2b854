"""Yearly region scores from configurable weights, penalties for 虚报/瞒报/迟报, ranking among siblings."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.oversight.assessment import DEFAULT_PENALTIES, DEFAULT_WEIGHTS, WeightSet, score_of
from guanhuai.oversight.models import AssessmentResult, AssessmentWeights
from guanhuai.oversight.selectors import visits_to_verify
from guanhuai.oversight.services import spotcheck_plan, spotcheck_record_family
from guanhuai.visits.models import MajorEvent
from guanhuai.visits.services import event_report

URL = "/api/oversight/assessment"
CITY = "510100000000"


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def scene(visited_family, make_family, county_officer, township_officer):
    """东城县: a family with contacts and visits, one denied in a spot check (虚报), one event entered after its
    deadline (瞒报). 南河县: one family, nothing else."""
    family, first, second, visits = visited_family
    make_family("510105001001", head_name="南河王")
    check = spotcheck_plan(acting_user=county_officer, region=county_officer.region, title="抽查",
                           planned_on=timezone.localdate(), size=1, seed=1)
    item = check.items.get()
    asked = visits_to_verify(item)
    spotcheck_record_family(acting_user=county_officer, item=item, reached=True, knows_first=True,
                            knows_second=True, satisfaction=4, visits={asked[0].pk: False})
    event = event_report(acting_user=township_officer, family=family, kind="illness",
                         event_date=timezone.localdate() - dt.timedelta(days=10), description="住院")
    MajorEvent.objects.filter(pk=event.pk).update(reported_at=timezone.now())  # entered 10 days after: late
    return family, first


def test_the_score_follows_the_documented_rule():
    weights = WeightSet(2026, None, dict(DEFAULT_WEIGHTS), dict(DEFAULT_PENALTIES))
    indicators = dict.fromkeys(DEFAULT_WEIGHTS)
    indicators.update(coverage=1.0, contact=0.5)
    base, penalties, penalty, score = score_of(indicators, 0.02, {"false_report": 1, "hidden_report": 2}, weights)
    assert base == 75.0  # (15 × 1 + 15 × 0.5) ÷ 30
    assert penalties == {"false_report": 2.0, "hidden_report": 4.0, "late_report": 2.0} and penalty == 8.0
    assert score == 67.0
    _, _, capped, floor = score_of(indicators, 0.0, {"false_report": 100}, weights)
    assert capped == 30.0 and floor == 45.0


def test_counties_are_ranked_with_their_breakdown(scene, province_officer, year):
    data = login(province_officer).get(URL, {"region": CITY}).json()
    assert data["source"] == "live" and data["weights"]["version"] is None
    by_code = {r["region_code"]: r for r in data["results"]}
    east, south = by_code["510104000000"], by_code["510105000000"]
    assert east["counts"]["false_report"] == 1 and east["counts"]["hidden_report"] == 1
    assert south["counts"]["false_report"] == 0
    assert east["indicators"]["coverage"] == 1.0 and south["indicators"]["coverage"] == 0.0
    assert east["indicators"]["spotcheck_knows"] == 1.0 and east["indicators"]["spotcheck_satisfaction"] == 0.75
    assert south["indicators"]["spotcheck_knows"] is None  # no data: left out of the weights
    assert east["penalties"]["false_report"] == 2.0 and east["penalties"]["hidden_report"] == 2.0
    assert east["score"] == pytest.approx(east["base"] - east["penalty"], abs=0.01)
    assert sorted(r["rank"] for r in data["results"]) == [1, 2]
    page = login(province_officer).get("/oversight/assessment/", {"region": CITY}).content.decode()
    assert "东城县" in page and "南河县" in page and "虚报" in page and "得分" in page


def test_new_weights_are_a_new_version_and_change_the_score(scene, province_officer, admin_user, year):
    before = {r["region_code"]: r["score"] for r in login(province_officer).get(URL, {"region": CITY}).json()["results"]}
    weights = {**DEFAULT_WEIGHTS, "coverage": 60}
    penalties = {**DEFAULT_PENALTIES, "false_report": 10}
    response = login(admin_user).post(f"{URL}/weights", {"year": year, "weights": weights, "penalties": penalties},
                                      content_type="application/json")
    assert response.status_code == 201 and response.json()["version"] == 1
    login(province_officer).post(f"{URL}/weights", {"year": year, "weights": weights, "penalties": penalties,
                                                    "note": "第二版"}, content_type="application/json")
    assert list(AssessmentWeights.objects.filter(year=year).values_list("version", flat=True)) == [2, 1]
    after = login(province_officer).get(URL, {"region": CITY}).json()
    assert after["weights"]["version"] == 2
    scores = {r["region_code"]: r for r in after["results"]}
    assert scores["510104000000"]["penalties"]["false_report"] == 10.0
    assert scores != before
    assert AuditEvent.objects.filter(action="assessment.weights_saved").count() == 2


def test_bad_weights_are_refused_and_change_nothing(scene, province_officer, year):
    client = login(province_officer)
    for weights, penalties in (({**DEFAULT_WEIGHTS, "coverage": -1}, DEFAULT_PENALTIES),
                               ({**DEFAULT_WEIGHTS, "bogus": 1}, DEFAULT_PENALTIES),
                               (dict.fromkeys(DEFAULT_WEIGHTS, 0), DEFAULT_PENALTIES),
                               (DEFAULT_WEIGHTS, {"cap": 10})):
        response = client.post(f"{URL}/weights", {"year": year, "weights": weights, "penalties": penalties},
                               content_type="application/json")
        assert response.status_code == 422 and response.json()["message"], (weights, penalties)
    page = client.post("/oversight/assessment/weights/", {"year": year, **{f"w_{k}": "x" for k in DEFAULT_WEIGHTS}})
    assert page.status_code == 200 and "须为数字" in page.content.decode()
    assert not AssessmentWeights.objects.exists()


def test_archived_results_are_read_for_a_past_year(scene, province_officer, year):
    client = login(province_officer)
    assert client.get(URL, {"region": CITY, "year": year - 1}).json()["results"] == []
    response = client.post(f"{URL}/archive", {"region_code": CITY, "year": year}, content_type="application/json")
    assert response.status_code == 200 and response.json()["archived"] == 2
    AssessmentResult.objects.update(year=year - 1)  # as if archived last December
    past = client.get(URL, {"region": CITY, "year": year - 1}).json()
    assert past["source"] == "archive" and {r["region_code"] for r in past["results"]} == {"510104000000",
                                                                                           "510105000000"}
    refused = client.post(f"{URL}/archive", {"region_code": CITY, "year": year - 1}, content_type="application/json")
    assert refused.status_code == 422


def test_wrong_roles_and_outsiders(scene, county_officer, outsider, township_officer, admin_user, city_officer,
                                   year):
    assert login(outsider).get(URL, {"region": "510104000000"}).status_code == 404
    assert login(outsider).get("/oversight/assessment/", {"region": "510104000000"}).status_code == 404
    assert login(township_officer).get(URL).status_code == 404
    assert login(admin_user).get(URL).status_code == 404  # weights only
    assert login(admin_user).get("/oversight/assessment/weights/").status_code == 200
    body = {"year": year, "weights": DEFAULT_WEIGHTS, "penalties": DEFAULT_PENALTIES}
    for user in (county_officer, city_officer):
        assert login(user).post(f"{URL}/weights", body, content_type="application/json").status_code == 404
        assert login(user).post(f"{URL}/archive", {}, content_type="application/json").status_code == 404
    townships = login(county_officer).get(URL).json()["results"]
    assert {r["region_code"] for r in townships} == {"510104001000", "510104002000"}
    assert not AssessmentWeights.objects.exists() and not AssessmentResult.objects.exists()


def test_scoring_runs_a_fixed_number_of_queries_however_many_families(scene, province_officer, make_family,
                                                                      django_assert_max_num_queries):
    from guanhuai.oversight.assessment import compute_scores
    from guanhuai.regions.models import Region

    city = Region.objects.get(code=CITY)
    with django_assert_max_num_queries(12) as few:
        compute_scores(province_officer, city, timezone.localdate().year)
    for i in range(15):
        make_family("510105001001", head_name=f"南河{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        compute_scores(province_officer, city, timezone.localdate().year)
