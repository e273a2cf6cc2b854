"""JSON API of the province's 1% sample survey: the same services and access functions as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.regions.selectors import region_get_for_user

from . import services_survey as services
from .models import SampleSurvey, SurveyFamily, SurveyQuestion
from .selectors_survey import (
    choice_counts,
    result_levels,
    survey_get_for_user,
    survey_item_get_for_user,
    survey_items,
    survey_list,
    survey_question_get_for_user,
    survey_results,
    survey_verify,
    user_part,
)

router = Router(tags=["督导考核"])


class StratumOut(Schema):
    county: str
    population: int
    size: int


class SurveyOut(Schema):
    id: int
    region_code: str
    region_name: str
    year: int
    title: str
    planned_on: dt.date
    register_as_of: dt.datetime
    seed: int
    share: Decimal
    population: int
    sample_size: int
    strata: list[StratumOut]
    drawn_family_ids: list[int]


class SurveyRow(Schema):
    id: int
    region_code: str
    year: int
    title: str
    planned_on: dt.date
    sample_size: int
    recorded: int


class QuestionOut(Schema):
    id: int
    position: int
    text: str
    kind: str
    choices: list[str]
    is_active: bool


class QuestionIn(Schema):
    text: str = ""
    kind: str = ""
    choices: list[str] = []
    is_active: bool = True


class AnswerOut(Schema):
    question_id: int
    value: bool | int | str


class ItemOut(Schema):
    id: int
    position: int
    family_id: int
    region_code: str
    village_name: str
    head_name: str
    reached: bool | None
    note: str
    answers: list[AnswerOut] | None = None


class SurveyDetailOut(SurveyOut):
    questions: list[QuestionOut]
    items: list[ItemOut]


class PlanIn(Schema):
    region_code: str | None = None
    title: str = "特殊家庭 1% 抽样电话调查"
    year: int | None = None
    planned_on: dt.date | None = None
    share: Decimal = Decimal("0.01")
    seed: int | None = None


class ResultIn(Schema):
    reached: bool
    answers: dict[int, bool | int | str | None] = {}
    note: str = ""


class VerifyOut(Schema):
    matches: bool
    seed: int
    register_as_of: dt.datetime
    recorded_population: int
    population: int
    drawn_family_ids: list[int]
    redrawn_family_ids: list[int]


class QuestionFigure(Schema):
    question_id: int
    yes_share: float | None = None
    mean: float | None = None
    answered: int


class ResultRow(Schema):
    region_code: str
    region_name: str
    sampled: int
    recorded: int
    reached: int
    reach_rate: float | None
    questions: list[QuestionFigure]


class ResultsOut(Schema):
    survey_id: int
    part: str
    levels: dict[str, list[ResultRow]]
    choices: dict[int, dict[str, int]]


def _survey_out(s: SampleSurvey) -> dict:
    return {"id": s.pk, "region_code": s.region_id, "region_name": s.region.name, "year": s.year, "title": s.title,
            "planned_on": s.planned_on, "register_as_of": s.register_as_of, "seed": s.seed, "share": s.share,
            "population": s.population, "sample_size": s.sample_size,
            "strata": [StratumOut(county=c + "000000", **v) for c, v in s.strata.items()],
            "drawn_family_ids": list(s.drawn_ids)}


def _question_out(q: SurveyQuestion) -> QuestionOut:
    return QuestionOut(id=q.pk, position=q.position, text=q.text, kind=q.kind, choices=list(q.choices),
                       is_active=q.is_active)


def _item_out(i: SurveyFamily, *, with_answers: bool = False) -> ItemOut:
    out = ItemOut(id=i.pk, position=i.position, family_id=i.family_id, region_code=i.region_id,
                  village_name=i.region.name, head_name=i.family.head_name, reached=i.reached, note=i.note)
    if with_answers:
        out.answers = [AnswerOut(question_id=a.question_id,
                                 value=a.yes if a.yes is not None else a.score if a.score is not None else a.text)
                       for a in i.answers.order_by("question__position")]
    return out


@router.get("", response=list[SurveyRow], summary="抽样调查列表")
def list_surveys(request, year: int | None = None):
    user = request.auth
    if not has_perm(user, "oversight.view"):
        raise Http404
    return [SurveyRow(id=s.pk, region_code=s.region_id, year=s.year, title=s.title, planned_on=s.planned_on,
                      sample_size=s.sample_size, recorded=s.n_recorded) for s in survey_list(user, year=year)[:200]]


@router.post("", response={201: SurveyOut}, summary="安排 1% 抽样调查:按县分层、按户数比例抽样(省级干部)")
def plan_survey(request, payload: PlanIn):
    user = request.auth
    if not has_perm(user, "survey.manage"):
        raise Http404
    try:
        region = region_get_for_user(user, payload.region_code or user.region_id)
    except Http404:
        raise ValidationError({"region_code": "区划代码不存在或不在您的管辖范围内"}) from None
    today = timezone.localdate()
    survey = services.survey_plan(acting_user=user, region=region, title=payload.title,
                                  year=payload.year or today.year, planned_on=payload.planned_on or today,
                                  share=payload.share, seed=payload.seed)
    return Status(201, SurveyOut(**_survey_out(survey)))


@router.get("/{int:survey_id}", response=SurveyDetailOut, summary="抽样调查详情:问卷和(本辖区的)抽中家庭")
def get_survey(request, survey_id: int):
    user = request.auth
    survey = survey_get_for_user(user, survey_id)
    audit_sensitive_read(user, action="survey.viewed", obj=survey)
    return SurveyDetailOut(**_survey_out(survey), questions=[_question_out(q) for q in survey.questions.all()],
                           items=[_item_out(i) for i in survey_items(user, survey)[:5000]])


@router.get("/{int:survey_id}/verify", response=VerifyOut, summary="按记录的种子、比例和名册时点重抽并核对样本")
def verify_survey(request, survey_id: int):
    survey = survey_get_for_user(request.auth, survey_id)
    result = survey_verify(survey)
    return VerifyOut(matches=result["matches"], seed=survey.seed, register_as_of=survey.register_as_of,
                     recorded_population=survey.population, population=result["population"],
                     drawn_family_ids=list(survey.drawn_ids), redrawn_family_ids=result["redrawn_ids"])


@router.post("/{int:survey_id}/questions", response={201: QuestionOut}, summary="新增调查问题(省级干部)")
def add_question(request, survey_id: int, payload: QuestionIn):
    user = request.auth
    survey = survey_get_for_user(user, survey_id, write=True)
    question = services.survey_question_add(acting_user=user, survey=survey, text=payload.text, kind=payload.kind,
                                            choices=payload.choices)
    return Status(201, _question_out(question))


@router.put("/{int:survey_id}/questions/{int:question_id}", response=QuestionOut, summary="修改或停用调查问题")
def update_question(request, survey_id: int, question_id: int, payload: QuestionIn):
    user = request.auth
    survey = survey_get_for_user(user, survey_id, write=True)
    question = survey_question_get_for_user(user, survey, question_id, write=True)
    return _question_out(services.survey_question_update(
        acting_user=user, question=question, text=payload.text, kind=payload.kind, choices=payload.choices,
        is_active=payload.is_active))


@router.get("/{int:survey_id}/families/{int:item_id}", response=ItemOut, summary="抽中家庭及已录入的回答")
def get_item(request, survey_id: int, item_id: int):
    user = request.auth
    survey = survey_get_for_user(user, survey_id)
    item = survey_item_get_for_user(user, survey, item_id)
    audit_sensitive_read(user, action="survey.family_viewed", obj=item, region_code=item.region_id)
    return _item_out(item, with_answers=True)


@router.post("/{int:survey_id}/families/{int:item_id}/result", response=ItemOut,
             summary="录入电话调查结果:是否联系上和各题回答(省级干部)")
def record_item(request, survey_id: int, item_id: int, payload: ResultIn):
    user = request.auth
    survey = survey_get_for_user(user, survey_id, write=True)
    item = survey_item_get_for_user(user, survey, item_id, write=True)
    services.survey_record_family(acting_user=user, item=item, reached=payload.reached, answers=payload.answers,
                                  note=payload.note)
    return _item_out(item, with_answers=True)


@router.get("/{int:survey_id}/results", response=ResultsOut, summary="调查结果汇总:分市、分县的联系率、是的比例和平均分")
def survey_results_api(request, survey_id: int):
    user = request.auth
    survey = survey_get_for_user(user, survey_id)
    part = user_part(user, survey)
    levels = {}
    for level in result_levels(user, survey):
        rows = survey_results(survey, part, level)
        levels["city" if level == 2 else "county"] = [
            ResultRow(region_code=r.code, region_name=r.name, sampled=r.sampled, recorded=r.recorded,
                      reached=r.reached, reach_rate=r.reach_rate,
                      questions=[QuestionFigure(question_id=qid, **fig) for qid, fig in r.questions.items()])
            for r in rows]
    return ResultsOut(survey_id=survey.pk, part=part, levels=levels, choices=choice_counts(survey, part))
