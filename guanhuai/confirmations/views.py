"""Confirmation pages. Thin: parse, fetch through the access functions, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.codes import COUNTY
from guanhuai.regions.selectors import region_get_for_user, region_path

from . import services
from .exports import window_xlsx
from .forms import OpenForm, RecordForm
from .models import ConfirmationWindow
from .selectors import (
    STATUS_LABELS,
    item_get_for_user,
    item_list,
    pending_items,
    window_get_for_user,
    window_progress,
    windows_for_user,
)

PENDING_ON_PAGE = 50


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


def _context(request, **extra) -> dict:
    return {"active_nav": "confirmations", "can_record": has_perm(request.user, "confirmation.record"),
            "can_manage": has_perm(request.user, "confirmation.manage"), **extra}


def _scope(request, window: ConfirmationWindow):
    """The region chosen with ``?region=`` (inside the user's jurisdiction and the window's county), or None."""
    code = request.GET.get("region") or ""
    if not code:
        return None
    region = region_get_for_user(request.user, code)
    if not region.code.startswith(window.region.prefix):
        raise Http404
    return region


@login_required
def window_list(request):
    user = request.user
    _require(user, "confirmation.view")
    can_open = has_perm(user, "confirmation.manage") and user.region is not None and user.region.level == COUNTY
    form = None
    if can_open:
        form = OpenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                window = services.confirmation_window_open(acting_user=user, region=user.region,
                                                           **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已开启 {window.year} 年度资格确认,名册 {window.population} 户")
                return redirect("confirmations:window", window.pk)
    elif request.method == "POST":
        raise Http404
    windows = list(windows_for_user(user)[:100])
    return render(request, "confirmations/windows.html", _context(request, windows=windows, form=form))


@login_required
def window_detail(request, window_id):
    user = request.user
    window = window_get_for_user(user, window_id)
    if request.method == "POST":
        raise Http404
    scope = _scope(request, window)
    today = timezone.localdate()
    progress = window_progress(user, window, region=scope, today=today)
    pending = pending_items(user, window, region=scope)
    pending_rows = list(pending[:PENDING_ON_PAGE])
    audit_sensitive_read(user, action="confirmation.viewed", obj=window,
                         changes={"region": scope.code if scope else user.region_id})
    here = scope or (user.region if user.region.level >= COUNTY else window.region)
    return render(request, "confirmations/window.html", _context(
        request, window=window, progress=progress, pending=pending_rows, today=today, here=here,
        path=[r for r in region_path(here, stop_at=window.region)] if here.code != window.region_id else [],
        can_close=has_perm(user, "confirmation.manage") and window.region_id.startswith(user.region.prefix)
        and window.state == ConfirmationWindow.State.OPEN,
        deadline=window.deadline, child_drill=progress.child_level < 5))


@login_required
@require_POST
def window_close(request, window_id):
    window = window_get_for_user(request.user, window_id, manage=True)
    try:
        services.confirmation_window_close(acting_user=request.user, window=window)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        deadline = window.deadline
        messages.success(request, f"资格确认已结束;录入期限 {deadline.date:%Y-%m-%d}"
                                  f"{'(暂定,当年工作日历未发布)' if deadline.provisional else ''}")
    return redirect("confirmations:window", window.pk)


@login_required
def worklist(request, window_id):
    user = request.user
    window = window_get_for_user(user, window_id)
    if request.method == "POST":
        raise Http404
    status = request.GET.get("status", "pending")
    status = status if status in STATUS_LABELS or status == "all" else "pending"
    region = request.GET.get("region", "")
    if region:
        _scope(request, window)
    qs = item_list(user, window, status="" if status == "all" else status, region=region)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    audit_sensitive_read(user, action="confirmation.listed", obj=window,
                         changes={"status": status, "region": region, "rows": len(page)})
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(request, "confirmations/worklist.html", _context(
        request, window=window, page=page, status=status, region=region, statuses=STATUS_LABELS,
        query=query.urlencode(), deadline=window.deadline, overdue=today > window.deadline.date,
        started=today >= window.start_date))


@login_required
@require_POST
def bulk_confirm(request, window_id):
    user = request.user
    window = window_get_for_user(user, window_id)
    _require(user, "confirmation.record")
    try:
        ids = [int(v) for v in request.POST.getlist("family_ids")]
    except ValueError:
        ids = []
    try:
        items = services.confirmation_bulk_confirm(acting_user=user, window=window, family_ids=ids,
                                                   note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        late = sum(1 for i in items if i.is_late)
        text = f"已确认 {len(items)} 户家庭无变化"
        if late:
            text += f"(已过录入期限,记为迟报 {late} 户)"
        messages.success(request, text)
    query = QueryDict(request.POST.get("query", "")).urlencode()  # re-encoded: only the worklist's own filters
    return redirect(f"{_worklist_url(window)}?{query}" if query else _worklist_url(window))


@login_required
def record(request, window_id, family_id):
    user = request.user
    window = window_get_for_user(user, window_id)
    writing = request.method == "POST"
    item = item_get_for_user(user, window, family_id, write=writing)
    family = item.family
    members = list(family.members.all())
    form = RecordForm(request.POST or None, family=family, members=members)
    if writing and form.is_valid():
        try:
            services.confirmation_record(acting_user=user, item=item, **form.service_data())
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            item.refresh_from_db()
            text = f"{family.head_name}家:{item.get_outcome_display()}"
            if item.is_late:
                text += f"(已过录入期限 {item.entry_deadline:%Y-%m-%d},记为迟报)"
            messages.success(request, text)
            return redirect("confirmations:worklist", window.pk)
    audit_sensitive_read(user, action="confirmation.family_viewed", obj=item, region_code=item.region_id)
    today = timezone.localdate()
    return render(request, "confirmations/record.html", _context(
        request, window=window, item=item, family=family, members=members, form=form, deadline=window.deadline,
        will_be_late=today > window.deadline.date, started=today >= window.start_date,
        can_write=has_perm(user, "confirmation.record") and not item.outcome and item.status == "pending"))


def _show_errors(form, exc: ValidationError) -> None:
    """A service error on the form; keys that are not form fields (changes, deceased) go to the top."""
    if hasattr(exc, "error_dict"):
        exc = ValidationError({key if key in form.fields else "__all__": errors
                               for key, errors in exc.error_dict.items()})
    add_service_errors(form, exc)


def _worklist_url(window) -> str:
    return reverse("confirmations:worklist", args=[window.pk])


@login_required
def export(request, window_id):
    user = request.user
    window = window_get_for_user(user, window_id)
    if request.method == "POST":
        raise Http404
    progress = window_progress(user, window)
    items = item_list(user, window).iterator(chunk_size=1000)
    data, count = window_xlsx(window, progress, items)
    audit_record(actor=user, action="confirmation.exported", obj=window, region_code=user.region_id,
                 object_repr=f"导出 {window} 结果 {count} 户", changes={"rows": count})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f"attachment; filename*=UTF-8''confirmation-{window.region_id[:6]}-"
                                       f"{window.year}.xlsx")
    return response
