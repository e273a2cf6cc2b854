"""Contacts pages: roster, contact detail, a family's contacts, hand-over, coverage, roster export.

Thin, like every page: parse, fetch through the access functions, call one
service. Anything outside the user's jurisdiction, or an action the user
may not take, is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.families.selectors import family_get_for_user
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.codes import COUNTY, VILLAGE
from guanhuai.regions.selectors import region_get_for_user, region_path

from . import services
from .exports import roster_xlsx
from .forms import AssignmentForm, ContactFilterForm, ContactForm, EndAssignmentForm, HandoverForm
from .models import Assignment
from .selectors import (
    ContactFilters,
    assignable_contacts,
    assignment_get_for_user,
    contact_active_assignments,
    contact_assignment_history,
    contact_get_for_user,
    contact_list,
    contacts_for_user,
    coverage_by_child_region,
    families_missing_contacts,
    handover_candidates,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


def _context(request, **extra) -> dict:
    user = request.user
    return {"active_nav": "contacts", "can_manage": has_perm(user, "contacts.manage"),
            "can_edit": has_perm(user, "family.edit"), "can_export": has_perm(user, "family.export"),
            "can_see_oversight": has_perm(user, "oversight.view"), **extra}


# ---------------------------------------------------------------- roster

@login_required
def contact_list_view(request):
    _require(request.user, "family.view")
    form = ContactFilterForm(request.GET or None, user=request.user)
    filters = ContactFilters(**{k: v or "" for k, v in form.cleaned_data.items()}) if form.is_valid() \
        else ContactFilters()
    page = Paginator(contact_list(request.user, filters), 50).get_page(request.GET.get("page"))
    audit_sensitive_read(request.user, action="contact.listed", object_type="contactperson",
                 object_repr=f"查看联系人名册第 {page.number} 页", region_code=request.user.region_id,
                 changes={"filters": {k: v for k, v in vars(filters).items() if v}, "rows": len(page)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contacts/list.html", _context(request, form=form, page=page, query=query.urlencode(),
                                                          tab="roster"))


@login_required
def contact_create(request):
    _require(request.user, "contacts.manage")
    form = ContactForm(request.POST or None, user=request.user, initial={"region": request.user.region_id})
    if request.method == "POST" and form.is_valid():
        try:
            region = region_get_for_user(request.user, form.cleaned_data["region"])
            contact = services.contact_create(acting_user=request.user, region=region, **form.service_data())
        except Http404:
            form.add_error("region", "所选区划不在您的管辖范围内")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记联系人:{contact.name}")
            return redirect("contacts:detail", contact.pk)
    return render(request, "contacts/form.html", _context(request, form=form, creating=True, tab="roster"))


@login_required
def contact_edit(request, contact_id):
    contact = contact_get_for_user(request.user, contact_id, write=True)
    initial = {name: getattr(contact, name) for name in ("name", "kind", "post", "unit", "phone", "is_active",
                                                         "left_on")}
    form = ContactForm(request.POST or None, user=request.user, contact=contact, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(acting_user=request.user, contact=contact, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "联系人信息已更新")
            return redirect("contacts:detail", contact.pk)
    return render(request, "contacts/form.html", _context(request, form=form, contact=contact, creating=False,
                                                          tab="roster"))


@login_required
def contact_detail(request, contact_id):
    contact = contact_get_for_user(request.user, contact_id)
    audit_sensitive_read(request.user, action="contact.viewed", obj=contact)
    return render(request, "contacts/detail.html", _context(
        request, contact=contact, active=list(contact_active_assignments(contact)),
        history=list(contact_assignment_history(contact)[:500]), tab="roster"))


# ---------------------------------------------------------------- a family's contacts

def _back_to_family(family_id: int):
    return redirect(reverse("families:detail", args=[family_id]) + "#contacts")


@login_required
@require_POST
def family_assign(request, family_id):
    """Set or replace a family's first/second contact, or add a leader pairing (form on the family page)."""
    _require(request.user, "contacts.manage")
    family = family_get_for_user(request.user, family_id)
    form = AssignmentForm(request.POST, contacts=assignable_contacts(request.user, family))
    if not form.is_valid():
        errors = [f"{form.fields[k].label if k in form.fields else ''}:{m}" for k, ms in form.errors.items() for m in ms]
        messages.error(request, ";".join(errors))
        return _back_to_family(family.pk)
    try:
        services.assignment_set(acting_user=request.user, family=family, slot=form.cleaned_data["slot"],
                                contact=form.cleaned_data["contact"], start_date=form.cleaned_data["start_date"],
                                reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已确定{form.cleaned_data['contact'].name}为该户的"
                                  f"{dict(form.fields['slot'].choices)[form.cleaned_data['slot']]},新的联系卡已列入待发放")
    return _back_to_family(family.pk)


@login_required
@require_POST
def assignment_end(request, assignment_id):
    """End a leader pairing (领导干部联系帮扶)."""
    assignment = assignment_get_for_user(request.user, assignment_id, write=True)
    form = EndAssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写结束日期和原因")
    else:
        try:
            services.assignment_end(acting_user=request.user, assignment=assignment,
                                    end_date=form.cleaned_data["end_date"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        else:
            messages.success(request, f"已结束 {assignment.contact.name} 的联系帮扶")
    return _back_to_family(assignment.family_id)


# ---------------------------------------------------------------- hand-over

@login_required
def handover(request):
    """Move every family of a leaving cadre to a successor: choose, confirm the count, then one transaction."""
    _require(request.user, "contacts.manage")
    sources = handover_candidates(request.user).select_related("region")
    targets = contacts_for_user(request.user).filter(is_active=True).order_by("region_id", "name")
    initial = {}
    if request.GET.get("from"):
        initial["from_contact"] = request.GET["from"]
    form = HandoverForm(request.POST or None, sources=sources, targets=targets, initial=initial)
    moving: list[Assignment] = []
    confirm = False
    if request.method == "POST" and form.is_valid():
        source, target = form.cleaned_data["from_contact"], form.cleaned_data["to_contact"]
        moving = list(contact_active_assignments(source))
        if request.POST.get("confirmed") == "1":
            try:
                count = services.contacts_bulk_reassign(
                    acting_user=request.user, from_contact=source, to_contact=target,
                    change_date=form.cleaned_data["change_date"], reason=form.cleaned_data["reason"],
                    mark_left=form.cleaned_data["mark_left"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已将 {source.name} 负责的 {count} 户移交给 {target.name},"
                                          "新的联系卡已列入待发放")
                return redirect("contacts:detail", target.pk)
        elif source.pk == target.pk:
            form.add_error("to_contact", "接任人不能是同一个人")
        else:
            confirm = True
    return render(request, "contacts/handover.html", _context(request, form=form, moving=moving, confirm=confirm,
                                                              tab="handover"))


# ---------------------------------------------------------------- coverage

@login_required
def coverage(request, code: str | None = None):
    """Dual-contact coverage per child region; families lacking either contact listed in red."""
    user = request.user
    _require(user, "family.view")
    region = region_get_for_user(user, code or user.region_id)
    rows, total = coverage_by_child_region(user, region)
    missing = (families_missing_contacts(user, region)
               .order_by("region_id", "head_name", "id"))
    page = Paginator(missing, 100).get_page(request.GET.get("page"))
    audit_sensitive_read(user, action="contact.coverage_viewed", object_type="region", object_id=region.code,
                 object_repr=f"查看{region.name}双岗覆盖", region_code=region.code,
                 changes={"missing_rows": len(page)})
    return render(request, "contacts/coverage.html", _context(
        request, region=region, rows=rows, total=total, page=page, path=region_path(region, stop_at=user.region),
        drill=region.level < VILLAGE, tab="coverage"))


# ---------------------------------------------------------------- roster export

@login_required
def roster_export(request, code: str):
    """One county's (or a smaller region's) roster as xlsx; audited as an export."""
    user = request.user
    _require(user, "family.export")
    region = region_get_for_user(user, code)
    if region.level < COUNTY:
        messages.error(request, "名册按县(市、区)导出,请选择一个县或更小的区划")
        return redirect("contacts:list")
    full = has_perm(user, "contacts.manage")
    data, count = roster_xlsx(user, region, full_phones=full)
    audit_record(actor=user, action="contacts.roster_exported", object_type="region", object_id=region.code,
                 object_repr=f"导出{region.name}双岗联系人名册 {count} 户", region_code=region.code,
                 changes={"rows": count, "contact_phones": "完整" if full else "脱敏", "member_ids": "脱敏"})
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''contacts-{region.code}-{stamp}.xlsx"
    return response
