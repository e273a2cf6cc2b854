"""Reads of relief, always scoped to the user's jurisdiction (404 both for missing and outside objects)."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from guanhuai.accounts.roles import has_perm

from .models import ZERO, Application, Attachment, Batch, Line, Objection, Recovery, ReliefItem, State

# What each permission has waiting for it (the worklist on the list page).
WORK = {"relief.review_village": [State.VILLAGE], "relief.review_township": [State.TOWNSHIP],
        "relief.review_county": [State.COUNTY, State.NOTICE], "relief.apply": [State.RETURNED]}


def _pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def items_active() -> QuerySet[ReliefItem]:
    return ReliefItem.objects.filter(is_active=True)


def applications_for_user(user) -> QuerySet[Application]:
    if not has_perm(user, "relief.view") or user.region_id is None:
        return Application.objects.none()
    return Application.objects.filter(region__code__startswith=user.region.prefix)


def application_get_for_user(user, pk) -> Application:
    """The application if in the user's jurisdiction, else 404. Whether the user may act is the services' call."""
    app = (applications_for_user(user).select_related("item", "family", "region", "region__parent", "member",
                                                      "created_by").filter(pk=_pk(pk)).first())
    if app is None:
        raise Http404
    return app


def application_list(user, *, state: str = "", item: str = "", mine: bool = False, q: str = "") -> QuerySet[Application]:
    qs = applications_for_user(user)
    if state:
        qs = qs.filter(state=state)
    if item:
        qs = qs.filter(item__code=item)
    if mine:
        qs = qs.filter(state__in=work_states(user))
    if q.strip():
        qs = qs.filter(family__head_name__contains=q.strip())
    return qs.select_related("item", "family", "region", "region__parent").order_by("-applied_on", "-id")


def work_states(user) -> list[str]:
    return [s for perm, states in WORK.items() if has_perm(user, perm) for s in states]


def attachment_get_for_user(user, pk) -> Attachment:
    att = Attachment.objects.select_related("application").filter(pk=_pk(pk)).first()
    if att is None or not applications_for_user(user).filter(pk=att.application_id).exists():
        raise Http404
    return att


def objection_get_for_user(user, pk) -> Objection:
    obj = Objection.objects.select_related("application", "application__item", "application__family").filter(
        pk=_pk(pk)).first()
    if obj is None or not applications_for_user(user).filter(pk=obj.application_id).exists():
        raise Http404
    return obj


def batches_for_user(user) -> QuerySet[Batch]:
    if not has_perm(user, "relief.view") or user.region_id is None:
        return Batch.objects.none()
    # A batch belongs to a county: a township or village user sees none (they see their own lines instead).
    return Batch.objects.filter(region__code__startswith=user.region.prefix).defer("bank_file")


def batch_get_for_user(user, pk) -> Batch:
    batch = batches_for_user(user).select_related("region", "created_by", "exported_by").filter(pk=_pk(pk)).first()
    if batch is None:
        raise Http404
    return batch


def batch_lines(batch: Batch) -> QuerySet[Line]:
    return batch.lines.select_related("application__item", "family", "region", "member").order_by("pk")


def batch_summary(batch: Batch) -> dict:
    rows = batch.lines.values("state").annotate(s=Sum("amount"))
    by_state = {r["state"]: (r["s"] or ZERO).quantize(ZERO) for r in rows}
    return {"paid": by_state.get(Line.LineState.PAID, ZERO), "failed": by_state.get(Line.LineState.FAILED, ZERO),
            "pending": by_state.get(Line.LineState.PENDING, ZERO),
            "sum": sum(by_state.values(), ZERO)}


def recoveries_for_user(user) -> QuerySet[Recovery]:
    if not has_perm(user, "relief.view") or user.region_id is None:
        return Recovery.objects.none()
    return (Recovery.objects.filter(region__code__startswith=user.region.prefix)
            .select_related("application__item", "application__family", "region")
            .annotate(repaid=Sum("repayments__amount")))


def recovery_get_for_user(user, pk) -> Recovery:
    recovery = recoveries_for_user(user).filter(pk=_pk(pk)).first()
    if recovery is None:
        raise Http404
    return recovery


def family_lines(application: Application) -> QuerySet[Line]:
    return application.lines.select_related("batch").order_by("-batch__period", "-pk")


def roster(user, *, rules: list[str], year: int | None = None) -> QuerySet[Application]:
    """Applications for a roster (表六/表八): in the jurisdiction, of these rules, not refused."""
    qs = applications_for_user(user).filter(item__rule__in=rules).exclude(state=State.REJECTED)
    if year:
        qs = qs.filter(applied_on__year=year)
    return qs.select_related("item", "family", "region", "region__parent", "member").prefetch_related(
        "family__members").order_by("region_id", "pk")


def search_families(user, q: str):
    from guanhuai.families.selectors import families_for_user

    q = (q or "").strip()
    if not q:
        return []
    return list(families_for_user(user).filter(Q(head_name__contains=q) | Q(pk=int(q) if q.isdigit() else 0))
                .select_related("region", "region__parent").order_by("region_id", "pk")[:20])
