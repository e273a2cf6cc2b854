"""The survey's questionnaire (data the province edits), results per family and aggregates per county and city."""

import pytest

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.oversight.models import SampleSurvey, SurveyAnswer, SurveyQuestion

URL = "/api/oversight/surveys"


@pytest.fixture
def survey(make_family, province_officer):
    for i in range(3):
        make_family("510104001001", head_name=f"张{i}")
    for i in range(2):
        make_family("510105001001", head_name=f"王{i}")
    data = login(province_officer).post(URL, {"share": "1", "seed": 4}, content_type="application/json").json()
    return SampleSurvey.objects.get(pk=data["id"])


def _q(survey, kind):
    return survey.questions.filter(kind=kind).first()


def _record(client, survey, item, **body):
    return client.post(f"{URL}/{survey.pk}/families/{item.pk}/result", body, content_type="application/json")


def test_the_province_adds_and_edits_questions_as_data(survey, province_officer):
    client = login(province_officer)
    response = client.post(f"{URL}/{survey.pk}/questions",
                           {"text": "您家是否收到联系卡?", "kind": "yes_no"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["position"] == 6
    qid = response.json()["id"]
    changed = client.put(f"{URL}/{survey.pk}/questions/{qid}",
                         {"text": "您家是否收到新的联系卡?", "kind": "choice", "choices": ["收到", "没收到"]},
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["choices"] == ["收到", "没收到"]
    bad = client.post(f"{URL}/{survey.pk}/questions", {"text": "只有一个选项", "kind": "choice", "choices": ["是"]},
                      content_type="application/json")
    assert bad.status_code == 422 and "两个选项" in bad.json()["message"]
    assert survey.questions.count() == 6
    assert AuditEvent.objects.filter(action="survey.question_updated").exists()


def test_an_answered_question_keeps_its_kind_but_can_be_switched_off(survey, province_officer):
    client = login(province_officer)
    question = _q(survey, "yes_no")
    item = survey.items.first()
    assert _record(client, survey, item, reached=True, answers={question.pk: True}).status_code == 200
    refused = client.put(f"{URL}/{survey.pk}/questions/{question.pk}", {"text": question.text, "kind": "scale"},
                         content_type="application/json")
    assert refused.status_code == 422 and SurveyQuestion.objects.get(pk=question.pk).kind == "yes_no"
    off = client.put(f"{URL}/{survey.pk}/questions/{question.pk}",
                     {"text": question.text, "kind": "yes_no", "is_active": False}, content_type="application/json")
    assert off.status_code == 200 and off.json()["is_active"] is False


def test_results_are_recorded_per_family_and_bad_answers_change_nothing(survey, province_officer):
    client = login(province_officer)
    yes, scale, choice = _q(survey, "yes_no"), _q(survey, "scale"), _q(survey, "choice")
    item = survey.items.first()
    ok = _record(client, survey, item, reached=True, answers={yes.pk: True, scale.pk: 4, choice.pk: "养老保障"})
    assert ok.status_code == 200, ok.content
    assert {a["question_id"]: a["value"] for a in ok.json()["answers"]} == {yes.pk: True, scale.pk: 4,
                                                                             choice.pk: "养老保障"}
    for answers in ({scale.pk: 6}, {choice.pk: "不在选项里"}, {999999: True}):
        bad = _record(client, survey, item, reached=True, answers=answers)
        assert bad.status_code == 422 and bad.json()["message"], answers
    not_reached = _record(client, survey, survey.items.last(), reached=False, answers={yes.pk: True})
    assert not_reached.status_code == 422
    assert SurveyAnswer.objects.filter(item=item).count() == 3
    assert AuditEvent.objects.filter(action="survey.family_recorded").count() == 1


def test_aggregates_per_county_and_city(survey, province_officer, county_officer):
    client = login(province_officer)
    yes, scale = _q(survey, "yes_no"), _q(survey, "scale")
    items = list(survey.items.order_by("position"))
    own = [i for i in items if i.region_id.startswith("510104")]
    south = [i for i in items if i.region_id.startswith("510105")]
    _record(client, survey, own[0], reached=True, answers={yes.pk: True, scale.pk: 5})
    _record(client, survey, own[1], reached=True, answers={yes.pk: False, scale.pk: 3})
    _record(client, survey, own[2], reached=False)
    _record(client, survey, south[0], reached=True, answers={yes.pk: True, scale.pk: 2})
    data = client.get(f"{URL}/{survey.pk}/results").json()
    counties = {r["region_code"]: r for r in data["levels"]["county"]}
    east = counties["510104000000"]
    assert (east["sampled"], east["recorded"], east["reached"]) == (3, 3, 2)
    assert east["reach_rate"] == pytest.approx(0.6667, abs=1e-4)
    figures = {f["question_id"]: f for f in east["questions"]}
    assert figures[yes.pk]["yes_share"] == 0.5 and figures[scale.pk]["mean"] == 4.0
    city = data["levels"]["city"][0]
    assert city["region_code"] == "510100000000" and city["reached"] == 3 and city["sampled"] == 5
    city_figures = {f["question_id"]: f for f in city["questions"]}
    assert city_figures[yes.pk]["yes_share"] == pytest.approx(0.6667, abs=1e-4)
    mine = login(county_officer).get(f"{URL}/{survey.pk}/results").json()
    assert [r["region_code"] for r in mine["levels"]["county"]] == ["510104000000"] and "city" not in mine["levels"]
    page = client.get(f"/oversight/surveys/{survey.pk}/results/").content.decode()
    assert "东城县" in page and "南河县" in page and "67%" in page


def test_readers_cannot_record_or_edit(survey, county_officer, city_officer, auditor, outsider):
    item = survey.items.filter(region__code__startswith="510104").first()
    question = survey.questions.first()
    for user in (county_officer, city_officer, auditor):
        client = login(user)
        assert _record(client, survey, item, reached=False).status_code == 404
        assert client.post(f"{URL}/{survey.pk}/questions", {"text": "x", "kind": "text"},
                           content_type="application/json").status_code == 404
        assert client.post(f"/oversight/surveys/{survey.pk}/families/{item.pk}/", {"reached": "0"}).status_code == 404
        assert client.get(f"/oversight/surveys/{survey.pk}/questions/{question.pk}/").status_code == 404
    assert login(outsider).get(f"{URL}/{survey.pk}/families/{item.pk}").status_code == 404
    assert login(county_officer).get(f"{URL}/{survey.pk}/families/{item.pk}").status_code == 200
    item.refresh_from_db()
    assert item.reached is None


def test_the_record_page_saves_answers(survey, province_officer):
    client = login(province_officer)
    yes, scale = _q(survey, "yes_no"), _q(survey, "scale")
    item = survey.items.first()
    response = client.post(f"/oversight/surveys/{survey.pk}/families/{item.pk}/",
                           {"reached": "1", f"q{yes.pk}": "1", f"q{scale.pk}": "4", "note": "老人接听"})
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.reached is True and item.note == "老人接听"
    assert {a.question_id: a.display for a in item.answers.all()} == {yes.pk: "是", scale.pk: "4 分"}
    page = client.get(f"/oversight/surveys/{survey.pk}/families/{item.pk}/").content.decode()
    assert "老人接听" in page


def test_the_list_page_query_count_does_not_grow(survey, province_officer, django_assert_max_num_queries):
    client = login(province_officer)
    for seed in range(4):
        client.post(URL, {"share": "0.5", "seed": seed}, content_type="application/json")
    with django_assert_max_num_queries(12):
        response = client.get("/oversight/surveys/")
    assert response.status_code == 200 and response.content.decode().count("抽样电话调查") >= 5
