"""Planning a spot check draws a reproducible sample of the county's register."""

import datetime as dt
from decimal import Decimal

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.oversight.models import SpotCheck, SpotCheckFamily

URL = "/api/oversight/spotchecks"


def _plan(client, **body):
    body.setdefault("planned_on", "2026-03-01")
    return client.post(URL, body, content_type="application/json")


def test_it_draws_the_chosen_number_of_families_of_the_county_only(county_families, county_officer):
    response = _plan(login(county_officer), size=3, seed=42)
    assert response.status_code == 201, response.content
    data = response.json()
    own = {f.pk for f in county_families}
    assert data["population"] == 5 and data["sample_size"] == 3 and data["seed"] == 42
    assert len(set(data["drawn_family_ids"])) == 3 and set(data["drawn_family_ids"]) <= own
    check = SpotCheck.objects.get(pk=data["id"])
    assert list(SpotCheckFamily.objects.filter(spot_check=check).order_by("position")
                .values_list("family_id", flat=True)) == data["drawn_family_ids"]
    assert AuditEvent.objects.filter(action="spotcheck.planned", object_id=str(check.pk)).exists()


def test_the_same_seed_on_the_same_register_gives_the_same_draw(county_families, county_officer):
    client = login(county_officer)
    first = _plan(client, size=2, seed=7).json()
    second = _plan(client, size=2, seed=7).json()
    other = [_plan(client, size=2, seed=s).json()["drawn_family_ids"] for s in range(8, 20)]
    assert first["drawn_family_ids"] == second["drawn_family_ids"]
    assert any(d != first["drawn_family_ids"] for d in other)  # the seed matters


def test_a_share_is_rounded_up_to_whole_families(county_families, county_officer):
    data = _plan(login(county_officer), share="0.5", seed=1).json()
    assert data["sample_size"] == 3 and Decimal(data["sample_share"]) == Decimal("0.5")


def test_verification_redraws_the_same_list_even_after_the_register_changed(county_families, county_officer,
                                                                            make_family):
    client = login(county_officer)
    data = _plan(client, size=3, seed=99).json()
    make_family("510104001002", head_name="后来者")  # entered after the plan: not in that register
    verify = client.get(f"{URL}/{data['id']}/verify").json()
    assert verify["matches"] is True and verify["population"] == 5
    assert verify["redrawn_family_ids"] == data["drawn_family_ids"]
    page = client.get(f"/oversight/spotchecks/{data['id']}/?verify=1")
    assert "核验通过" in page.content.decode()


def test_verification_detects_a_tampered_sample(county_families, county_officer):
    client = login(county_officer)
    data = _plan(client, size=2, seed=5).json()
    check = SpotCheck.objects.get(pk=data["id"])
    others = [f.pk for f in county_families if f.pk not in check.drawn_ids]
    check.drawn_ids = [others[0], check.drawn_ids[1]]
    check.save(update_fields=["drawn_ids"])
    assert client.get(f"{URL}/{check.pk}/verify").json()["matches"] is False


def test_it_rejects_both_or_neither_size_and_share_and_writes_nothing(county_families, county_officer):
    client = login(county_officer)
    for body in ({}, {"size": 2, "share": "0.1"}, {"share": "1.5"}, {"size": 0}):
        response = _plan(client, **body)
        assert response.status_code == 422, body
        assert response.json()["code"] == "invalid" and response.json()["message"]
    assert not SpotCheck.objects.exists()


def test_the_page_form_plans_a_check_and_shows_the_seed(county_families, county_officer):
    client = login(county_officer)
    response = client.post("/oversight/spotchecks/", {"title": "上半年抽查", "planned_on": "2026-03-02", "size": "2",
                                                      "seed": "123"})
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/oversight/spotchecks/{check.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "123" in page and "上半年抽查" in page
    bad = client.post("/oversight/spotchecks/", {"title": "x", "planned_on": "2026-03-02"})
    assert "请填写抽取户数或抽取比例" in bad.content.decode() and SpotCheck.objects.count() == 1


def test_only_county_officers_plan_and_only_in_their_county(county_families, township_officer, auditor,
                                                            province_officer, outsider, county_officer):
    for user in (township_officer, auditor, province_officer):
        assert _plan(login(user), size=1).status_code == 404, user
        assert login(user).post("/oversight/spotchecks/", {"size": "1", "planned_on": "2026-03-01",
                                                            "title": "x"}).status_code == 404
    assert _plan(login(outsider), size=1, region_code="510104000000").status_code == 422
    assert not SpotCheck.objects.exists()
    check_id = _plan(login(county_officer), size=1, seed=3).json()["id"]
    assert login(auditor).get(f"{URL}/{check_id}").status_code == 200
    assert login(province_officer).get(f"/oversight/spotchecks/{check_id}/").status_code == 200
    assert login(outsider).get(f"{URL}/{check_id}").status_code == 404
    assert login(township_officer).get(f"{URL}/{check_id}").status_code == 404
    assert login(auditor).post(f"{URL}/{check_id}/complete").status_code == 404


def test_the_list_page_query_count_does_not_grow_with_checks(county_families, county_officer,
                                                             django_assert_max_num_queries):
    client = login(county_officer)
    for seed in range(6):
        _plan(client, size=2, seed=seed)
    with django_assert_max_num_queries(12):
        response = client.get("/oversight/spotchecks/")
    assert response.status_code == 200 and response.content.decode().count("双岗联系制度抽查") >= 6


def test_planned_on_is_kept(county_families, county_officer):
    data = _plan(login(county_officer), size=1, planned_on="2026-04-05").json()
    assert SpotCheck.objects.get(pk=data["id"]).planned_on == dt.date(2026, 4, 5)
