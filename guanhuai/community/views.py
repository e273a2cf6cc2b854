"""Training pages. Thin: parse, fetch through the access functions, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.lib.excel import write_xlsx
from guanhuai.lib.formerrors import add_service_errors

from . import services
from .forms import TrainingForm
from .selectors import (
    attendable_contacts,
    can_read_trainings,
    training_attendance,
    training_get_for_user,
    training_list,
    untrained_contacts,
)


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


def _context(**extra) -> dict:
    return {"active_nav": "trainings", **extra}


@login_required
def training_list_view(request):
    user = request.user
    if not can_read_trainings(user):
        raise Http404
    year = _year(request)
    form = None
    if has_perm(user, "training.manage"):
        form = TrainingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                training = services.training_create(acting_user=user, region=user.region, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已登记培训,请勾选参训人员")
                return redirect("community:training", training.pk)
    elif request.method == "POST":
        raise Http404
    trainings = list(training_list(user, year=year).order_by("-held_on", "-id")[:300])
    untrained = untrained_contacts(user, year).count()
    return render(request, "community/trainings.html", _context(
        trainings=trainings, form=form, year=year, untrained=untrained, show_tabs=has_perm(user, "oversight.view")))


@login_required
def training_detail(request, training_id):
    user = request.user
    training = training_get_for_user(user, training_id, write=request.method == "POST")
    can_write = has_perm(user, "training.manage") and training.region_id.startswith(user.region.prefix)
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("contact_ids") if v.isdigit()]
            attending = services.training_attendance_set(acting_user=user, training=training, contact_ids=ids)
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        else:
            messages.success(request, f"已保存参训人员:{len(attending)} 人")
            return redirect("community:training", training.pk)
    attendance = list(training_attendance(user, training))
    candidates = list(attendable_contacts(user, training)[:2000]) if can_write else []
    attending = {a.contact_id for a in attendance}
    return render(request, "community/training.html", _context(
        training=training, attendance=attendance, candidates=candidates, attending=attending, can_write=can_write,
        can_edit_dates=training.held_on <= timezone.localdate()))


@login_required
def untrained_view(request):
    user = request.user
    if not can_read_trainings(user):
        raise Http404
    if request.method == "POST":
        raise Http404
    year = _year(request)
    contacts = untrained_contacts(user, year)
    if request.GET.get("format") == "xlsx":
        rows = [[c.region.parent.name if c.region.parent_id else "", c.region.name, c.name, c.get_kind_display(),
                 c.post] for c in contacts.iterator(chunk_size=1000)]
        data = write_xlsx([(f"{year}年未参训联系人", ["上级区划", "所在区划", "姓名", "类别", "职务"], rows)])
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="untrained-{year}.xlsx"'
        return response
    return render(request, "community/untrained.html", _context(contacts=list(contacts[:1000]),
                                                                total=contacts.count(), year=year))
