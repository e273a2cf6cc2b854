"""Coverage pages (county, township): rate per child region, families lacking a contact in red."""

from django.urls import reverse

from conftest import login
from guanhuai.contacts.services import assignment_set

from .conftest import START


def _cover(county_officer, family, first_contact, second_contact):
    assignment_set(acting_user=county_officer, family=family, slot="first", contact=first_contact, start_date=START)
    assignment_set(acting_user=county_officer, family=family, slot="second", contact=second_contact,
                   start_date=START)


def test_the_county_page_shows_the_rate_per_township_and_missing_families_in_red(
        make_family, first_contact, second_contact, county_officer):
    _cover(county_officer, make_family(head_name="齐全户"), first_contact, second_contact)
    half = make_family(head_name="缺村干户")
    assignment_set(acting_user=county_officer, family=half, slot="first", contact=first_contact, start_date=START)
    make_family("510104002001", head_name="无人户")
    response = login(county_officer).get(reverse("contacts:coverage"))
    assert response.status_code == 200
    rows = {r.region.name: r for r in response.context["rows"]}
    assert (rows["东城镇"].families, rows["东城镇"].covered) == (2, 1)
    assert (rows["西山乡"].families, rows["西山乡"].covered) == (1, 0)
    html = response.content.decode()
    assert "33.3%" in html and "50%" in html
    missing = html.split("缺少联系人的家庭")[1]
    assert missing.count('<tr class="row-missing">') == 2
    assert "缺村干户" in missing and "无人户" in missing and "齐全户" not in missing


def test_the_township_page_drills_down_to_villages(make_family, first_contact, second_contact, county_officer,
                                                   township_officer):
    _cover(county_officer, make_family(head_name="齐全户"), first_contact, second_contact)
    make_family("510104001002", head_name="李庄户")
    response = login(township_officer).get(reverse("contacts:coverage_region", args=["510104001000"]))
    rows = {r.region.name: (r.families, r.covered) for r in response.context["rows"]}
    assert rows == {"桃园村": (1, 1), "李庄村": (1, 0)}
    assert response.context["total"].rate == 0.5


def test_full_coverage_is_said_plainly(family, first_contact, second_contact, county_officer):
    _cover(county_officer, family, first_contact, second_contact)
    html = login(county_officer).get(reverse("contacts:coverage")).content.decode()
    assert "实现全覆盖" in html and "100%" in html


def test_another_county_is_404_and_the_own_page_shows_nothing_of_it(family, outsider):
    client = login(outsider)
    assert client.get(reverse("contacts:coverage_region", args=["510104000000"])).status_code == 404
    response = client.get(reverse("contacts:coverage"))
    assert response.status_code == 200 and response.context["total"].families == 0
    assert "张建国" not in response.content.decode()


def test_the_nav_links_to_coverage_for_readers(village_contact, auditor):
    for user in (village_contact, auditor):
        html = login(user).get(reverse("web:home")).content.decode()
        assert reverse("contacts:coverage") in html


def test_the_coverage_query_count_does_not_grow_with_families(make_family, county_officer,
                                                              django_assert_max_num_queries):
    for i in range(20):
        make_family(head_name=f"户{i}")
    client = login(county_officer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("contacts:coverage")).status_code == 200
