"""Contact card pages: the queue of cards to hand out, the PDFs, and "handed to the family"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.families.models import Status
from guanhuai.families.selectors import families_for_user, family_get_for_user
from guanhuai.regions.codes import TOWNSHIP
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .cards import families_cards_pdf, family_card_pdf, missing_hotlines
from .forms import CardsIssuedForm
from .models import CardIssue
from .selectors import pending_cards, pending_cards_by_township

MAX_SHEET_CARDS = 2000


def _require(user) -> None:
    # Cards are printed and handed over by the people who keep the archive.
    if not has_perm(user, "family.edit"):
        raise Http404


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{filename}"
    return response


@login_required
def card_list(request):
    """Pending cards per township, with print and "handed to the family" actions."""
    user = request.user
    _require(user)
    region = region_get_for_user(user, request.GET["region"]) if request.GET.get("region") else None
    groups = []
    for township, cards in pending_cards_by_township(user, region):
        # A village cadre prints only their own village's cards.
        groups.append((township, cards, township.code if user.region.level <= TOWNSHIP else user.region_id))
    families = [card.family for _, cards, _ in groups for card in cards]
    return render(request, "contacts/cards.html", {
        "active_nav": "contacts", "tab": "cards", "groups": groups, "region": region,
        "total": len(families), "no_hotline": missing_hotlines(families),
        "can_manage": has_perm(user, "contacts.manage"), "can_edit": True,
        "form": CardsIssuedForm(family_ids=[]), "today": timezone.localdate(),
    })


@login_required
def family_card(request, family_id):
    """One family's card as a PDF (the family page links here)."""
    _require(request.user)
    family = family_get_for_user(request.user, family_id)
    if request.method != "GET":
        raise Http404
    content = family_card_pdf(family, issued_on=timezone.localdate())
    audit_record(actor=request.user, action="card.printed", obj=family, changes={"cards": 1})
    return _pdf(content, f"contact-card-{family.pk}.pdf")


@login_required
def region_cards(request, code: str):
    """A township's (or village's) cards, eight to an A4 sheet.

    By default the families with a card waiting to be handed out (optionally
    only the ``family`` ids given); ``?scope=all`` prints every family in the
    register there, e.g. for the yearly re-issue.
    """
    user = request.user
    _require(user)
    region = region_get_for_user(user, code)
    if request.method != "GET":
        raise Http404
    if region.level < TOWNSHIP:
        messages.error(request, "联系卡按乡镇(街道)或村(居)打印,请选择一个乡镇")
        return redirect("contacts:cards")
    if request.GET.get("scope") == "all":
        families = (families_for_user(user).filter(status=Status.ACTIVE, region__code__startswith=region.prefix)
                    .select_related("region", "region__parent").order_by("region_id", "head_name", "id"))
        scope = "全部在册家庭"
    else:
        cards = pending_cards(user, region)
        wanted = {int(v) for v in request.GET.getlist("family") if v.isdigit()}
        families = [c.family for c in cards if not wanted or c.family_id in wanted]
        scope = "待发放"
    families = list(families[:MAX_SHEET_CARDS])
    content, count = families_cards_pdf(families, issued_on=timezone.localdate(), title=f"{region.name}联系卡")
    audit_record(actor=user, action="card.printed", object_type="region", object_id=region.code,
                 object_repr=f"打印{region.name}联系卡 {count} 张({scope})", region_code=region.code,
                 changes={"cards": count, "scope": scope, "families": [f.pk for f in families][:500]})
    return _pdf(content, f"contact-cards-{region.code}.pdf")


@login_required
@require_POST
def cards_issued(request):
    """Record that the chosen families were handed their new cards (the family was told of the change)."""
    user = request.user
    _require(user)
    ids = [int(v) for v in request.POST.getlist("families") if v.isdigit()]
    families = list(families_for_user(user).filter(pk__in=ids, card_issues__state=CardIssue.State.PENDING).distinct())
    form = CardsIssuedForm(request.POST, family_ids=[f.pk for f in families])
    back = reverse("contacts:cards") + (f"?region={request.POST['region']}" if request.POST.get("region") else "")
    if not families:
        messages.error(request, "请先勾选已把联系卡送到的家庭")
        return redirect(back)
    if not form.is_valid():
        messages.error(request, ";".join(m for ms in form.errors.values() for m in ms))
        return redirect(back)
    try:
        count = services.cards_mark_issued(acting_user=user, families=families, issued_on=form.cleaned_data["issued_on"])
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已记录 {count} 户收到新的联系卡")
    return redirect(back)
