"""Relief pages. Thin: parse, fetch through the access functions, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record, audit_sensitive_read
from guanhuai.families.selectors import family_get_for_user
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.codes import COUNTY

from . import payments, services
from .forms import (
    ApplyForm,
    AttachForm,
    BatchForm,
    DecideForm,
    ObjectionForm,
    ReconcileForm,
    RepaymentForm,
    ResolveForm,
    RevokeForm,
)
from .forms_print import ROSTERS, application_pdf, form_title, roster_xlsx
from .models import Application, Batch, Line, State
from .selectors import (
    application_get_for_user,
    application_list,
    attachment_get_for_user,
    batch_get_for_user,
    batch_lines,
    batch_summary,
    batches_for_user,
    family_lines,
    items_active,
    objection_get_for_user,
    recoveries_for_user,
    recovery_get_for_user,
    roster,
    search_families,
    work_states,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


def _context(request, **extra) -> dict:
    user = request.user
    return {"active_nav": "relief", "can_apply": has_perm(user, "relief.apply"),
            "can_pay": has_perm(user, "relief.pay") and user.region is not None and user.region.level == COUNTY,
            **extra}


def _error(request, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or "您没有执行此操作的权限")
    else:
        messages.error(request, ";".join(exc.messages))


@login_required
def application_list_view(request):
    user = request.user
    _require(user, "relief.view")
    if request.method == "POST":
        raise Http404
    state, item, q = request.GET.get("state", ""), request.GET.get("item", ""), request.GET.get("q", "")
    mine = request.GET.get("mine") == "1"
    apps = list(application_list(user, state=state, item=item, mine=mine, q=q)[:300])
    waiting = application_list(user, mine=True).count() if work_states(user) else 0
    return render(request, "relief/list.html", _context(
        request, apps=apps, states=State.choices, items=list(items_active()), state=state, item=item, q=q,
        mine=mine, waiting=waiting))


@login_required
def item_list(request):
    _require(request.user, "relief.view")
    if request.method == "POST":
        raise Http404
    return render(request, "relief/items.html", _context(request, items=list(items_active())))


@login_required
def apply_view(request):
    user = request.user
    _require(user, "relief.apply")
    family = family_get_for_user(user, request.GET["family"]) if request.GET.get("family") else None
    if family is None:
        if request.method == "POST":
            raise Http404
        hits = search_families(user, request.GET.get("q", ""))
        return render(request, "relief/apply_pick.html", _context(request, hits=hits, q=request.GET.get("q", "")))
    items = list(items_active())
    members = list(family.members.all())
    form = ApplyForm(request.POST or None, request.FILES or None, items=items, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = next((m for m in members if str(m.pk) == d["member"]), None)
        try:
            app = services.application_apply(
                acting_user=user, family=family, item=next(i for i in items if i.code == d["item"]),
                reason=d["reason"], member=member, event_date=d["event_date"], written=d["written"],
                applied_on=d["applied_on"], documents=form.documents(request.FILES))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已提交申请(编号 {app.pk}):{app.eligibility_note}")
            return redirect("relief:application", app.pk)
    return render(request, "relief/apply.html", _context(request, family=family, form=form, items=items))


def _detail_context(request, app: Application, **extra) -> dict:
    user = request.user
    state_perm = services.STEP_PERM.get(app.state)
    can_decide = bool(state_perm) and has_perm(user, state_perm)
    can_county = has_perm(user, "relief.review_county")
    return _context(
        request, app=app, steps=list(app.steps.select_related("actor")), attachments=list(app.attachments.all()),
        objections=list(app.objections.all()), lines=list(family_lines(app)[:60]),
        recovery=getattr(app, "recovery", None) if hasattr(app, "recovery") else None,
        missing=services.missing_documents(app), form_number=form_title(app)[0],
        decide_form=DecideForm(initial={"version": app.version}) if can_decide else None,
        is_village_step=app.state == State.VILLAGE,
        attach_form=AttachForm() if app.is_open else None,
        objection_form=ObjectionForm() if can_county and app.state == State.NOTICE else None,
        resolve_form=ResolveForm() if can_county else None,
        can_close=can_county and app.state == State.NOTICE,
        notice_over=app.notice_end is not None and timezone.localdate() >= app.notice_end,
        revoke_form=RevokeForm(initial={"version": app.version}) if can_county and app.state in services.REVOCABLE
        else None,
        can_resubmit=has_perm(user, "relief.apply") and app.state == State.RETURNED, **extra)


@login_required
def application_detail(request, application_id):
    app = application_get_for_user(request.user, application_id)
    if request.method == "POST":
        raise Http404
    audit_sensitive_read(request.user, action="relief.application_viewed", obj=app)
    return render(request, "relief/application.html", _detail_context(request, app))


def _act(request, application_id, call) -> HttpResponse:
    app = application_get_for_user(request.user, application_id)
    try:
        text = call(app)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, text)
    return redirect("relief:application", app.pk)


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def decide(request, application_id):
    p = request.POST

    def call(app):
        done = services.application_decide(
            acting_user=request.user, application=app, action=p.get("action", ""), expected_version=_version(request),
            opinion=p.get("opinion", ""), findings=p.get("findings", ""), signatory_1=p.get("signatory_1", ""),
            signatory_2=p.get("signatory_2", ""))
        return f"已办理,当前状态:{done.get_state_display()}"
    return _act(request, application_id, call)


@login_required
@require_POST
def resubmit(request, application_id):
    return _act(request, application_id, lambda app: services.application_resubmit(
        acting_user=request.user, application=app, expected_version=_version(request),
        note=request.POST.get("note", "")) and "已重新提交村(居)调查")


@login_required
@require_POST
def close_notice(request, application_id):
    return _act(request, application_id, lambda app: services.application_close_notice(
        acting_user=request.user, application=app, expected_version=_version(request)) and "公示期满,已认定待发放")


@login_required
@require_POST
def revoke(request, application_id):
    def call(app):
        done = services.application_revoke(acting_user=request.user, application=app,
                                           reason=request.POST.get("reason", ""), expected_version=_version(request))
        recovery = getattr(done, "recovery", None)
        return "已撤销资格" + (f",已立案追回 {recovery.amount_due} 元" if recovery else ",此前未发放款项,无需追回")
    return _act(request, application_id, call)


@login_required
@require_POST
def attach(request, application_id):
    def call(app):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError("请选择要上传的文件")
        services.attachment_add(acting_user=request.user, application=app, kind=request.POST.get("kind", ""),
                                upload=upload)
        return "材料已上传"
    return _act(request, application_id, call)


@login_required
def attachment_view(request, attachment_id):
    att = attachment_get_for_user(request.user, attachment_id)
    if request.method == "POST":
        raise Http404
    audit_sensitive_read(request.user, action="relief.document_viewed", obj=att.application)
    from django.http import FileResponse

    return FileResponse(att.file.open("rb"), content_type=att.content_type)


@login_required
@require_POST
def objection_add(request, application_id):
    def call(app):
        form = ObjectionForm(request.POST)
        if not form.is_valid():
            raise ValidationError("请填写异议内容和提出日期")
        services.objection_record(acting_user=request.user, application=app, **form.cleaned_data)
        return "已登记异议;处理后方可认定"
    return _act(request, application_id, call)


@login_required
@require_POST
def objection_resolve(request, objection_id):
    objection = objection_get_for_user(request.user, objection_id)
    try:
        services.objection_resolve(acting_user=request.user, objection=objection,
                                   upheld=request.POST.get("upheld") == "1",
                                   resolution=request.POST.get("resolution", ""))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, "异议已处理")
    return redirect("relief:application", objection.application_id)


@login_required
def application_form_pdf(request, application_id):
    app = application_get_for_user(request.user, application_id)
    if request.method == "POST":
        raise Http404
    # The 申报表 is the signed paper file: it prints ID and account numbers in full, so every print is logged.
    audit_record(actor=request.user, action="relief.form_printed", obj=app, changes={"full_numbers": True})
    response = HttpResponse(application_pdf(app), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="relief-{app.pk}.pdf"'
    return response


def _roster(request, key: str):
    _require(request.user, "relief.view")
    if request.method == "POST":
        raise Http404
    year = request.GET.get("year", "")
    apps = list(roster(request.user, rules=ROSTERS[key][2], year=int(year) if year.isdigit() else None)[:5000])
    audit_sensitive_read(request.user, action="relief.roster_exported", object_type="roster", object_id=key,
                         region_code=request.user.region_id or "")
    response = HttpResponse(roster_xlsx(key, apps), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="relief-{key}.xlsx"'
    return response


@login_required
def roster_table6(request):
    return _roster(request, "table6")


@login_required
def roster_table8(request):
    return _roster(request, "table8")


@login_required
def batch_list(request):
    user = request.user
    _require(user, "relief.view")
    ctx = _context(request)
    form = BatchForm(request.POST or None) if ctx["can_pay"] else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                result = payments.batch_create(acting_user=user, region=user.region, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, f"已编制批次:{result.batch.line_count} 笔,合计 {result.batch.total} 元")
                for text in result.skipped[:20]:
                    messages.warning(request, f"未列入:{text}")
                return redirect("relief:batch", result.batch.pk)
    batches = list(batches_for_user(user).select_related("region")[:200])
    return render(request, "relief/batches.html", {**ctx, "batches": batches, "form": form})


@login_required
def batch_detail(request, batch_id):
    batch = batch_get_for_user(request.user, batch_id)
    if request.method == "POST":
        raise Http404
    audit_sensitive_read(request.user, action="relief.batch_viewed", obj=batch)
    return _batch_page(request, batch)


def _batch_page(request, batch: Batch, password: str | None = None) -> HttpResponse:
    return render(request, "relief/batch.html", _context(
        request, batch=batch, lines=list(batch_lines(batch)), summary=batch_summary(batch), password=password,
        reconcile_form=ReconcileForm(), states=Line.LineState))


@login_required
@require_POST
def batch_export(request, batch_id):
    batch = batch_get_for_user(request.user, batch_id)
    try:
        password = payments.batch_export(acting_user=request.user, batch=batch)
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
        return redirect("relief:batch", batch.pk)
    # Rendered, not redirected: the password exists only in this response.
    batch.refresh_from_db()
    response = _batch_page(request, batch, password=password)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def batch_bank_file(request, batch_id):
    batch = batch_get_for_user(request.user, batch_id)
    if request.method == "POST":
        raise Http404
    _require(request.user, "relief.pay")
    data = Batch.objects.filter(pk=batch.pk).values_list("bank_file", flat=True).first()
    if not data:
        messages.error(request, "该批次尚未导出银行文件")
        return redirect("relief:batch", batch.pk)
    audit_record(actor=request.user, action="relief.bank_file_downloaded", obj=batch)
    response = HttpResponse(bytes(data), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="relief-batch-{batch.pk}-bank.xlsx"'
    return response


@login_required
@require_POST
def batch_reconcile(request, batch_id):
    batch = batch_get_for_user(request.user, batch_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError("请选择银行回盘文件")
        result = payments.batch_reconcile(acting_user=request.user, batch=batch, data=upload.read(),
                                          filename=upload.name or "return.xlsx",
                                          password=request.POST.get("password", ""))
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, f"回盘已导入:到账 {result.paid} 笔,失败 {result.failed} 笔,"
                                  f"未变化 {result.unchanged} 笔,待回盘 {result.pending} 笔")
    return redirect("relief:batch", batch.pk)


@login_required
def recovery_list(request):
    _require(request.user, "relief.view")
    if request.method == "POST":
        raise Http404
    return render(request, "relief/recoveries.html", _context(
        request, recoveries=list(recoveries_for_user(request.user).order_by("-opened_on", "-id")[:300])))


@login_required
def recovery_detail(request, recovery_id):
    recovery = recovery_get_for_user(request.user, recovery_id)
    can_record = has_perm(request.user, "relief.pay") and not recovery.is_settled
    form = RepaymentForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.repayment_record(acting_user=request.user, recovery=recovery, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, "退款已登记")
                return redirect("relief:recovery", recovery.pk)
    audit_sensitive_read(request.user, action="relief.recovery_viewed", obj=recovery)
    return render(request, "relief/recovery.html", _context(
        request, recovery=recovery, form=form, repayments=list(recovery.repayments.select_related("recorded_by")),
        outstanding=services.recovery_outstanding(recovery)))
