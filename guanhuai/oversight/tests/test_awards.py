"""The contact-person ranking for the annual awards (评选表彰): figures per contact, sortable, exported."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import login
from guanhuai.community.services import training_attendance_set, training_create
from guanhuai.oversight.selectors import visits_to_verify
from guanhuai.oversight.services import spotcheck_plan, spotcheck_record_family

URL = "/api/oversight/assessment/awards"


@pytest.fixture
def scene(visited_family, county_officer):
    """first contact: 2 home visits, one denied (虚报), no training; second contact: trained, no visits."""
    family, first, second, visits = visited_family
    check = spotcheck_plan(acting_user=county_officer, region=county_officer.region, title="抽查",
                           planned_on=timezone.localdate(), size=1, seed=1)
    item = check.items.get()
    spotcheck_record_family(acting_user=county_officer, item=item, reached=True, knows_first=True, knows_second=True,
                            satisfaction=4, visits={visits_to_verify(item)[0].pk: False})
    training = training_create(acting_user=county_officer, region=county_officer.region,
                               held_on=timezone.localdate(), title="业务培训")
    training_attendance_set(acting_user=county_officer, training=training, contact_ids=[second.pk])
    return first, second


def test_each_contact_has_visits_false_reports_trainings_and_a_recommendation(scene, county_officer):
    first, second = scene
    data = login(county_officer).get(URL).json()
    rows = {r["contact_id"]: r for r in data["results"]}
    assert rows[first.pk]["visits"] == 2 and rows[first.pk]["home_visits"] == 2
    assert rows[first.pk]["false_reports"] == 1 and rows[first.pk]["trainings"] == 0
    assert rows[first.pk]["families"] == 1 and rows[first.pk]["recommended"] is False
    assert "虚报" in rows[first.pk]["remark"] and "培训" in rows[first.pk]["remark"]
    assert rows[second.pk]["trainings"] == 1 and rows[second.pk]["recommended"] is True
    assert rows[second.pk]["rank"] == 1 and rows[second.pk]["on_track"] is not None


def test_the_list_sorts_by_a_chosen_column(scene, county_officer):
    first, second = scene
    client = login(county_officer)
    by_visits = client.get(URL, {"sort": "visits"}).json()["results"]
    assert by_visits[0]["contact_id"] == first.pk
    ascending = client.get(URL, {"sort": "visits", "desc": False}).json()["results"]
    assert ascending[0]["contact_id"] == second.pk
    page = client.get("/oversight/assessment/awards/", {"sort": "false_reports"}).content.decode()
    assert "王乡干" in page and "可推荐" in page and "疑似虚报 ↓" in page


def test_the_export_is_an_xlsx_with_every_contact(scene, county_officer):
    response = login(county_officer).get("/oversight/assessment/awards/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "姓名", "类别") and {r[1] for r in rows[1:]} == {"王乡干", "赵村干"}


def test_outsiders_and_wrong_roles_get_404(scene, outsider, township_officer, village_contact, county_officer):
    assert login(outsider).get(URL, {"region": "510104000000"}).status_code == 404
    assert login(outsider).get(URL).json()["results"] == []
    for user in (township_officer, village_contact):
        assert login(user).get(URL).status_code == 404
        assert login(user).get("/oversight/assessment/awards/").status_code == 404


def test_the_query_count_does_not_grow_with_contacts(scene, county_officer, django_assert_max_num_queries):
    from guanhuai.contacts.services import contact_create

    for i in range(10):
        contact_create(acting_user=county_officer, region=county_officer.region, name=f"新人{i}",
                       kind="township_cadre", phone="13900000009")
    client = login(county_officer)
    client.get("/oversight/assessment/awards/")
    with django_assert_max_num_queries(20):
        response = client.get("/oversight/assessment/awards/")
    assert response.status_code == 200 and "新人9" in response.content.decode()
