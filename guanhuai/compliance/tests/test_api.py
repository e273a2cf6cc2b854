import datetime as dt
import json

from conftest import login
from guanhuai.compliance.models import ProfileVersion


def test_the_report_endpoint_matches_the_documented_shape(make_family, county_officer):
    make_family(head_name="接口户", registered_on=dt.date(2025, 1, 1))
    body = login(county_officer).get("/api/compliance/report?region=510104000000&date=2025-03-19").json()
    assert set(body) == {"region", "date", "families", "rates", "overdue"}
    assert body["families"] == 1 and body["rates"]["weekly_contact"] == 0.0
    assert body["overdue"][0]["obligation"] in {"weekly_contact", "monthly_meeting", "festival_visit"}


def test_an_outsider_gets_404_for_another_countys_report(make_family, outsider):
    make_family()
    assert login(outsider).get("/api/compliance/report?region=510104000000").status_code == 404


def test_a_family_s_obligations_with_history(make_family, township_officer):
    family = make_family(registered_on=dt.date(2025, 1, 1))
    body = login(township_officer).get(f"/api/compliance/families/{family.pk}").json()
    weekly = next(o for o in body if o["key"] == "weekly_contact")
    assert weekly["status"] == "overdue" and weekly["history"] and not weekly["history"][0]["met"]


def test_only_administrators_add_versions(county_officer, admin_user):
    version = ProfileVersion.objects.get(profile__code="sichuan-2018")
    payload = {"effective_from": "2027-01-01", "obligations": version.obligations, "note": "年度修订"}
    url = f"/api/compliance/profiles/{version.profile_id}/versions"
    assert login(county_officer).post(url, json.dumps(payload), content_type="application/json").status_code == 404
    response = login(admin_user).post(url, json.dumps(payload), content_type="application/json")
    assert response.status_code == 201
    assert ProfileVersion.objects.filter(profile_id=version.profile_id).count() == 2


def test_binding_a_region_through_the_api(admin_user):
    client = login(admin_user)
    response = client.put("/api/compliance/regions/510105000000/profile", json.dumps({"profile": "hubei-2016"}),
                          content_type="application/json")
    assert response.status_code == 204
    bad = client.put("/api/compliance/regions/510105000000/profile", json.dumps({"profile": "nope"}),
                     content_type="application/json")
    assert bad.status_code == 422 and "政策不存在" in bad.json()["message"]


def test_rates_per_contact_person(make_family, county_officer, outsider):
    from guanhuai.contacts.services import assignment_set, contact_create
    from guanhuai.regions.models import Region

    contact = contact_create(acting_user=county_officer, region=Region.objects.get(code="510104001001"),
                             name="村干丙", kind="village_cadre", phone="13900000031")
    mine = make_family(registered_on=dt.date(2025, 1, 1))
    make_family(head_name="别人的户", registered_on=dt.date(2025, 1, 1))
    assignment_set(acting_user=county_officer, family=mine, slot="second", contact=contact,
                   start_date=dt.date(2025, 1, 1))
    body = login(county_officer).get(f"/api/compliance/contacts/{contact.pk}/rates?date=2025-03-19").json()
    assert body["families"] == 1 and body["rates"]["weekly_contact"] == 0.0 and body["rates"]["coverage"] == 0.0
    assert login(outsider).get(f"/api/compliance/contacts/{contact.pk}/rates").status_code == 404
