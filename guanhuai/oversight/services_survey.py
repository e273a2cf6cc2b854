"""Writes of the province's 1% sample survey: plan (draw), edit the questionnaire, record a family's answers."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.regions.codes import CITY, COUNTY, PROVINCE
from guanhuai.regions.models import Region

from .models import QuestionKind, SampleSurvey, SurveyAnswer, SurveyFamily, SurveyQuestion
from .selectors_survey import draw_stratified

MAX_SEED = 2**62
DEFAULT_SHARE = Decimal("0.01")
# The questionnaire a new survey starts from when the province has none yet (then: the last survey's).
DEFAULT_QUESTIONS = [
    ("您是否知道您家的两位联系人(乡镇、村居)是谁?", QuestionKind.YES_NO, []),
    ("过去三个月联系人是否上门看望过您家?", QuestionKind.YES_NO, []),
    ("您对联系人的关怀服务是否满意?(1 很不满意 – 5 很满意)", QuestionKind.SCALE, []),
    ("您家目前最需要的帮助是什么?", QuestionKind.CHOICE, ["养老保障", "医疗救助", "生活照料", "精神慰藉", "经济帮扶", "暂无"]),
    ("您还有什么意见或建议?", QuestionKind.TEXT, []),
]


def _require_manager(user, region: Region) -> None:
    if not has_perm(user, "survey.manage") or user.region_id is None or not region.code.startswith(
            user.region.prefix):
        raise ValidationError("只有省级卫健干部可以安排抽样调查和录入结果")


def survey_plan(*, acting_user, region: Region, title: str, year: int, planned_on: dt.date,
                share: Decimal = DEFAULT_SHARE, seed: int | None = None) -> SampleSurvey:
    """Draw the stratified sample (one stratum per county) and record seed, register time and list.

    The questionnaire is copied from the region's latest survey (or the default questions).
    """
    _require_manager(acting_user, region)
    if region.level not in (PROVINCE, CITY, COUNTY):
        raise ValidationError({"region": ["抽样调查须以省、市或县为范围"]})
    if not (Decimal(0) < share <= Decimal(1)):
        raise ValidationError({"share": ["抽样比例须大于 0 且不超过 1(例如 0.01 表示 1%)"]})
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif not (0 <= seed < MAX_SEED):
        raise ValidationError({"seed": ["随机种子须为非负整数"]})
    if not (2000 <= year <= 2100):
        raise ValidationError({"year": ["年度不正确"]})
    with transaction.atomic():
        as_of = timezone.now()
        draw = draw_stratified(region, share, seed, as_of)
        if not draw.drawn:
            raise ValidationError("该范围的名册中没有家庭,无法抽样")
        survey = SampleSurvey(region=region, year=year, title=title.strip() or "特殊家庭 1% 抽样电话调查",
                              planned_on=planned_on, register_as_of=as_of, seed=seed, share=share,
                              population=draw.population, sample_size=len(draw.drawn), strata=draw.strata,
                              drawn_ids=draw.drawn, created_by=acting_user)
        survey.full_clean()
        survey.save()
        from guanhuai.families.models import Family

        regions = dict(Family.objects.filter(pk__in=draw.drawn).values_list("pk", "region_id"))
        SurveyFamily.objects.bulk_create([
            SurveyFamily(survey=survey, family_id=fid, region_id=regions[fid], position=i + 1)
            for i, fid in enumerate(draw.drawn)], batch_size=2000)
        previous = (SampleSurvey.objects.filter(region=region).exclude(pk=survey.pk)
                    .order_by("-year", "-planned_on", "-id").first())
        template = ([(q.text, q.kind, q.choices) for q in previous.questions.filter(is_active=True)]
                    if previous else DEFAULT_QUESTIONS)
        SurveyQuestion.objects.bulk_create([
            SurveyQuestion(survey=survey, position=i + 1, text=text, kind=kind, choices=list(choices))
            for i, (text, kind, choices) in enumerate(template)])
        audit_record(actor=acting_user, action="survey.planned", obj=survey,
                     changes={"seed": seed, "share": str(share), "population": draw.population,
                              "size": len(draw.drawn), "strata": draw.strata})
    return survey


def _clean_question(text: str, kind: str, choices: list[str] | None) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = ["请填写问题"]
    if kind not in QuestionKind.values:
        errors["kind"] = ["题型不正确"]
    options = [c.strip() for c in (choices or []) if c and c.strip()]
    if kind == QuestionKind.CHOICE and len(options) < 2:
        errors["choices"] = ["单选题至少需要两个选项"]
    if len(set(options)) != len(options):
        errors["choices"] = ["选项不能重复"]
    if errors:
        raise ValidationError(errors)
    return text, options if kind == QuestionKind.CHOICE else []


def survey_question_add(*, acting_user, survey: SampleSurvey, text: str, kind: str,
                        choices: list[str] | None = None) -> SurveyQuestion:
    _require_manager(acting_user, survey.region)
    text, options = _clean_question(text, kind, choices)
    with transaction.atomic():
        position = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        question = SurveyQuestion(survey=survey, position=position, text=text, kind=kind, choices=options)
        question.full_clean()
        question.save()
        audit_record(actor=acting_user, action="survey.question_added", obj=question, region_code=survey.region_id,
                     changes={"survey": survey.pk, "text": text, "kind": kind, "choices": options})
    return question


def survey_question_update(*, acting_user, question: SurveyQuestion, text: str, kind: str,
                           choices: list[str] | None = None, is_active: bool = True) -> SurveyQuestion:
    """Edit a question. Once answered its kind and options are fixed (old answers must keep their meaning);
    it can still be reworded slightly or switched off."""
    survey = question.survey
    _require_manager(acting_user, survey.region)
    text, options = _clean_question(text, kind, choices)
    if question.answers.exists() and (kind != question.kind or options != list(question.choices)):
        raise ValidationError({"kind": ["该问题已有回答,不能再改题型或选项;可停用后新增问题"]})
    old = {"text": question.text, "kind": question.kind, "choices": question.choices, "is_active": question.is_active}
    with transaction.atomic():
        question.text, question.kind, question.choices, question.is_active = text, kind, options, is_active
        question.full_clean()
        question.save(update_fields=["text", "kind", "choices", "is_active"])
        audit_record(actor=acting_user, action="survey.question_updated", obj=question,
                     region_code=survey.region_id,
                     changes={"old": old, "new": {"text": text, "kind": kind, "choices": options,
                                                  "is_active": is_active}})
    return question


def _answer_for(question: SurveyQuestion, value) -> SurveyAnswer | None:
    """Turn one raw value into an answer row; ``None``/"" means not answered."""
    if value is None or value == "":
        return None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        if isinstance(value, str):
            value = {"1": True, "0": False, "true": True, "false": False, "是": True, "否": False}.get(value.lower())
        if not isinstance(value, bool):
            raise ValueError("请选择是或否")
        return SurveyAnswer(question=question, yes=value)
    if kind == QuestionKind.SCALE:
        try:
            score = int(value)
        except (TypeError, ValueError):
            raise ValueError("评分须为 1–5 的整数") from None
        if isinstance(value, bool) or not 1 <= score <= 5 or str(value).strip() not in {str(score)}:
            raise ValueError("评分须为 1–5 的整数")
        return SurveyAnswer(question=question, score=score)
    text = str(value).strip()
    if kind == QuestionKind.CHOICE and text not in question.choices:
        raise ValueError(f"请从选项中选择:{'、'.join(question.choices)}")
    if len(text) > 500:
        raise ValueError("回答不能超过 500 字")
    return SurveyAnswer(question=question, text=text)


def survey_record_family(*, acting_user, item: SurveyFamily, reached: bool, answers: dict[int, object] | None = None,
                         note: str = "") -> SurveyFamily:
    """Record a phone call: reached or not and, when reached, the answers (question id → value)."""
    survey = item.survey
    _require_manager(acting_user, survey.region)
    answers = {int(k): v for k, v in (answers or {}).items()}
    questions = {q.pk: q for q in survey.questions.all()}
    errors: dict[str, list[str]] = {}
    rows: list[SurveyAnswer] = []
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        errors["answers"] = [f"问题 {', '.join(map(str, unknown))} 不属于该调查"]
    if not reached and any(v not in (None, "") for v in answers.values()):
        errors["reached"] = ["未联系上的家庭不能填写回答"]
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None:
            continue
        try:
            row = _answer_for(question, value)
        except ValueError as exc:
            errors[f"q{qid}"] = [f"{question.position}. {exc}"]
            continue
        if row is not None:
            if not question.is_active:
                errors[f"q{qid}"] = [f"{question.position}. 该问题已停用"]
            rows.append(row)
    if len(note) > 200:
        errors["note"] = ["备注不能超过 200 字"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item.reached = reached
        item.note = note.strip()
        item.recorded_at = timezone.now()
        item.recorded_by = acting_user
        item.save(update_fields=["reached", "note", "recorded_at", "recorded_by"])
        item.answers.all().delete()
        for row in rows:
            row.item = item
            row.full_clean(exclude=["item", "question"])
        SurveyAnswer.objects.bulk_create(rows)
        audit_record(actor=acting_user, action="survey.family_recorded", obj=item, region_code=item.region_id,
                     changes={"survey": survey.pk, "reached": reached,
                              "answers": {str(r.question_id): r.display for r in rows}})
    return item
