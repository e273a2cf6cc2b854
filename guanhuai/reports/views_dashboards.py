"""统计看板 pages: a region's dashboard (the user's own region, or a child region to drill into)
and each chart's data as xlsx. Thin: permission, access function, one builder."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.regions.codes import LEVEL_NAMES, VILLAGE
from guanhuai.regions.selectors import region_get_for_user, region_path

from .dashboards import CHART_TITLES, Dashboard, chart_xlsx


def _dashboard_region(request, code: str | None):
    """Permission first (403 for a role without it), then the region (404 outside the jurisdiction)."""
    if not has_perm(request.user, "dashboard.view"):
        raise PermissionDenied("您没有查看统计看板的权限")
    region = region_get_for_user(request.user, code or request.user.region_id)
    if request.method != "GET":
        return region, HttpResponseNotAllowed(["GET"])
    return region, None


@login_required
def dashboard_page(request, code: str | None = None):
    region, refused = _dashboard_region(request, code)
    if refused:
        return refused
    dashboard = Dashboard(region)
    charts = dashboard.charts(defer=True)
    audit_sensitive_read(request.user, action="dashboard.viewed", object_type="region", object_id=region.code,
                         region_code=region.code, object_repr=f"查看统计看板 {region.name}")
    return render(request, "reports/dashboard.html", {
        "region": region, "level_name": LEVEL_NAMES[region.level], "day": dashboard.today,
        "path": region_path(region, stop_at=request.user.region), "headline": dashboard.headline(),
        "charts": charts, "data": {"charts": {c.key: c.as_json() for c in charts}},
        "children": dashboard.children if region.level < VILLAGE else [], "active_nav": "dashboard",
    })


@login_required
def dashboard_xlsx(request, code: str):
    region, refused = _dashboard_region(request, code)
    if refused:
        return refused
    key = request.GET.get("chart", "")
    if key not in CHART_TITLES:
        raise Http404("没有这个图表")
    dashboard = Dashboard(region)
    content = chart_xlsx(dashboard, key)
    audit_sensitive_read(request.user, action="dashboard.exported", object_type="region", object_id=region.code,
                         region_code=region.code, object_repr=f"下载看板数据 {region.name} · {CHART_TITLES[key]}",
                         changes={"chart": key})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"dashboard-{region.code}-{key}-{dashboard.today.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
