"""Browsing the region tree: a user sees their own subtree and nothing above or beside it."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login, member_data


def browse(code=None) -> str:
    return reverse("regions:browse_code", args=[code]) if code else reverse("regions:browse")


def test_anonymous_visitors_are_sent_to_login(regions):
    for path in [browse(), browse("510104000000")]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_it_starts_at_the_users_own_region_and_lists_the_children(county_officer):
    response = login(county_officer).get(browse())
    assert response.status_code == 200
    assert response.context["region"].code == "510104000000"
    assert [row[0].code for row in response.context["rows"]] == ["510104001000", "510104002000"]
    html = response.content.decode()
    assert "东城镇" in html and "西山乡" in html and "南河镇" not in html


def test_it_counts_active_families_per_child_region(make_family, county_officer):
    make_family("510104001001")
    make_family("510104001002", members=[member_data(name="李四")])
    make_family("510104002001", members=[member_data(name="王五")])
    rows = {row[0].code: row[1] for row in login(county_officer).get(browse()).context["rows"]}
    assert rows == {"510104001000": 2, "510104002000": 1}


def test_the_counts_only_include_the_users_families(make_family, province_officer):
    make_family("510104001001")
    make_family("510105001001", members=[member_data(name="赵六")])
    rows = {row[0].code: row[1] for row in login(province_officer).get(browse("510100000000")).context["rows"]}
    assert rows == {"510104000000": 1, "510105000000": 1}


def test_the_breadcrumb_starts_at_the_users_region(township_officer):
    response = login(township_officer).get(browse("510104001001"))
    assert [r.code for r in response.context["path"]] == ["510104001000", "510104001001"]


@pytest.mark.parametrize(("persona", "code"), [
    ("outsider", "510104000000"),            # another county
    ("outsider", "510104001001"),
    ("county_officer", "510105001000"),
    ("county_officer", "510100000000"),      # above the user's own region
    ("township_officer", "510104002000"),    # neighbouring township
    ("village_contact", "510104001002"),     # neighbouring village
    ("county_officer", "510104009000"),      # does not exist
    ("county_officer", "not-a-code"),
])
def test_a_region_outside_the_jurisdiction_is_404_like_a_missing_one(request, persona, code):
    assert login(request.getfixturevalue(persona)).get(browse(code)).status_code == 404


def test_a_province_officer_reaches_every_level(province_officer):
    client = login(province_officer)
    for code in ["510000000000", "510100000000", "510105000000", "510105001001"]:
        assert client.get(browse(code)).status_code == 200
