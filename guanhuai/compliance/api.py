"""Compliance through the JSON API: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.families.selectors import families_for_user, family_get_for_user
from guanhuai.regions.selectors import region_get_for_user

from . import services
from .models import PolicyProfile
from .selectors import (
    WORKLIST_PAGE_SIZE,
    Worklist,
    families_of_contact,
    family_statuses,
    my_worklist,
    overdue_for_families,
    rates_by_child_region,
    rates_for,
    worklist,
)

router = Router(tags=["联系走访合规"])


def _require(request, perm="family.view"):
    if not has_perm(request.auth, perm):
        raise Http404


class ContactOut(Schema):
    name: str
    post: str


class OverdueContactsOut(Schema):
    first: ContactOut | None  # 第一联系人(乡镇); null when the family has none on that day
    second: ContactOut | None  # 第二联系人(村居)


class OverdueOut(Schema):
    family: int
    obligation: str
    due: dt.date | None
    contacts: OverdueContactsOut


class ReportOut(Schema):
    region: str
    date: dt.date
    families: int
    rates: dict[str, float | None]
    overdue: list[OverdueOut]


class ReportQuery(Schema):
    region: str
    date: dt.date | None = None
    limit: int = 1000


@router.get("/report", response=ReportOut, summary="区划在某日的合规率和逾期清单(与 compliance_report 命令相同)")
def report(request, query: Query[ReportQuery]):
    _require(request)
    region = region_get_for_user(request.auth, query.region)
    day = query.date or timezone.localdate()
    families = families_for_user(request.auth).filter(region__code__startswith=region.prefix)
    rates = rates_for(families, day)
    overdue = overdue_for_families(families, day, limit=max(1, min(query.limit, 5000)))
    return ReportOut(region=region.code, date=day, families=rates.families, rates=rates.rates,
                     overdue=[OverdueOut(family=r.family_id, obligation=r.key, due=r.due, contacts=r.contacts)
                              for r in overdue])


class ChildRatesOut(Schema):
    region: str
    name: str
    families: int
    overdue: int
    rates: dict[str, float | None]


@router.get("/regions/{code}/children", response=list[ChildRatesOut], summary="下级区划的合规率")
def children(request, code: str, date: dt.date | None = None):
    _require(request)
    region = region_get_for_user(request.auth, code)
    rows, _ = rates_by_child_region(request.auth, region, date)
    return [ChildRatesOut(region=r.region.code, name=r.region.name, families=r.families, overdue=r.overdue,
                          rates=r.rates) for r in rows]


class PeriodOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    required: int
    count: int
    met: bool


class ObligationOut(Schema):
    key: str
    label: str
    status: str
    status_label: str
    period: str
    due: dt.date | None
    required: int
    count: int
    last_visit: dt.date | None
    history: list[PeriodOut]


@router.get("/families/{family_id}", response=list[ObligationOut], summary="一户的各项义务状态和历史")
def family(request, family_id: int):
    fam = family_get_for_user(request.auth, family_id)
    audit_sensitive_read(request.auth, action="family.viewed", obj=fam, changes={"page": "compliance"})
    out = []
    for s in family_statuses(fam):
        history = [PeriodOut(period=p.span.label, start=p.span.start, end=p.span.end, required=p.required,
                             count=p.count, met=p.met) for p in s.pop("history")]
        out.append(ObligationOut(history=history, **s))
    return out


class WorkItemOut(Schema):
    family: int
    head_name: str
    region_code: str
    status: str
    due: dt.date | None
    open_events: int
    event_status: str | None = None  # of its unanswered major events: overdue / due_soon; null when none
    event_due: dt.date | None = None
    obligations: list[dict[str, Any]]


class WorklistOut(Schema):
    count: int  # every family on the list, not just this page
    overdue: int
    due_soon: int
    page: int
    pages: int
    per_page: int
    urgent_only: bool  # jurisdiction too large: only overdue / due-soon / open-event families are listed
    items: list[WorkItemOut]


class WorklistQuery(Schema):
    page: int = Field(1, ge=1)
    per_page: int = Field(WORKLIST_PAGE_SIZE, ge=1, le=200)


@router.get("/mine", response=WorklistOut,
            summary="我联系的家庭:全部按紧急程度排序(逾期、即将到期按期限、其余)后分页,计数覆盖整个清单")
def mine(request, query: Query[WorklistQuery]):
    _require(request)
    _, _, ranked = my_worklist(request.auth, page=query.page, per_page=query.per_page)
    return _worklist_out(ranked)


@router.get("/contacts/{contact_id}/worklist", response=WorklistOut,
            summary="某联系人所联系家庭的走访待办(排序和分页同“我联系的家庭”)")
def contact_worklist(request, contact_id: int, query: Query[WorklistQuery]):
    from guanhuai.contacts.selectors import contact_get_for_user

    _require(request)
    contact = contact_get_for_user(request.auth, contact_id)
    ranked = worklist(families_of_contact(contact, families_for_user(request.auth)), page=query.page,
                      per_page=query.per_page)
    return _worklist_out(ranked)


def _worklist_out(ranked: Worklist) -> WorklistOut:
    items = [WorkItemOut(family=i.family.pk, head_name=i.family.head_name, region_code=i.family.region_id,
                         status=i.status, due=i.due, open_events=i.open_events,
                         event_status=i.event_status, event_due=i.event_due,
                         obligations=[{"label": label, "status": st, "due": due} for label, st, due in i.obligations])
             for i in ranked.items]
    return WorklistOut(count=ranked.total, overdue=ranked.overdue, due_soon=ranked.due_soon, page=ranked.page.number,
                       pages=ranked.page.paginator.num_pages, per_page=ranked.page.paginator.per_page,
                       urgent_only=ranked.urgent_only, items=items)


class VersionOut(Schema):
    effective_from: dt.date
    note: str
    obligations: list[dict[str, Any]]


class ProfileOut(Schema):
    id: int
    code: str
    name: str
    source: str
    regions: list[str]
    versions: list[VersionOut]


@router.get("/profiles", response=list[ProfileOut], summary="政策配置及其版本")
def profile_list(request):
    out = []
    for p in PolicyProfile.objects.prefetch_related("versions", "regions"):
        out.append(ProfileOut(id=p.pk, code=p.code, name=p.name, source=p.source,
                              regions=[b.region_id for b in p.regions.all()],
                              versions=[VersionOut(effective_from=v.effective_from, note=v.note,
                                                   obligations=v.obligations) for v in p.versions.all()]))
    return out


class VersionIn(Schema):
    effective_from: dt.date
    obligations: list[dict[str, Any]]
    note: str = ""


@router.post("/profiles/{profile_id}/versions", response={201: VersionOut}, summary="新增政策版本(系统管理员)")
def version_create(request, profile_id: int, payload: VersionIn):
    _require(request, "profiles.manage")
    profile = PolicyProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise Http404
    version = services.profile_version_create(acting_user=request.auth, profile=profile,
                                              obligations=payload.obligations,
                                              effective_from=payload.effective_from, note=payload.note)
    from ninja import Status

    return Status(201, VersionOut(effective_from=version.effective_from, note=version.note,
                                  obligations=version.obligations))


class BindIn(Schema):
    profile: str | None = None  # profile code; null = inherit from the parent


@router.put("/regions/{code}/profile", response={204: None}, summary="为区划指定政策(系统管理员)")
def bind(request, code: str, payload: BindIn):
    _require(request, "profiles.manage")
    region = region_get_for_user(request.auth, code)
    profile = None
    if payload.profile:
        profile = PolicyProfile.objects.filter(code=payload.profile).first()
        if profile is None:
            raise ValidationError({"profile": "政策不存在"})
    services.region_profile_set(acting_user=request.auth, region=region, profile=profile)
    from ninja import Status

    return Status(204, None)


class ContactRatesOut(Schema):
    contact: int
    name: str
    date: dt.date
    families: int
    rates: dict[str, float | None]


@router.get("/contacts/{contact_id}/rates", response=ContactRatesOut, summary="某联系人所联系家庭的合规率")
def contact_rates(request, contact_id: int, date: dt.date | None = None):
    from guanhuai.contacts.selectors import contact_get_for_user

    contact = contact_get_for_user(request.auth, contact_id)
    day = date or timezone.localdate()
    report = rates_for(families_of_contact(contact, families_for_user(request.auth)), day)
    return ContactRatesOut(contact=contact.pk, name=contact.name, date=day, families=report.families,
                           rates=report.rates)
