"""/api/regions/{code} and its children, in and out of jurisdiction."""

import pytest
from django.test import Client

from conftest import login
from guanhuai.accounts.services import api_token_create


def test_anonymous_callers_get_401(regions):
    for path in ["/api/regions/510104000000", "/api/regions/510104000000/children"]:
        response = Client().get(path)
        assert response.status_code == 401
        assert response.json() == {"code": "unauthenticated", "message": "请先登录或提供有效的 API 令牌", "fields": {}}


def test_it_returns_a_region_in_the_jurisdiction(county_officer):
    response = login(county_officer).get("/api/regions/510104001000")
    assert response.status_code == 200
    assert response.json() == {"code": "510104001000", "name": "东城镇", "level": 4, "parent_code": "510104000000"}


def test_it_lists_the_children(county_officer):
    response = login(county_officer).get("/api/regions/510104001000/children")
    assert [r["code"] for r in response.json()] == ["510104001001", "510104001002"]


def test_it_works_with_a_bearer_token(county_officer):
    _, raw = api_token_create(user=county_officer, name="脚本")
    response = Client().get("/api/regions/510104000000", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["name"] == "东城县"


@pytest.mark.parametrize("path", ["/api/regions/510104000000", "/api/regions/510104001001",
                                  "/api/regions/510104000000/children", "/api/regions/510000000000",
                                  "/api/regions/519999000000"])
def test_an_outsider_gets_404_in_the_error_shape(outsider, path):
    response = login(outsider).get(path)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "对象不存在或不在您的管辖范围内", "fields": {}}


def test_the_outsider_sees_their_own_county(outsider):
    assert login(outsider).get("/api/regions/510105000000").json()["name"] == "南河县"
