"""Annual statistics and returns pages. Thin: parse, fetch through the access functions, call one service."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import Role, has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.regions.codes import PROVINCE
from guanhuai.regions.selectors import region_path

from . import services, transfer
from .models import ReturnExport, StatReturn
from .selectors import (
    RETURN_LEVELS,
    can_view_returns,
    compiled_from_lower,
    deadline_for,
    export_get_for_user,
    is_reviewer_of,
    is_submitter_for,
    lower_returns,
    lower_totals_check,
    parse_year,
    return_of,
    return_region_get_for_user,
    version_get_for_user,
    versions_of,
)
from .statistics import statistics_compute


def _context(**extra) -> dict:
    return {"active_nav": "returns", **extra}


def _return_url(code: str, year: int) -> str:
    return f"{reverse('reports:return', args=[code])}?year={year}"


@login_required
def returns_home(request):
    """The user's own return and, for the levels above township, the lower returns with their states."""
    if request.method == "POST" or not can_view_returns(request.user):
        raise Http404
    year = parse_year(request.GET.get("year"))
    region = request.user.region
    while region.level not in RETURN_LEVELS:  # a village-bound reader looks at its township's return
        region = region.parent
    return redirect(_return_url(region.code, year))


@login_required
def return_detail(request, code):
    user = request.user
    region = return_region_get_for_user(user, code)
    if request.method == "POST":
        raise Http404
    year = parse_year(request.GET.get("year"))
    ret = return_of(region, year)
    versions = versions_of(ret)
    shown = None
    if request.GET.get("version"):
        shown = next((v for v in versions if str(v.number) == request.GET["version"]), None)
        if shown is None:
            raise Http404
    elif versions:
        shown = versions[0]
    # The province files no return of its own: it holds the accepted city returns, compiled; computing
    # its tables from case data takes seconds at province scale, so that happens only when asked (?live=1).
    live = request.GET.get("live") == "1"
    if shown:
        snapshot = shown.snapshot
    elif region.level == PROVINCE and not live:
        snapshot = compiled_from_lower(region, year)
    else:
        snapshot = statistics_compute(region, year)
    audit_sensitive_read(user, action="return.viewed", obj=ret or region, region_code=region.code,
                         changes={"year": year})
    check = None
    if region.level < 4:
        missing, differences = lower_totals_check(snapshot, year)
        check = {"missing": missing, "differences": differences[:50], "count": len(differences)}
    latest = versions[0] if versions else None
    state = ret.state if ret else StatReturn.State.DRAFT
    return render(request, "reports/returns_detail.html", _context(
        region=region, year=year, ret=ret, state=state,
        state_label="全省汇总" if region.level == PROVINCE else StatReturn.State(state).label,
        versions=versions, shown=shown, snapshot=snapshot, latest=latest, check=check, live=live,
        lower=lower_returns(region, year), path=region_path(region, stop_at=user.region),
        deadline=deadline_for(year), years=list(range(timezone.localdate().year, year - 4, -1)),
        can_submit=is_submitter_for(user, region) and state in services.OPEN_STATES,
        can_review=latest is not None and is_reviewer_of(user, region),
        can_export=latest is not None and latest.decision != latest.Decision.RETURNED
        and (is_submitter_for(user, region) or is_reviewer_of(user, region)),
        can_import=has_perm(user, "returns.review"), formats=ReturnExport.Format.choices,
        can_set_deadline=region.level == PROVINCE and user.region_id == region.code
        and has_perm(user, "returns.review")))


@login_required
@require_POST
def return_submit_view(request, code):
    region = return_region_get_for_user(request.user, code)
    if not is_submitter_for(request.user, region):
        raise Http404
    year = parse_year(request.POST.get("year"))
    try:
        version = services.return_submit(acting_user=request.user, region=region, year=year,
                                         note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        late = "(已逾期)" if version.is_late else ""
        messages.success(request, f"已报送 {year} 年度统计表第 {version.number} 版{late}")
    return redirect(_return_url(region.code, year))


@login_required
@require_POST
def version_accept(request, version_id):
    version = version_get_for_user(request.user, version_id, review=True)
    ret = version.stat_return
    try:
        services.return_accept(acting_user=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已通过 {ret.region.name} {ret.year} 年度统计表第 {version.number} 版")
    return redirect(_return_url(ret.region_id, ret.year))


@login_required
@require_POST
def version_send_back(request, version_id):
    version = version_get_for_user(request.user, version_id, review=True)
    ret = version.stat_return
    try:
        services.return_send_back(acting_user=request.user, version=version, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已退回 {ret.region.name} {ret.year} 年度统计表第 {version.number} 版")
    return redirect(_return_url(ret.region_id, ret.year))


@login_required
@require_POST
def version_export(request, version_id):
    """Build an encrypted file; the page that answers shows the password this one time only."""
    version = version_get_for_user(request.user, version_id)
    region = version.stat_return.region
    if not (is_submitter_for(request.user, region) or is_reviewer_of(request.user, region)):
        raise Http404
    try:
        export, password = transfer.return_export(acting_user=request.user, version=version,
                                                  fmt=request.POST.get("format", "xlsx"))
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
        return redirect(_return_url(region.code, version.stat_return.year))
    response = render(request, "reports/returns_export.html", _context(
        export=export, password=password, version=version, region=region))
    response["Cache-Control"] = "no-store"  # the password must not stay in a cache
    return response


@login_required
def export_file(request, export_id):
    export = export_get_for_user(request.user, export_id)
    if request.method == "POST":
        raise Http404
    response = HttpResponse(bytes(export.data), content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(export.filename)}"
    return response


@login_required
def export_manifest(request, export_id):
    export = export_get_for_user(request.user, export_id)
    if request.method == "POST":
        raise Http404
    response = HttpResponse(transfer.manifest_text(export), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(export.filename + '.sha256')}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def return_import(request):
    """The upper level reads in an encrypted return with its password (and, if it came with one, the manifest)."""
    user = request.user
    if not has_perm(user, "returns.review") or user.region_id is None:
        raise Http404
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        manifest = request.FILES.get("manifest")
        try:
            if upload is None:
                raise ValidationError("请选择要导入的加密统计表文件")
            record = transfer.return_import(
                acting_user=user, data=upload.read(), filename=upload.name, password=request.POST.get("password", ""),
                manifest=manifest.read() if manifest else None)
        except ValidationError as exc:
            error = ";".join(exc.messages)
        else:
            ret = record.stat_return
            text = (f"已导入 {ret.region.name} {ret.year} 年度统计表,生成第 {record.version.number} 版(待审核)"
                    if record.created_version else
                    f"{ret.region.name} {ret.year} 年度统计表与系统中第 {record.version.number} 版一致,已登记导入")
            messages.success(request, text)
            return redirect(_return_url(ret.region_id, ret.year))
    return render(request, "reports/returns_import.html", _context(error=error))


@login_required
@require_POST
def deadline_set_view(request):
    """Province reviewers (and administrators) set a year's reporting deadline."""
    user = request.user
    if not (has_perm(user, "returns.review") or user.role == Role.ADMIN) or user.region_id is None:
        raise Http404
    year = parse_year(request.POST.get("year"))
    try:
        deadline = dt.date.fromisoformat(request.POST.get("deadline", ""))
        services.schedule_set(acting_user=user, year=year, deadline=deadline, note=request.POST.get("note", ""))
    except ValueError:
        messages.error(request, "截止日期格式应为 YYYY-MM-DD")
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"{year} 年度上报截止日期已设为 {deadline:%Y-%m-%d}")
    region = user.region if user.region.level in RETURN_LEVELS else user.region.parent
    return redirect(_return_url(region.code, year))
