"""Visit and major-event pages. Thin: parse, fetch through access functions, call one service.

Object pages check access before the HTTP method, so a user of another
county gets 404 whatever the method.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.contacts.models import ContactPerson
from guanhuai.families.selectors import family_get_for_user
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .forms import DeleteForm, EventCloseForm, EventFilterForm, EventForm, VisitFilterForm, VisitForm
from .models import Channel, MajorEvent, Visit
from .selectors import (
    EventFilters,
    VisitFilters,
    can_change_visit,
    event_get_for_user,
    event_is_overdue,
    event_list,
    family_choices_for_user,
    family_for_recording,
    family_recent_visits,
    own_contact,
    photo_get_for_user,
    visit_get_for_user,
    visit_list,
)

PAGE_SIZE = 30


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


def _safe_next(request, candidate: str | None, *, avoid: str = "") -> str:
    if not candidate:
        return ""
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    if avoid and avoid in candidate:
        return ""  # coming back from the form itself (e.g. after an error) is not "where the user came from"
    return candidate


def _came_from(request, *, avoid: str = "") -> str:
    """The page to return to after a form: ?next= / the posted next, else the referring page."""
    return (_safe_next(request, request.POST.get("next") or request.GET.get("next"), avoid=avoid)
            or (_safe_next(request, request.META.get("HTTP_REFERER"), avoid=avoid) if request.method == "GET" else ""))


def _contacts_for_form(user, family) -> tuple[list[ContactPerson], int | None]:
    """The family's active contacts plus the user's own contact card; the user's own is the default."""
    contacts: dict[int, ContactPerson] = {}
    for assignment in family.assignments.filter(end_date__isnull=True).select_related("contact").order_by("slot"):
        contacts[assignment.contact_id] = assignment.contact
    own = own_contact(user)
    if own is not None:
        contacts.setdefault(own.pk, own)
    return list(contacts.values()), own.pk if own else None


# ---------------------------------------------------------------- recording

def _late_note(visit: Visit) -> str:
    if not visit.is_late:
        return ""
    note = f"录入已超过期限({visit.entry_deadline:%Y-%m-%d}),记为迟报"
    if visit.entry_deadline_provisional:
        note += "(该年官方日历未发布,期限按周一至周五暂计)"
    return note


@login_required
def visit_record(request):
    """The mobile-first form. Without ?family= it first asks which family."""
    _require(request.user, "visit.record")
    family_id = request.POST.get("family") or request.GET.get("family")
    if not family_id:
        q = request.GET.get("q", "")
        return render(request, "visits/pick_family.html", {
            "families": family_choices_for_user(request.user, q), "q": q, "target": "visit",
            "next": _came_from(request, avoid=reverse("visits:record")), "active_nav": "visits",
        })
    family = family_for_recording(request.user, family_id)
    contacts, own_id = _contacts_for_form(request.user, family)
    initial = {"visit_date": timezone.localdate(), "contact": own_id}
    if request.GET.get("channel") in Channel.values:
        initial["channel"] = request.GET["channel"]
    form = VisitForm(request.POST or None, request.FILES or None, initial=initial, contacts=contacts)
    back = _came_from(request, avoid=reverse("visits:record"))
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data.get("contact")
        contact = next((c for c in contacts if c.pk == chosen), None) if chosen else None
        try:
            visit = services.visit_record(acting_user=request.user, family=family, data=form.service_data(),
                                          contact=contact, photos=form.cleaned_data.get("photos"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = f"已记录 {family.head_name}家 {visit.visit_date:%m月%d日} {visit.get_channel_display()}"
            late = _late_note(visit)
            if late:
                messages.warning(request, f"{text}。{late}。")
            else:
                messages.success(request, f"{text}(按时录入)。")
            return redirect(back or reverse("families:detail", args=[family.pk]))
    return render(request, "visits/record.html", {
        "form": form, "family": family, "next": back, "active_nav": "visits",
        "last_visit": next(iter(family_recent_visits(family, limit=1)), None),
    })


@login_required
def family_pick(request):
    """htmx: the family choices for a name typed into the picker."""
    _require(request.user, "visit.record")
    target = "event" if request.GET.get("target") == "event" else "visit"
    return render(request, "visits/_family_choices.html", {
        "families": family_choices_for_user(request.user, request.GET.get("q", "")), "target": target,
        "next": _safe_next(request, request.GET.get("next")),
    })


@login_required
def visit_detail(request, visit_id):
    visit = visit_get_for_user(request.user, visit_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    audit_sensitive_read(request.user, action="visit.viewed", obj=visit)
    return render(request, "visits/detail.html", {
        "visit": visit, "family": visit.family, "photos": list(visit.photos.all()),
        "can_change": can_change_visit(request.user, visit), "active_nav": "visits",
    })


@login_required
def visit_edit(request, visit_id):
    visit = visit_get_for_user(request.user, visit_id, write=True)
    initial = {name: getattr(visit, name) for name in VisitForm.SERVICE_FIELDS}
    form = VisitForm(request.POST or None, initial=initial, with_photos=False)
    back = _came_from(request, avoid=reverse("visits:edit", args=[visit.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_update(acting_user=request.user, visit=visit, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            late = _late_note(visit)
            messages.success(request, "走访记录已更新" + (f"。{late}" if late else ""))
            return redirect(back or reverse("visits:detail", args=[visit.pk]))
    return render(request, "visits/record.html", {
        "form": form, "family": visit.family, "visit": visit, "next": back, "active_nav": "visits",
    })


@login_required
def visit_delete(request, visit_id):
    visit = visit_get_for_user(request.user, visit_id, write=True)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        family_id = visit.family_id
        try:
            services.visit_delete(acting_user=request.user, visit=visit, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "走访记录已删除")
            return redirect("visits:family", family_id)
    return render(request, "visits/delete.html", {"form": form, "visit": visit, "family": visit.family,
                                                  "active_nav": "visits"})


def photo_response(user, photo_id) -> FileResponse:
    """A visit photo for a user who may see the visit (else 404); the read is audited like the visit's.
    The page below and the JSON API both serve photos through it."""
    photo = photo_get_for_user(user, photo_id)
    audit_sensitive_read(user, action="visit.photo_viewed", obj=photo.visit, changes={"photo": photo.pk})
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    return response


@login_required
def visit_photo(request, photo_id):
    if request.method != "GET":
        photo_get_for_user(request.user, photo_id)  # 404 before 405: another county learns nothing
        return HttpResponseNotAllowed(["GET"])
    return photo_response(request.user, photo_id)


# ---------------------------------------------------------------- lists

def _visit_filters(request, **fixed) -> tuple[VisitFilterForm, VisitFilters]:
    form = VisitFilterForm(request.GET or None, user=None if fixed.get("family") else request.user)
    filters = VisitFilters(**fixed)
    if form.is_valid():
        data = form.cleaned_data
        filters.date_from, filters.date_to = data["date_from"], data["date_to"]
        filters.channel, filters.late = data["channel"] or "", bool(data["late"])
        if not fixed.get("family"):
            filters.region = data["region"] or ""
    return form, filters


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _audit_list(request, what: str, filters, page) -> None:
    audit_sensitive_read(request.user, action="visit.listed", object_type="visit",
                 object_repr=f"查看{what}第 {page.number} 页", region_code=request.user.region_id,
                 changes={"filters": {k: str(v) for k, v in vars(filters).items() if v}, "rows": len(page)})


@login_required
def visit_list_view(request):
    """Visits in the user's jurisdiction (or a sub-region) with filters."""
    _require(request.user, "family.view")
    form, filters = _visit_filters(request)
    region = None
    if form.is_bound and form.errors.get("region"):
        form.errors["region"] = form.error_class(["所选区域不在您的管辖范围内"])
    if filters.region:
        region = region_get_for_user(request.user, filters.region)  # a listed choice: inside the jurisdiction
    page = Paginator(visit_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, "走访记录", filters, page)
    return render(request, "visits/list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "region": region or request.user.region,
        "can_record": has_perm(request.user, "visit.record"),
        "can_import": has_perm(request.user, "visit.record") and has_perm(request.user, "family.import"),
        "active_nav": "visits",
    })


@login_required
def family_visits(request, family_id):
    family = family_get_for_user(request.user, family_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form, filters = _visit_filters(request, family=family.pk)
    page = Paginator(visit_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, f"{family.head_name}家走访记录", filters, page)
    return render(request, "visits/list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "family": family,
        "can_record": has_perm(request.user, "visit.record"), "active_nav": "visits",
    })


# ---------------------------------------------------------------- major events

@login_required
def event_report(request):
    _require(request.user, "visit.record")
    family_id = request.POST.get("family") or request.GET.get("family")
    if not family_id:
        q = request.GET.get("q", "")
        return render(request, "visits/pick_family.html", {
            "families": family_choices_for_user(request.user, q), "q": q, "target": "event", "next": "",
            "active_nav": "events",
        })
    family = family_for_recording(request.user, family_id)
    form = EventForm(request.POST or None, initial={"event_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.event_report(acting_user=request.user, family=family, kind=data["kind"],
                                          event_date=data["event_date"], description=data["description"],
                                          petition_level=data["petition_level"] or "")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = (f"已上报:{family.head_name}家{event.get_kind_display()},"
                    f"请于 {event.response_due:%m月%d日} 前上门,县卫健部门已收到通知")
            if event.responded_on:
                text += f"({event.responded_on:%m月%d日}已有面对面走访)"
            messages.success(request, text)
            return redirect("visits:event_detail", event.pk)
    return render(request, "visits/event_form.html", {"form": form, "family": family, "active_nav": "events"})


@login_required
def event_detail(request, event_id):
    event = event_get_for_user(request.user, event_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    audit_sensitive_read(request.user, action="event.viewed", obj=event)
    can_close = has_perm(request.user, "event.close") and event.state == MajorEvent.State.OPEN
    return render(request, "visits/event_detail.html", {
        "event": event, "family": event.family, "active_nav": "events",
        "visits": list(event.visits.select_related("contact", "recorded_by").order_by("visit_date", "id")),
        "overdue": event_is_overdue(event), "can_close": can_close,
        "can_record": has_perm(request.user, "visit.record") and event.state == MajorEvent.State.OPEN,
        "close_form": EventCloseForm() if can_close else None,
    })


@login_required
@require_POST
def event_close(request, event_id):
    event = event_get_for_user(request.user, event_id, close=True)
    form = EventCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写处理结果")
        return redirect("visits:event_detail", event.pk)
    try:
        services.event_close(acting_user=request.user, event=event, outcome=form.cleaned_data["outcome"])
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "重大事件已办结")
    return redirect("visits:event_detail", event.pk)


@login_required
def event_list_view(request):
    _require(request.user, "family.view")
    form = EventFilterForm(request.GET or None)
    filters = EventFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters.state = data["state"] or MajorEvent.State.OPEN
        filters.kind = data["kind"] or ""
        filters.overdue = bool(data["overdue"])
    page = Paginator(event_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_sensitive_read(request.user, action="event.listed", object_type="majorevent",
                 object_repr=f"查看重大事件第 {page.number} 页", region_code=request.user.region_id,
                 changes={"filters": {k: str(v) for k, v in vars(filters).items() if v}, "rows": len(page)})
    return render(request, "visits/event_list.html", {
        "form": form, "page": page, "query": _query_without_page(request), "today": timezone.localdate(),
        "can_report": has_perm(request.user, "visit.record"), "state": filters.state, "active_nav": "events",
    })
