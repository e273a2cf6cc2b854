"""JSON API of spot checks: the same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.contacts.selectors import active_assignments, contact_get_for_user
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .models import SpotCheck, SpotCheckFamily
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

router = Router(tags=["督导考核"])


def _require(user, perm: str) -> None:
    if not has_perm(user, perm):
        raise Http404


class SpotCheckOut(Schema):
    id: int
    region_code: str
    region_name: str
    title: str
    planned_on: dt.date
    register_as_of: dt.datetime
    seed: int
    sample_size: int
    sample_share: Decimal | None
    population: int
    drawn_family_ids: list[int]
    state: str
    completed_on: dt.date | None


class SpotCheckRow(Schema):
    id: int
    region_code: str
    title: str
    planned_on: dt.date
    sample_size: int
    population: int
    recorded: int
    state: str
    completed_on: dt.date | None


class SpotCheckListOut(Schema):
    warning: str | None
    results: list[SpotCheckRow]


class VisitCheckOut(Schema):
    visit_id: int
    visit_date: dt.date
    channel: str
    contact_id: int | None
    contact_name: str
    confirmed: bool | None


class ItemOut(Schema):
    id: int
    position: int
    family_id: int
    region_code: str
    head_name: str
    first_contact: str | None = None
    second_contact: str | None = None
    reached: bool | None
    knows_first: bool | None
    knows_second: bool | None
    satisfaction: int | None
    problems: str
    suspected_false_reports: int
    visits: list[VisitCheckOut] | None = None


class SpotCheckDetailOut(SpotCheckOut):
    items: list[ItemOut]


class PlanIn(Schema):
    region_code: str | None = None
    title: str = "双岗联系制度抽查"
    planned_on: dt.date | None = None
    size: int | None = None
    share: Decimal | None = None
    seed: int | None = None


class ResultIn(Schema):
    reached: bool
    knows_first: bool | None = None
    knows_second: bool | None = None
    satisfaction: int | None = None
    problems: str = ""
    visits: dict[int, bool] = {}


class VerifyOut(Schema):
    matches: bool
    seed: int
    register_as_of: dt.datetime
    recorded_population: int
    population: int
    drawn_family_ids: list[int]
    redrawn_family_ids: list[int]


class FalseReportOut(Schema):
    visit_id: int
    visit_date: dt.date
    family_id: int
    spot_check_id: int
    checked_on: dt.date


class ContactFalseReportsOut(Schema):
    contact_id: int
    contact_name: str
    suspected_false_reports: int
    results: list[FalseReportOut]


def _check_out(c: SpotCheck) -> dict:
    return {"id": c.pk, "region_code": c.region_id, "region_name": c.region.name, "title": c.title,
            "planned_on": c.planned_on, "register_as_of": c.register_as_of, "seed": c.seed,
            "sample_size": c.sample_size, "sample_share": c.sample_share, "population": c.population,
            "drawn_family_ids": list(c.drawn_ids), "state": c.state, "completed_on": c.completed_on}


def _item_out(i: SpotCheckFamily, *, with_visits: bool = False) -> ItemOut:
    out = ItemOut(id=i.pk, position=i.position, family_id=i.family_id, region_code=i.region_id,
                  head_name=i.family.head_name, reached=i.reached, knows_first=i.knows_first,
                  knows_second=i.knows_second, satisfaction=i.satisfaction, problems=i.problems,
                  suspected_false_reports=getattr(i, "n_denied", None)
                  if hasattr(i, "n_denied") else i.visit_checks.filter(confirmed=False).count())
    if with_visits:
        answers = {vc.visit_id: vc.confirmed for vc in i.visit_checks.all()}
        out.visits = [VisitCheckOut(visit_id=v.pk, visit_date=v.visit_date, channel=v.channel,
                                    contact_id=v.contact_id, contact_name=v.contact.name if v.contact else "",
                                    confirmed=answers.get(v.pk)) for v in visits_to_verify(i)]
        contacts = active_assignments(i.family)
        out.first_contact = ", ".join(a.contact.name for a in contacts["first"]) or None
        out.second_contact = ", ".join(a.contact.name for a in contacts["second"]) or None
    return out


@router.get("/spotchecks", response=SpotCheckListOut, summary="抽查列表(县级干部另见本年度抽查次数提醒)")
def list_spotchecks(request, year: int | None = None):
    user = request.auth
    _require(user, "oversight.view")
    warning = spotcheck_warning(user, timezone.localdate().year)
    rows = [SpotCheckRow(id=c.pk, region_code=c.region_id, title=c.title, planned_on=c.planned_on,
                         sample_size=c.sample_size, population=c.population, recorded=c.n_recorded, state=c.state,
                         completed_on=c.completed_on) for c in spotcheck_list(user, year=year)[:500]]
    text = (f"{warning['year']} 年本县已完成 {warning['done']} 次抽查,少于每年至少 {warning['required']} 次的要求"
            if warning else None)
    return SpotCheckListOut(warning=text, results=rows)


@router.post("/spotchecks", response={201: SpotCheckOut}, summary="安排抽查并按随机种子抽取样本(县级干部)")
def plan_spotcheck(request, payload: PlanIn):
    user = request.auth
    _require(user, "spotcheck.manage")
    try:
        region = region_get_for_user(user, payload.region_code or user.region_id)
    except Http404:
        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None
    check = services.spotcheck_plan(acting_user=user, region=region, title=payload.title,
                                    planned_on=payload.planned_on or timezone.localdate(), size=payload.size,
                                    share=payload.share, seed=payload.seed)
    return Status(201, SpotCheckOut(**_check_out(check)))


@router.get("/spotchecks/{int:spotcheck_id}", response=SpotCheckDetailOut, summary="抽查详情及抽中家庭的结果")
def get_spotcheck(request, spotcheck_id: int):
    user = request.auth
    check = spotcheck_get_for_user(user, spotcheck_id)
    audit_sensitive_read(user, action="spotcheck.viewed", obj=check)
    return SpotCheckDetailOut(**_check_out(check), items=[_item_out(i) for i in spotcheck_items(check)])


@router.get("/spotchecks/{int:spotcheck_id}/verify", response=VerifyOut, summary="按记录的种子和名册时点重抽并核对样本")
def verify_spotcheck(request, spotcheck_id: int):
    check = spotcheck_get_for_user(request.auth, spotcheck_id)
    result = spotcheck_verify(check)
    return VerifyOut(matches=result["matches"], seed=check.seed, register_as_of=check.register_as_of,
                     recorded_population=check.population, population=result["population"],
                     drawn_family_ids=list(check.drawn_ids), redrawn_family_ids=result["redrawn_ids"])


@router.get("/spotchecks/{int:spotcheck_id}/families/{int:item_id}", response=ItemOut,
            summary="抽中家庭:登记的联系人、待核实的走访和已记录的结果")
def get_item(request, spotcheck_id: int, item_id: int):
    user = request.auth
    check = spotcheck_get_for_user(user, spotcheck_id)
    item = spotcheck_item_get_for_user(user, check, item_id)
    audit_sensitive_read(user, action="spotcheck.family_viewed", obj=item, region_code=item.region_id)
    return _item_out(item, with_visits=True)


@router.post("/spotchecks/{int:spotcheck_id}/families/{int:item_id}/result", response=ItemOut,
             summary="记录抽中家庭的抽查结果(否认的走访标记为疑似虚报)")
def record_item(request, spotcheck_id: int, item_id: int, payload: ResultIn):
    user = request.auth
    check = spotcheck_get_for_user(user, spotcheck_id, write=True)
    item = spotcheck_item_get_for_user(user, check, item_id, write=True)
    services.spotcheck_record_family(acting_user=user, item=item, reached=payload.reached,
                                     knows_first=payload.knows_first, knows_second=payload.knows_second,
                                     satisfaction=payload.satisfaction, problems=payload.problems,
                                     visits=payload.visits)
    return _item_out(item, with_visits=True)


@router.post("/spotchecks/{int:spotcheck_id}/complete", response=SpotCheckOut, summary="完成抽查")
def complete_spotcheck(request, spotcheck_id: int):
    user = request.auth
    check = spotcheck_get_for_user(user, spotcheck_id, write=True)
    return SpotCheckOut(**_check_out(services.spotcheck_complete(acting_user=user, check=check)))


@router.get("/contacts/{int:contact_id}/false-reports", response=ContactFalseReportsOut,
            summary="联系人被抽查家庭否认的走访(疑似虚报)")
def contact_false_reports(request, contact_id: int):
    user = request.auth
    _require(user, "oversight.view")
    contact = contact_get_for_user(user, contact_id)
    audit_sensitive_read(user, action="contact.false_reports_viewed", obj=contact)
    reports = false_reports_of_contact(contact)
    rows = list(reports[:500])
    return ContactFalseReportsOut(
        contact_id=contact.pk, contact_name=contact.name, suspected_false_reports=reports.count(),
        results=[FalseReportOut(visit_id=r.visit_id, visit_date=r.visit.visit_date, family_id=r.item.family_id,
                                spot_check_id=r.item.spot_check_id, checked_on=r.item.spot_check.planned_on)
                 for r in rows])


def _mount_subrouters() -> None:
    from .api_assessment import router as assessment_router
    from .api_survey import router as survey_router

    router.add_router("/surveys", survey_router)
    router.add_router("/assessment", assessment_router)


_mount_subrouters()
