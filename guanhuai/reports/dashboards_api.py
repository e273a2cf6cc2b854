"""统计看板 through the JSON API: the same builder and access function as the page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router, Schema

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.regions.selectors import region_get_for_user

from .dashboards import CHART_TITLES, Dashboard

router = Router(tags=["统计看板"])


class ChartOut(Schema):
    key: str
    title: str
    axis: str
    categories: list[str]
    series: list[dict]
    codes: list[str]
    percent: bool
    stacked: bool
    horizontal: bool
    summary: str
    note: str
    deferred: bool


class DashboardOut(Schema):
    region: str
    name: str
    level: int
    date: dt.date
    charts: list[ChartOut]


@router.get("/{code}", response=DashboardOut, url_name="reports_dashboard",
            summary="区划统计看板的图表数据(chart 参数取部分图表,逗号分隔:" + ",".join(CHART_TITLES) + ")")
def dashboard(request, code: str, chart: str | None = None):
    if not has_perm(request.auth, "dashboard.view"):
        raise PermissionDenied("您没有查看统计看板的权限")
    region = region_get_for_user(request.auth, code)
    keys = [k for k in (chart or "").split(",") if k]
    if any(k not in CHART_TITLES for k in keys):
        raise Http404
    board = Dashboard(region)
    charts = board.charts(keys)
    audit_sensitive_read(request.auth, action="dashboard.viewed", object_type="region", object_id=region.code,
                         region_code=region.code, object_repr=f"查看统计看板 {region.name}(API)")
    return DashboardOut(region=region.code, name=region.name, level=region.level, date=board.today,
                        charts=[c.as_json() for c in charts])
