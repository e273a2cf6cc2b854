"""JSON API of the region assessment, its weights and the contact awards ranking."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from guanhuai.accounts.roles import has_perm
from guanhuai.regions.selectors import region_get_for_user

from . import services_assessment as services
from .assessment import INDICATORS, PENALTIES, scores_for, weights_for_year

router = Router(tags=["督导考核"])


class WeightsOut(Schema):
    year: int
    version: int | None
    weights: dict[str, float]
    penalties: dict[str, float]
    labels: dict[str, str]


class WeightsIn(Schema):
    year: int
    weights: dict[str, float | str]
    penalties: dict[str, float | str]
    note: str = ""


class ScoreOut(Schema):
    rank: int
    region_code: str
    region_name: str
    families: int
    indicators: dict[str, float | None]
    counts: dict[str, int]
    penalties: dict[str, float]
    base: float
    penalty: float
    score: float


class AssessmentOut(Schema):
    region_code: str
    year: int
    source: str
    weights: WeightsOut | None
    results: list[ScoreOut]


class ArchiveIn(Schema):
    region_code: str | None = None
    year: int | None = None


class ArchiveOut(Schema):
    year: int
    archived: int


def _weights_out(w) -> WeightsOut:
    return WeightsOut(year=w.year, version=w.version, weights={k: float(v) for k, v in w.weights.items()},
                      penalties={k: float(v) for k, v in w.penalties.items()}, labels={**INDICATORS, **PENALTIES})


def _region(user, code: str | None):
    return region_get_for_user(user, code or user.region_id)


@router.get("", response=AssessmentOut, summary="区域考核:下级区划的得分、明细和排名(本年度实时,往年为存档)")
def assessment(request, region: str | None = None, year: int | None = None):
    user = request.auth
    if not has_perm(user, "oversight.view"):
        raise Http404
    r = _region(user, region)
    year = year or timezone.localdate().year
    scores, weights, source = scores_for(user, r, year)
    return AssessmentOut(region_code=r.code, year=year, source=source,
                         weights=_weights_out(weights) if weights else None,
                         results=[ScoreOut(**s.as_dict()) for s in scores])


@router.get("/weights", response=WeightsOut, summary="某年度使用的考核权重和扣分标准")
def get_weights(request, year: int | None = None):
    user = request.auth
    if not (has_perm(user, "oversight.view") or has_perm(user, "assessment.manage")):
        raise Http404
    return _weights_out(weights_for_year(year or timezone.localdate().year))


@router.post("/weights", response={201: WeightsOut}, summary="保存某年度考核权重的新版本(省级干部、管理员)")
def set_weights(request, payload: WeightsIn):
    user = request.auth
    if not has_perm(user, "assessment.manage"):
        raise Http404
    services.assessment_weights_set(acting_user=user, year=payload.year, weights=payload.weights,
                                    penalties=payload.penalties, note=payload.note)
    return Status(201, _weights_out(weights_for_year(payload.year)))


@router.post("/archive", response=ArchiveOut, summary="存档本年度下级区划的考核结果(省级干部)")
def archive(request, payload: ArchiveIn):
    user = request.auth
    if not (has_perm(user, "assessment.manage") and has_perm(user, "oversight.view")):
        raise Http404
    year = payload.year or timezone.localdate().year
    n = services.assessment_archive(acting_user=user, region=_region(user, payload.region_code), year=year)
    return ArchiveOut(year=year, archived=n)


class ContactRankOut(Schema):
    rank: int
    contact_id: int
    name: str
    kind: str
    region_code: str
    families: int
    on_track: float | None
    visits: int
    home_visits: int
    late: int
    false_reports: int
    trainings: int
    recommended: bool
    remark: str


class AwardsOut(Schema):
    region_code: str
    year: int
    total: int
    results: list[ContactRankOut]


@router.get("/awards", response=AwardsOut, summary="联系人评选表彰参考排名(可排序)")
def awards(request, region: str | None = None, year: int | None = None, sort: str = "on_track", desc: bool = True):
    from .awards import SORT_KEYS, contact_ranking

    user = request.auth
    if not has_perm(user, "oversight.view"):
        raise Http404
    r = _region(user, region)
    year = year or timezone.localdate().year
    rows = contact_ranking(user, r, year, sort=sort if sort in SORT_KEYS else "on_track", descending=desc)
    return AwardsOut(region_code=r.code, year=year, total=len(rows), results=[
        ContactRankOut(rank=x.rank, contact_id=x.contact.pk, name=x.contact.name, kind=x.contact.kind,
                       region_code=x.contact.region_id, families=x.families, on_track=x.on_track, visits=x.visits,
                       home_visits=x.home_visits, late=x.late, false_reports=x.false_reports, trainings=x.trainings,
                       recommended=x.recommended, remark=x.remark) for x in rows[:5000]])


@router.get("/report", summary="年度考评报告文件(format=xlsx 或 pdf)", response={200: None})
def evaluation_report(request, region: str | None = None, year: int | None = None, format: str = "xlsx"):
    from django.http import HttpResponse

    from guanhuai.audit.services import audit_sensitive_read

    from .evaluation import evaluation_pdf, evaluation_xlsx

    user = request.auth
    if not has_perm(user, "oversight.view"):
        raise Http404
    r = _region(user, region)
    year = year or timezone.localdate().year
    audit_sensitive_read(user, action="evaluation.exported", obj=r, region_code=r.code)
    if format == "pdf":
        response = HttpResponse(evaluation_pdf(user, r, year), content_type="application/pdf")
    else:
        response = HttpResponse(evaluation_xlsx(user, r, year),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ext = "pdf" if format == "pdf" else "xlsx"
    response["Content-Disposition"] = f'attachment; filename="evaluation-{r.code}-{year}.{ext}"'
    return response
