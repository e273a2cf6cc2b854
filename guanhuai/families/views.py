"""Archive pages. Thin: parse, fetch through access functions, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .exports import family_list_xlsx
from .forms import ExitForm, FamilyFilterForm, FamilyForm, MemberForm, ReasonForm
from .history import family_history
from .models import NEEDS, Family, MemberRole
from .selectors import FamilyFilters, family_get_for_user, family_list, member_get_for_user

MEMBER_ROWS = [MemberRole.FATHER, MemberRole.MOTHER, MemberRole.CHILD, MemberRole.OTHER]
CHOICE_DEFAULTS = ["health", "mental", "living", "income", "housing", "pension", "medical"]


def _require(user, perm):
    if not has_perm(user, perm):
        raise Http404


def _filters(request) -> tuple[FamilyFilterForm, FamilyFilters]:
    form = FamilyFilterForm(request.GET or None)
    if form.is_valid():
        return form, FamilyFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    return form, FamilyFilters()


@login_required
def family_list_view(request):
    _require(request.user, "family.view")
    form, filters = _filters(request)
    page = Paginator(family_list(request.user, filters), 30).get_page(request.GET.get("page"))
    audit_sensitive_read(request.user, action="family.listed", object_type="family",
                 object_repr=f"查看家庭列表第 {page.number} 页", region_code=request.user.region_id,
                 changes={"filters": {k: v for k, v in vars(filters).items() if v}, "rows": len(page)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "families/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "active_nav": "families",
        "can_edit": has_perm(request.user, "family.edit"), "can_export": has_perm(request.user, "family.export"),
    })


@login_required
def family_export(request):
    _require(request.user, "family.export")
    _, filters = _filters(request)
    qs = family_list(request.user, filters)
    data, count = family_list_xlsx(qs)
    audit_record(actor=request.user, action="family.exported", object_type="family", object_id="",
                 object_repr=f"导出 {count} 户(脱敏)", region_code=request.user.region_id,
                 changes={"filters": {k: v for k, v in vars(filters).items() if v}, "rows": count})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''families-{stamp}.xlsx"
    return response


def _member_forms(request, rows=MEMBER_ROWS):
    forms = []
    for index, role in enumerate(rows):
        prefix = f"m{index}"
        if request.method == "POST":
            form = MemberForm(request.POST, prefix=prefix)
        else:
            form = MemberForm(prefix=prefix, initial={"role": role, "is_alive": "1"})
        forms.append(form)
    return forms


def _filled(form: MemberForm) -> bool:
    return any((form.data.get(form.add_prefix(name)) or "").strip() for name in ("name", "id_number"))


@login_required
def family_create(request):
    _require(request.user, "family.edit")
    initial = {"registered_on": timezone.localdate()}
    # An untouched select would submit its first option (独居, 低保…); start from the model's defaults instead.
    initial.update({name: Family._meta.get_field(name).default for name in CHOICE_DEFAULTS})
    if request.user.region and request.user.region.level == 5:
        initial["region"] = request.user.region_id
    form = FamilyForm(request.POST or None, initial=initial, user=request.user)
    member_forms = _member_forms(request)
    needs_confirm = False
    if request.method == "POST":
        filled = [f for f in member_forms if _filled(f)]
        valid = form.is_valid() & all([f.is_valid() for f in filled])
        if not filled:
            form.add_error(None, "至少登记一名家庭成员(填写姓名)")
            valid = False
        if valid:
            try:
                region = region_get_for_user(request.user, form.cleaned_data["region"])
            except Http404:
                form.add_error("region", "区划代码不存在或不在您的管辖范围内")
            else:
                try:
                    family = services.family_create(
                        acting_user=request.user, region=region, data=form.service_data(),
                        members=[f.service_data() for f in filled],
                        confirm_duplicates=request.POST.get("confirm_duplicates") == "1",
                    )
                except ValidationError as exc:
                    needs_confirm = isinstance(exc, services.DuplicateIdNumbers)
                    _spread_errors(form, filled, exc)
                else:
                    messages.success(request, f"已建档:{family}")
                    return redirect("families:detail", family.pk)
    return render(request, "families/form.html", {
        "form": form, "member_forms": member_forms, "creating": True, "needs_confirm": needs_confirm,
        "active_nav": "families",
    })


def _spread_errors(form, member_forms, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        if key.startswith("members."):
            _, index, field = key.split(".", 2)
            target = member_forms[int(index)]
            for message in messages_:
                target.add_error(field if field in target.fields else None, message)
        else:
            for message in messages_:
                form.add_error(key if key in form.fields else None, message)


@login_required
def family_detail(request, pk):
    family = family_get_for_user(request.user, pk)
    audit_sensitive_read(request.user, action="family.viewed", obj=family)
    members = list(family.members.all())
    return render(request, "families/detail.html", {
        "family": family, "members": members, "active_nav": "families",
        "can_edit": has_perm(request.user, "family.edit"), "can_reveal": has_perm(request.user, "sensitive.reveal"),
        "exit_form": ExitForm(initial={"exit_date": timezone.localdate()}),
    })


@login_required
def family_edit(request, pk):
    family = family_get_for_user(request.user, pk, write=True)
    initial = {name: getattr(family, name) for name in FamilyForm.base_fields if hasattr(family, name)}
    initial["region"] = family.region_id
    initial["needs"] = [name for name, _ in NEEDS if getattr(family, name)]
    initial["bank_account"] = ""
    form = FamilyForm(request.POST or None, initial=initial, edit=True, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not data.get("bank_account"):
            data.pop("bank_account")  # blank means "keep the stored account"
        region = None
        if form.cleaned_data["region"] != family.region_id:
            try:
                region = region_get_for_user(request.user, form.cleaned_data["region"])
            except Http404:
                form.add_error("region", "区划代码不存在或不在您的管辖范围内")
        if not form.errors:
            try:
                services.family_update(acting_user=request.user, family=family, data=data, region=region)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "档案已更新")
                return redirect("families:detail", family.pk)
    return render(request, "families/form.html", {"form": form, "family": family, "creating": False,
                                                  "active_nav": "families"})


@login_required
@require_POST
def family_exit(request, pk):
    family = family_get_for_user(request.user, pk, write=True)
    form = ExitForm(request.POST)
    if form.is_valid():
        try:
            services.family_exit(acting_user=request.user, family=family, reason=form.cleaned_data["reason"],
                                 exit_date=form.cleaned_data["exit_date"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, "已办理退出")
    else:
        messages.error(request, "请填写退出原因和日期")
    return redirect("families:detail", family.pk)


@login_required
@require_POST
def family_reinstate(request, pk):
    family = family_get_for_user(request.user, pk, write=True)
    try:
        services.family_reinstate(acting_user=request.user, family=family, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "已恢复在册")
    return redirect("families:detail", family.pk)


@login_required
def member_add(request, pk):
    family = family_get_for_user(request.user, pk, write=True)
    form = MemberForm(request.POST or None, initial={"role": MemberRole.OTHER, "is_alive": "1"})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(acting_user=request.user, family=family, data=form.service_data(),
                                confirm_duplicates=form.cleaned_data["confirm_duplicate"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已添加成员")
            return redirect("families:detail", family.pk)
    return render(request, "families/member_form.html", {"form": form, "family": family, "active_nav": "families"})


@login_required
def member_edit(request, pk):
    member = member_get_for_user(request.user, pk, write=True)
    initial = {name: getattr(member, name) for name in MemberForm.base_fields if hasattr(member, name)}
    initial["is_alive"] = "1" if member.is_alive else "0"
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(acting_user=request.user, member=member, data=form.service_data(),
                                   confirm_duplicates=form.cleaned_data["confirm_duplicate"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "成员信息已更新")
            return redirect("families:detail", member.family_id)
    return render(request, "families/member_form.html",
                  {"form": form, "family": member.family, "member": member, "active_nav": "families"})


@login_required
@require_POST
def member_delete(request, pk):
    member = member_get_for_user(request.user, pk, write=True)
    family_id = member.family_id
    try:
        services.member_remove(acting_user=request.user, member=member, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "成员已删除")
    return redirect("families:detail", family_id)


@login_required
@require_POST
def reveal(request, kind: str, pk: int):
    """htmx: reveal one sensitive value after the user typed a reason."""
    _require(request.user, "sensitive.reveal")
    if kind in {"id_number", "phone"}:
        obj = member_get_for_user(request.user, pk)
    elif kind == "bank_account":
        obj = family_get_for_user(request.user, pk)
    else:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return HttpResponse('<span class="text-danger small">请填写查看理由</span>', status=422)
    try:
        value = services.sensitive_reveal(acting_user=request.user, obj=obj, field_name=kind,
                                          reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return HttpResponse(f'<span class="text-danger small">{"; ".join(exc.messages)}</span>', status=422)
    return render(request, "families/_revealed.html", {"value": value})


@login_required
def history(request, pk):
    family = family_get_for_user(request.user, pk)
    audit_sensitive_read(request.user, action="family.viewed", obj=family, changes={"page": "history"})
    return render(request, "families/history.html", {"family": family, "entries": family_history(family),
                                                     "active_nav": "families"})
