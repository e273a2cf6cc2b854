"""Filtering and searching the family list."""

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = pytest.mark.e2e


def test_the_family_list_filters_by_category_and_searches_by_name(page, make_family, county_officer):
    make_family(head_name="张建国")
    make_family(head_name="王秀兰", category="disabled", disability_grade=2)
    make_family("510104002001", head_name="李德明", health="serious")

    sign_in(page, "county_officer")
    page.goto("/families/")
    expect(page.locator("h1")).to_contain_text("共 3 户")

    page.select_option("select[name=category]", "disabled")
    page.click("button:has-text('筛选')")
    expect(page.locator("h1")).to_contain_text("共 1 户")
    expect(page.locator("table tbody td.stack-title")).to_have_text(["王秀兰"])
    expect(page.locator("table tbody tr").first).to_contain_text("独生子女伤残(2级)")

    page.click("text=清除")
    page.fill("input[name=q]", "李德明")
    page.click("button:has-text('筛选')")
    expect(page.locator("h1")).to_contain_text("共 1 户")
    expect(page.locator("table tbody tr").first).to_contain_text("石桥村")

    page.fill("input[name=q]", "")
    page.select_option("select[name=health]", "serious")
    page.click("button:has-text('筛选')")
    expect(page.locator("table tbody td.stack-title")).to_have_text(["李德明"])
