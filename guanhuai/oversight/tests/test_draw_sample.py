"""The province's 1% sample: stratified by county, proportional, reproducible from the seed."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.oversight.models import SampleSurvey, SurveyFamily
from guanhuai.oversight.selectors_survey import allocate, draw_stratified
from guanhuai.regions.models import Region

URL = "/api/oversight/surveys"


@pytest.fixture
def province_families(make_family):
    """Twelve families in 东城县 and three in 南河县."""
    own = [make_family("510104001001", head_name=f"张{i}") for i in range(8)]
    own += [make_family("510104002001", head_name=f"李{i}") for i in range(4)]
    south = [make_family("510105001001", head_name=f"王{i}") for i in range(3)]
    return own, south


def test_allocation_is_proportional_with_at_least_one_per_county():
    assert allocate({"510104": 900, "510105": 100}, Decimal("0.01")) == {"510104": 9, "510105": 1}
    assert allocate({"a": 5000, "b": 3, "c": 0}, Decimal("0.01")) == {"a": 50, "b": 1}
    sizes = allocate({"a": 150, "b": 150, "c": 100}, Decimal("0.01"))
    assert sum(sizes.values()) == 4 and sizes["c"] == 1
    assert allocate({"a": 2}, Decimal("1")) == {"a": 2}


def test_the_province_officer_draws_every_county_and_the_draw_is_recorded(province_families, province_officer):
    response = login(province_officer).post(URL, {"share": "0.2", "seed": 11, "year": 2026},
                                            content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    own, south = province_families
    assert data["population"] == 15 and data["sample_size"] == 3
    assert {s["county"]: s["size"] for s in data["strata"]} == {"510104000000": 2, "510105000000": 1}
    drawn = data["drawn_family_ids"]
    assert len(set(drawn) & {f.pk for f in own}) == 2 and len(set(drawn) & {f.pk for f in south}) == 1
    survey = SampleSurvey.objects.get(pk=data["id"])
    assert survey.seed == 11 and list(survey.items.values_list("family_id", flat=True)) == drawn
    assert survey.questions.count() == 5  # the default questionnaire
    assert AuditEvent.objects.filter(action="survey.planned", object_id=str(survey.pk)).exists()


def test_verification_redraws_the_same_list_after_the_register_changed(province_families, province_officer,
                                                                       make_family):
    client = login(province_officer)
    data = client.post(URL, {"share": "0.3", "seed": 5}, content_type="application/json").json()
    make_family("510105001001", head_name="后来者")
    verify = client.get(f"{URL}/{data['id']}/verify").json()
    assert verify["matches"] is True and verify["redrawn_family_ids"] == data["drawn_family_ids"]
    survey = SampleSurvey.objects.get(pk=data["id"])
    survey.drawn_ids = list(reversed(survey.drawn_ids))
    survey.save(update_fields=["drawn_ids"])
    assert client.get(f"{URL}/{data['id']}/verify").json()["matches"] is False
    assert "核验不一致" in client.get(f"/oversight/surveys/{data['id']}/?verify=1").content.decode()


def test_the_same_seed_gives_the_same_draw_and_another_seed_another(province_families, regions):
    as_of = timezone.now()
    province = Region.objects.get(code="510000000000")
    first = draw_stratified(province, Decimal("0.3"), 7, as_of).drawn
    assert draw_stratified(province, Decimal("0.3"), 7, as_of).drawn == first
    assert any(draw_stratified(province, Decimal("0.3"), s, as_of).drawn != first for s in range(8, 20))


def test_draw_sample_prints_masked_families_as_json(province_families):
    out = StringIO()
    call_command("draw_sample", "--region", "510000000000", "--share", "0.2", "--seed", "11", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["sample_size"] == 3 and payload["population"] == 15 and len(payload["families"]) == 3
    assert {"family_id", "county", "village", "head_name", "id_number_masked"} <= set(payload["families"][0])
    assert "*" in payload["families"][0]["id_number_masked"]
    raw = {m.id_number for f in province_families[0] + province_families[1] for m in f.members.all()}
    assert not any(number in out.getvalue() for number in raw)
    again = StringIO()
    call_command("draw_sample", "--region", "510000000000", "--share", "0.2", "--seed", "11", "--json", stdout=again)
    assert [f["family_id"] for f in json.loads(again.getvalue())["families"]] == \
        [f["family_id"] for f in payload["families"]]


def test_the_command_and_a_planned_survey_draw_the_same_families(province_families, province_officer):
    data = login(province_officer).post(URL, {"share": "0.2", "seed": 3}, content_type="application/json").json()
    out = StringIO()
    call_command("draw_sample", "--region", "510000000000", "--share", "0.2", "--seed", "3", "--json",
                 "--as-of", data["register_as_of"], stdout=out)
    assert [f["family_id"] for f in json.loads(out.getvalue())["families"]] == data["drawn_family_ids"]


def test_only_province_officers_plan_and_bad_input_writes_nothing(province_families, county_officer, city_officer,
                                                                  auditor, province_officer):
    for user in (county_officer, city_officer, auditor):
        assert login(user).post(URL, {"seed": 1}, content_type="application/json").status_code == 404
    client = login(province_officer)
    for body in ({"share": "0"}, {"share": "1.5"}, {"seed": -1}, {"region_code": "510104001000"}):
        response = client.post(URL, body, content_type="application/json")
        assert response.status_code == 422 and response.json()["message"], body
    assert not SampleSurvey.objects.exists() and not SurveyFamily.objects.exists()


def test_city_and_county_read_only_their_part(province_families, province_officer, county_officer, outsider,
                                             township_officer):
    data = login(province_officer).post(URL, {"share": "0.3", "seed": 2}, content_type="application/json").json()
    own_ids = {f.pk for f in province_families[0]}
    mine = login(county_officer).get(f"{URL}/{data['id']}").json()
    assert mine["items"] and {i["family_id"] for i in mine["items"]} <= own_ids
    theirs = login(outsider).get(f"{URL}/{data['id']}").json()
    assert theirs["items"] and not ({i["family_id"] for i in theirs["items"]} & own_ids)
    assert login(township_officer).get(f"{URL}/{data['id']}").status_code == 404
    assert login(county_officer).get(f"/oversight/surveys/{data['id']}/").status_code == 200


def test_the_page_form_plans_a_survey(province_families, province_officer):
    client = login(province_officer)
    response = client.post("/oversight/surveys/", {"title": "年度抽样调查", "year": "2026", "planned_on": "2026-05-01",
                                                   "share": "0.2", "seed": "9"})
    survey = SampleSurvey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/oversight/surveys/{survey.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "年度抽样调查" in page and "东城县" in page and "9" in page
