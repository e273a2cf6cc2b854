"""Pages of the region assessment (考核排名), its weights and the contact awards ranking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.lib.excel import write_xlsx
from guanhuai.regions.codes import TOWNSHIP
from guanhuai.regions.selectors import region_get_for_user, region_path

from . import services_assessment as services
from .assessment import (
    DEFAULT_PENALTIES,
    DEFAULT_WEIGHTS,
    INDICATORS,
    PENALTIES,
    scores_for,
    weight_versions,
    weights_for_year,
)
from .awards import HEADERS, SORT_KEYS, contact_ranking, ranking_rows


def _year(request) -> int:
    value = request.GET.get("year", "") or request.POST.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _region(request):
    user = request.user
    code = request.GET.get("region") or request.POST.get("region") or user.region_id
    return region_get_for_user(user, code)


@login_required
def assessment_view(request):
    user = request.user
    if not has_perm(user, "oversight.view"):
        raise Http404
    if request.method == "POST":
        raise Http404
    region = _region(request)
    year = _year(request)
    scores, weights, source = scores_for(user, region, year)
    return render(request, "oversight/assessment.html", {
        "active_nav": "assessment", "region": region, "year": year, "scores": scores, "weights": weights,
        "source": source, "indicators": INDICATORS, "path": region_path(region, stop_at=user.region),
        "can_drill": region.level < TOWNSHIP, "current_year": timezone.localdate().year,
        "can_archive": has_perm(user, "assessment.manage") and source == "live" and scores})


@login_required
def assessment_archive_view(request):
    user = request.user
    if request.method != "POST" or not has_perm(user, "assessment.manage") or not has_perm(user, "oversight.view"):
        raise Http404
    region = _region(request)
    year = _year(request)
    try:
        n = services.assessment_archive(acting_user=user, region=region, year=year)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已存档 {year} 年 {n} 个区划的考核结果")
    return redirect(f"{reverse('oversight:assessment')}?region={region.code}&year={year}")


@login_required
def weights_view(request):
    user = request.user
    can_edit = has_perm(user, "assessment.manage")
    if not (can_edit or has_perm(user, "oversight.view")):
        raise Http404
    year = _year(request)
    current = weights_for_year(year)
    errors: list[str] = []
    if request.method == "POST":
        if not can_edit:
            raise Http404
        weights = {k: request.POST.get(f"w_{k}", "") for k in INDICATORS}
        penalties = {k: request.POST.get(f"p_{k}", "") for k in PENALTIES}
        try:
            row = services.assessment_weights_set(acting_user=user, year=year, weights=weights, penalties=penalties,
                                                  note=request.POST.get("note", ""))
        except ValidationError as exc:
            errors = exc.messages
            current.weights, current.penalties = weights, penalties
        else:
            messages.success(request, f"已保存 {year} 年考核权重第 {row.version} 版")
            return redirect(f"{reverse('oversight:assessment_weights')}?year={year}")
    return render(request, "oversight/weights.html", {
        "active_nav": "assessment", "year": year, "current": current, "can_edit": can_edit, "errors": errors,
        "weight_rows": [(k, label, current.weights.get(k, DEFAULT_WEIGHTS[k])) for k, label in INDICATORS.items()],
        "penalty_rows": [(k, label, current.penalties.get(k, DEFAULT_PENALTIES[k])) for k, label in PENALTIES.items()],
        "versions": weight_versions()})


@login_required
def awards_view(request):
    user = request.user
    if not has_perm(user, "oversight.view"):
        raise Http404
    if request.method == "POST":
        raise Http404
    region = _region(request)
    year = _year(request)
    sort = request.GET.get("sort", "on_track")
    sort = sort if sort in SORT_KEYS else "on_track"
    descending = request.GET.get("desc", "1") != "0"
    rows = contact_ranking(user, region, year, sort=sort, descending=descending)
    if request.GET.get("format") == "xlsx":
        audit_sensitive_read(user, action="awards.exported", obj=region, region_code=region.code)
        data = write_xlsx([(f"{year}年联系人评选", HEADERS, ranking_rows(rows))])
        return _xlsx(data, f"awards-{region.code}-{year}.xlsx")
    return render(request, "oversight/awards.html", {
        "active_nav": "assessment", "region": region, "year": year, "rows": rows[:500], "total": len(rows),
        "sort": sort, "descending": descending, "sort_keys": SORT_KEYS,
        "recommended": sum(1 for r in rows if r.recommended)})


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def evaluation_report_view(request):
    from .evaluation import evaluation_pdf, evaluation_xlsx

    user = request.user
    if not has_perm(user, "oversight.view") or request.method == "POST":
        raise Http404
    region = _region(request)
    year = _year(request)
    audit_sensitive_read(user, action="evaluation.exported", obj=region, region_code=region.code)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(evaluation_pdf(user, region, year), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="evaluation-{region.code}-{year}.pdf"'
        return response
    return _xlsx(evaluation_xlsx(user, region, year), f"evaluation-{region.code}-{year}.xlsx")
