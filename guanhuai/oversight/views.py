"""Spot-check pages. Thin: parse, fetch through the access functions, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.contacts.selectors import active_assignments, contact_get_for_user
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.codes import COUNTY

from . import services
from .forms import PlanForm, RecordForm
from .selectors import (
    false_reports_of_contact,
    spotcheck_get_for_user,
    spotcheck_item_get_for_user,
    spotcheck_items,
    spotcheck_list,
    spotcheck_verify,
    spotcheck_warning,
    visits_to_verify,
)


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


def _context(request, **extra) -> dict:
    return {"active_nav": "oversight", "can_manage": has_perm(request.user, "spotcheck.manage"), **extra}


@login_required
def spotcheck_list_view(request):
    user = request.user
    _require(user, "oversight.view")
    year = timezone.localdate().year
    form = None
    can_plan = has_perm(user, "spotcheck.manage") and user.region is not None and user.region.level == COUNTY
    if can_plan:
        form = PlanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                check = services.spotcheck_plan(acting_user=user, region=user.region, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已抽取 {check.sample_size} 户家庭(随机种子 {check.seed})")
                return redirect("oversight:spotcheck", check.pk)
    elif request.method == "POST":
        raise Http404
    checks = list(spotcheck_list(user)[:200])
    return render(request, "oversight/spotchecks.html", _context(
        request, checks=checks, form=form, warning=spotcheck_warning(user, year), year=year))


@login_required
def spotcheck_detail(request, spotcheck_id):
    check = spotcheck_get_for_user(request.user, spotcheck_id)
    if request.method == "POST":
        raise Http404
    audit_sensitive_read(request.user, action="spotcheck.viewed", obj=check)
    verify = spotcheck_verify(check) if request.GET.get("verify") else None
    items = spotcheck_items(check)
    return render(request, "oversight/spotcheck.html", _context(
        request, check=check, items=items, verify=verify,
        recorded=sum(1 for i in items if i.is_recorded),
        can_write=has_perm(request.user, "spotcheck.manage") and check.state == check.State.PLANNED))


@login_required
@require_POST
def spotcheck_complete_view(request, spotcheck_id):
    check = spotcheck_get_for_user(request.user, spotcheck_id, write=True)
    try:
        services.spotcheck_complete(acting_user=request.user, check=check)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "抽查已完成")
    return redirect("oversight:spotcheck", check.pk)


@login_required
def spotcheck_record(request, spotcheck_id, item_id):
    check = spotcheck_get_for_user(request.user, spotcheck_id)
    item = spotcheck_item_get_for_user(request.user, check, item_id, write=request.method == "POST")
    visits = visits_to_verify(item)
    previous = {vc.visit_id: vc.confirmed for vc in item.visit_checks.all()}
    initial = {"reached": "" if item.reached is None else ("1" if item.reached else "0"),
               "knows_first": _yn(item.knows_first), "knows_second": _yn(item.knows_second),
               "satisfaction": str(item.satisfaction or ""), "problems": item.problems,
               **{f"visit_{vid}": _yn(ok) for vid, ok in previous.items()}}
    form = RecordForm(request.POST or None, visits=visits, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.spotcheck_record_family(acting_user=request.user, item=item, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            denied = sum(1 for ok in form.service_data()["visits"].values() if not ok)
            text = f"已记录 {item.family.head_name}家的抽查结果"
            if denied:
                text += f";{denied} 次走访被家庭否认,已标记为疑似虚报"
            messages.success(request, text)
            return redirect("oversight:spotcheck", check.pk)
    audit_sensitive_read(request.user, action="spotcheck.family_viewed", obj=item, region_code=item.region_id)
    contacts = active_assignments(item.family)
    return render(request, "oversight/record.html", _context(
        request, check=check, item=item, form=form, contacts=contacts,
        can_write=has_perm(request.user, "spotcheck.manage") and check.state == check.State.PLANNED))


def _yn(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


@login_required
def contact_false_reports(request, contact_id):
    _require(request.user, "oversight.view")
    if request.method == "POST":
        raise Http404
    contact = contact_get_for_user(request.user, contact_id)
    audit_sensitive_read(request.user, action="contact.false_reports_viewed", obj=contact)
    rows = list(false_reports_of_contact(contact)[:500])
    return render(request, "oversight/false_reports.html", _context(request, contact=contact, rows=rows))



