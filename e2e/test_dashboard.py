"""The 统计看板 in a real browser: charts drawn, PNG saved, drill-down by clicking a region."""

import pytest
from playwright.sync_api import expect

from .helpers import sign_in

pytestmark = pytest.mark.e2e


def test_the_county_dashboard_draws_every_chart_and_drills_down(page, make_family, county_officer):
    make_family(head_name="张建国")
    make_family("510104002001", head_name="李德明", health="serious")
    sign_in(page, "county_officer")
    page.goto("/reports/dashboard/")
    expect(page.locator("h1")).to_have_text("统计看板 · 东城县")
    expect(page.locator("[data-chart] canvas")).to_have_count(9)

    # The toolbox icon (top right of each chart) saves it as a PNG.
    box = page.locator("[data-chart=coverage]").bounding_box()
    with page.expect_download() as download:
        page.mouse.click(box["x"] + box["width"] - 8, box["y"] + 8)
    assert download.value.suggested_filename.endswith(".png")

    # A click on 西山乡's row of the overdue chart opens 西山乡's dashboard.
    chart = page.locator("[data-chart=overdue]")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.72)
    expect(page.locator("h1")).to_have_text("统计看板 · 西山乡")
    expect(page.locator(".breadcrumb")).to_contain_text("东城县")


def test_the_province_dashboard_fetches_its_slow_charts(page, make_family, province_officer):
    make_family(head_name="张建国")
    sign_in(page, "province_officer")
    page.goto("/reports/dashboard/")
    expect(page.locator("[data-chart] canvas")).to_have_count(9)
    expect(page.locator("#chart-classification [data-summary]")).to_have_text("在册 1 户")
