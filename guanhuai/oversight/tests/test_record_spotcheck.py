"""Recording what sampled families say; denied visits count against the contact; the yearly warning."""

from conftest import login
from guanhuai.audit.models import AuditEvent
from guanhuai.oversight.models import SpotCheck, SpotCheckVisit

URL = "/api/oversight/spotchecks"


def _check(client, size=1, seed=1):
    response = client.post(URL, {"size": size, "seed": seed}, content_type="application/json")
    assert response.status_code == 201, response.content
    return SpotCheck.objects.get(pk=response.json()["id"])


def test_a_denied_visit_is_a_suspected_false_report_against_its_contact(visited_family, county_officer, auditor):
    family, first, second, visits = visited_family
    client = login(county_officer)
    check = _check(client)
    item = check.items.get()
    shown = client.get(f"{URL}/{check.pk}/families/{item.pk}").json()
    assert shown["first_contact"] == "王乡干" and shown["second_contact"] == "赵村干"
    assert {v["visit_id"] for v in shown["visits"]} == {v.pk for v in visits}
    body = {"reached": True, "knows_first": True, "knows_second": False, "satisfaction": 4,
            "problems": "不知道村里联系人", "visits": {str(visits[0].pk): True, str(visits[1].pk): False}}
    response = client.post(f"{URL}/{check.pk}/families/{item.pk}/result", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["suspected_false_reports"] == 1
    denied = SpotCheckVisit.objects.get(confirmed=False)
    assert denied.visit_id == visits[1].pk and denied.contact_id == first.pk
    item.refresh_from_db()
    assert (item.reached, item.knows_first, item.knows_second, item.satisfaction) == (True, True, False, 4)
    assert AuditEvent.objects.filter(action="spotcheck.family_recorded", object_id=str(item.pk)).exists()
    reports = login(auditor).get(f"/api/oversight/contacts/{first.pk}/false-reports").json()
    assert reports["suspected_false_reports"] == 1 and reports["results"][0]["visit_id"] == visits[1].pk
    assert login(auditor).get(f"/api/oversight/contacts/{second.pk}/false-reports").json()[
        "suspected_false_reports"] == 0
    page = client.get(f"/oversight/contacts/{first.pk}/false-reports/").content.decode()
    assert visits[1].visit_date.strftime("%Y-%m-%d") in page
    assert f"/oversight/contacts/{first.pk}/false-reports/" in client.get(f"/contacts/{first.pk}/").content.decode()


def test_the_page_form_records_answers_and_flags_denials(visited_family, county_officer):
    family, first, _, visits = visited_family
    client = login(county_officer)
    check = _check(client)
    item = check.items.get()
    url = f"/oversight/spotchecks/{check.pk}/families/{item.pk}/"
    page = client.get(url).content.decode()
    assert "王乡干" in page and "赵村干" in page
    response = client.post(url, {"reached": "1", "knows_first": "1", "knows_second": "1", "satisfaction": "5",
                                 f"visit_{visits[0].pk}": "0", f"visit_{visits[1].pk}": "1"}, follow=True)
    assert "疑似虚报" in response.content.decode()
    assert list(SpotCheckVisit.objects.filter(confirmed=False).values_list("visit_id", flat=True)) == [visits[0].pk]


def test_it_rejects_incomplete_or_inconsistent_answers_and_writes_nothing(visited_family, county_officer,
                                                                        make_family):
    family, _, _, visits = visited_family
    client = login(county_officer)
    check = _check(client)
    item = check.items.get()
    other_visit_family = make_family("510104001001", head_name="别家")
    from django.utils import timezone

    from guanhuai.visits.services import visit_record

    foreign = visit_record(acting_user=county_officer, family=other_visit_family,
                           data={"visit_date": timezone.localdate(), "channel": "phone"})
    url = f"{URL}/{check.pk}/families/{item.pk}/result"
    for body in ({"reached": True, "satisfaction": 3},
                 {"reached": True, "knows_first": True, "knows_second": True, "satisfaction": 6},
                 {"reached": False, "satisfaction": 3},
                 {"reached": True, "knows_first": True, "knows_second": True, "satisfaction": 3,
                  "visits": {str(foreign.pk): False}}):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 422, body
        assert response.json()["fields"], body
    item.refresh_from_db()
    assert item.reached is None and not SpotCheckVisit.objects.exists()


def test_a_check_completes_only_when_every_family_is_recorded(county_families, county_officer):
    client = login(county_officer)
    check = _check(client, size=2)
    response = client.post(f"{URL}/{check.pk}/complete")
    assert response.status_code == 422 and "2 户" in response.json()["message"]
    for item in check.items.all():
        client.post(f"{URL}/{check.pk}/families/{item.pk}/result", {"reached": False},
                    content_type="application/json")
    assert client.post(f"{URL}/{check.pk}/complete").json()["state"] == "completed"
    again = client.post(f"{URL}/{check.pk}/families/{check.items.first().pk}/result", {"reached": False},
                        content_type="application/json")
    assert again.status_code == 422


def test_only_the_county_officer_records(visited_family, county_officer, township_officer, auditor, outsider):
    check = _check(login(county_officer))
    item = check.items.get()
    url = f"{URL}/{check.pk}/families/{item.pk}/result"
    for user in (township_officer, auditor, outsider):
        assert login(user).post(url, {"reached": False}, content_type="application/json").status_code == 404
        assert login(user).post(f"/oversight/spotchecks/{check.pk}/families/{item.pk}/",
                                {"reached": "0"}).status_code == 404
    item.refresh_from_db()
    assert item.reached is None


def test_the_county_pages_warn_until_two_checks_are_completed_this_year(county_families, county_officer):
    client = login(county_officer)
    warning = "少于每年至少 2 次"
    assert warning in client.get("/").content.decode()
    assert warning in client.get("/oversight/spotchecks/").content.decode()
    assert client.get(URL).json()["warning"]
    for seed in (1, 2):
        check = _check(client, seed=seed)
        client.post(f"{URL}/{check.pk}/families/{check.items.get().pk}/result", {"reached": False},
                    content_type="application/json")
        client.post(f"{URL}/{check.pk}/complete")
    assert warning not in client.get("/").content.decode()
    assert warning not in client.get("/oversight/spotchecks/").content.decode()
    assert client.get(URL).json()["warning"] is None
