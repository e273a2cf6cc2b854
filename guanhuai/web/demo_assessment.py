"""Surveys, trainings and assessment weights in the demo.

Written through the services (audited like real work) once the care layer exists; each part is skipped
when the database already has one. The province draws this year's 1% sample survey and has phoned about
two thirds of the families; the demo county held a training attended by most of its contacts and the demo
township one of its own, so the other counties' contacts show up as untrained; the province saved this
year's weights as version 1 (coverage and home visits weighted up).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from guanhuai.community.models import Training
from guanhuai.community.selectors import attendable_contacts
from guanhuai.community.services import training_attendance_set, training_create
from guanhuai.oversight.assessment import DEFAULT_PENALTIES, DEFAULT_WEIGHTS
from guanhuai.oversight.models import AssessmentWeights, QuestionKind, SampleSurvey
from guanhuai.oversight.services_assessment import assessment_weights_set
from guanhuai.oversight.services_survey import survey_plan, survey_record_family

NOTES = ["", "", "", "老人耳背,由女儿代答", "希望多上门", "反映药费负担重"]


def _answer(rng: random.Random, question) -> object:
    if question.kind == QuestionKind.YES_NO:
        return rng.random() > 0.18
    if question.kind == QuestionKind.SCALE:
        return rng.choice([3, 4, 4, 5, 5, 5])
    if question.kind == QuestionKind.CHOICE:
        return rng.choice(question.choices)
    return rng.choice(["", "", "希望联系人多来看看", "政策宣传到位"])


def assessment_seed(*, users: dict, today: dt.date, seed: int) -> list[str]:
    """``users`` maps demo usernames to users. Returns what was added, for the progress line."""
    rng = random.Random(seed + 4)
    added = []
    province = users.get("demo_province")
    if province is not None and not SampleSurvey.objects.filter(region_id=province.region_id).exists():
        survey = survey_plan(acting_user=province, region=province.region, title="特殊家庭 1% 抽样电话调查",
                             year=today.year, planned_on=today - dt.timedelta(days=25), share=Decimal("0.01"),
                             seed=seed)
        questions = list(survey.questions.all())
        items = list(survey.items.select_related("survey"))
        for item in items[: len(items) * 2 // 3]:
            reached = rng.random() > 0.12
            answers = {q.pk: _answer(rng, q) for q in questions} if reached else {}
            survey_record_family(acting_user=province, item=item, reached=reached, answers=answers,
                                 note=rng.choice(NOTES))
        added.append(f"抽样调查 {survey.sample_size} 户")
    county, township = users.get("demo_county"), users.get("demo_township")
    if county is not None and not Training.objects.filter(region__code__startswith=county.region.prefix).exists():
        training = training_create(acting_user=county, region=county.region, held_on=today - dt.timedelta(days=60),
                                   title="双岗联系人业务培训", kind="classroom", place="县卫健局三楼会议室")
        ids = [c.pk for c in attendable_contacts(county, training) if rng.random() > 0.3]
        training_attendance_set(acting_user=county, training=training, contact_ids=ids)
        count = len(ids)
        if township is not None:
            own = training_create(acting_user=township, region=township.region, held_on=today - dt.timedelta(days=20),
                                  title="特扶政策解读", kind="meeting", place="镇政府会议室")
            training_attendance_set(acting_user=township, training=own,
                                    contact_ids=[c.pk for c in attendable_contacts(township, own)])
        added.append(f"培训 2 次,县级参训 {count} 人")
    if province is not None and not AssessmentWeights.objects.filter(year=today.year).exists():
        assessment_weights_set(acting_user=province, year=today.year,
                               weights={**DEFAULT_WEIGHTS, "coverage": 20, "home_visits": 20, "spotcheck_satisfaction": 0},
                               penalties=dict(DEFAULT_PENALTIES), note="示范:加重双岗覆盖和上门走访")
        added.append("考核权重第 1 版")
    return added
