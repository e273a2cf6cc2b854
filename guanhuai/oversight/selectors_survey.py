"""Reads of the province's 1% sample survey (抽样调查): the stratified draw, access and aggregates.

The draw is stratified by county: each county's share of the sample is
proportional to its families in the register (largest remainders, at least
one family per county that has any), and each county is drawn with its own
generator derived from the survey's seed, so adding a county never changes
another county's families.

City and county officers read the survey's families and figures of their own
part only; auditors read their part; province officers plan and record.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from guanhuai.accounts.roles import has_perm
from guanhuai.families.models import Family, Member, Status
from guanhuai.regions.codes import CITY, COUNTY, PREFIX_LENGTH
from guanhuai.regions.models import Region

from .models import QuestionKind, SampleSurvey, SurveyAnswer, SurveyFamily, SurveyQuestion

STRATUM_LENGTH = PREFIX_LENGTH[COUNTY]


def register_by_county(region: Region, as_of: dt.datetime) -> dict[str, list[int]]:
    """Family ids (ascending) in the region's register at ``as_of``, by county code (6 digits)."""
    qs = (Family.objects.filter(region__code__startswith=region.prefix, created_at__lte=as_of)
          .filter(Q(status=Status.ACTIVE) | Q(exit_date__gte=as_of.date())))
    out: dict[str, list[int]] = defaultdict(list)
    for pk, code in qs.order_by("pk").values_list("pk", "region_id"):
        out[code[:STRATUM_LENGTH]].append(pk)
    return dict(sorted(out.items()))


def allocate(populations: dict[str, int], share: Decimal) -> dict[str, int]:
    """Sample size per stratum: ``ceil(total × share)`` split in proportion (largest remainders),
    at least one per non-empty stratum and never more than the stratum holds."""
    total = sum(populations.values())
    wanted = math.ceil(total * share) if total else 0
    quotas = {code: n * share for code, n in populations.items() if n}
    sizes = {code: max(1, math.floor(q)) for code, q in quotas.items()}
    left = wanted - sum(sizes.values())
    order = sorted(quotas, key=lambda c: (-(quotas[c] - math.floor(quotas[c])), c))
    while left > 0 and order:
        progressed = False
        for code in order:
            if left == 0:
                break
            if sizes[code] < populations[code]:
                sizes[code] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return {code: min(size, populations[code]) for code, size in sorted(sizes.items())}


def stratum_rng(seed: int, county: str) -> random.Random:
    return random.Random(f"{seed}:{county}")


@dataclass
class Draw:
    population: int
    strata: dict[str, dict[str, int]]  # county code → {"population", "size"}
    drawn: list[int] = field(default_factory=list)


def draw_stratified(region: Region, share: Decimal, seed: int, as_of: dt.datetime) -> Draw:
    """The families drawn from the region's register at ``as_of``: same inputs, same list."""
    by_county = register_by_county(region, as_of)
    sizes = allocate({c: len(ids) for c, ids in by_county.items()}, share)
    drawn: list[int] = []
    for county, ids in by_county.items():
        drawn += stratum_rng(seed, county).sample(ids, sizes.get(county, 0))
    strata = {c: {"population": len(ids), "size": sizes.get(c, 0)} for c, ids in by_county.items()}
    return Draw(sum(len(ids) for ids in by_county.values()), strata, drawn)


def drawn_families_masked(ids: list[int]) -> list[dict]:
    """The drawn families for printing: id, county, village, head's name and masked ID number only."""
    families = {f.pk: f for f in Family.objects.filter(pk__in=ids).select_related("region")}
    heads: dict[int, Member] = {}
    for m in Member.objects.filter(family_id__in=ids).order_by("family_id", "id"):
        current = heads.get(m.family_id)
        head_name = families[m.family_id].head_name
        if current is None or (m.name == head_name and current.name != head_name):
            heads[m.family_id] = m
    out = []
    for pk in ids:
        f = families[pk]
        head = heads.get(pk)
        out.append({"family_id": pk, "county": f.region_id[:STRATUM_LENGTH] + "000000", "village": f.region_id,
                    "village_name": f.region.name, "head_name": f.head_name,
                    "id_number_masked": head.id_number_masked if head else ""})
    return out


def survey_verify(survey: SampleSurvey) -> dict:
    """Re-run the draw from the recorded seed, share and register time; say whether it matches."""
    draw = draw_stratified(survey.region, survey.share, survey.seed, survey.register_as_of)
    return {"matches": draw.drawn == list(survey.drawn_ids) and draw.strata == survey.strata,
            "population": draw.population, "recorded_population": survey.population, "redrawn_ids": draw.drawn}


# ---------------------------------------------------------------- access

def _visible(user) -> bool:
    return has_perm(user, "oversight.view") and user.region_id is not None


def surveys_for_user(user) -> QuerySet[SampleSurvey]:
    """Surveys covering the user's region (a province survey is read by its cities and counties, each
    their own part) or lying inside it."""
    if not _visible(user):
        return SampleSurvey.objects.none()
    prefix = user.region.prefix
    covering = [prefix[:k] + "0" * (12 - k) for k in sorted(set(PREFIX_LENGTH.values())) if k <= len(prefix)]
    return (SampleSurvey.objects.filter(Q(region__code__startswith=prefix) | Q(region_id__in=covering))
            .select_related("region"))


def survey_get_for_user(user, pk, *, write: bool = False) -> SampleSurvey:
    """The survey if the user may read it (for writes: a province officer over its region), else 404."""
    if write and not has_perm(user, "survey.manage"):
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    survey = surveys_for_user(user).filter(pk=pk).first()
    if survey is None or (write and not survey.region_id.startswith(user.region.prefix)):
        raise Http404
    return survey


def user_part(user, survey: SampleSurvey) -> str:
    """The region prefix of the survey the user reads: the whole survey, or the user's own part of it."""
    return max(survey.region.prefix, user.region.prefix, key=len)


def survey_items(user, survey: SampleSurvey) -> QuerySet[SurveyFamily]:
    return (survey.items.filter(region__code__startswith=user_part(user, survey))
            .select_related("family", "region", "region__parent").order_by("position"))


def survey_item_get_for_user(user, survey: SampleSurvey, pk, *, write: bool = False) -> SurveyFamily:
    survey_get_for_user(user, survey.pk, write=write)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    item = survey_items(user, survey).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def survey_question_get_for_user(user, survey: SampleSurvey, pk, *, write: bool = False) -> SurveyQuestion:
    survey_get_for_user(user, survey.pk, write=write)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    question = survey.questions.filter(pk=pk).first()
    if question is None:
        raise Http404
    return question


def survey_list(user, *, year: int | None = None) -> QuerySet[SampleSurvey]:
    qs = surveys_for_user(user)
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(n_recorded=Count("items", filter=Q(items__reached__isnull=False), distinct=True))


# ---------------------------------------------------------------- aggregates

@dataclass
class SurveyRow:
    code: str
    name: str
    sampled: int = 0
    recorded: int = 0
    reached: int = 0
    questions: dict[int, dict] = field(default_factory=dict)  # question id → {"yes_share"|"mean", "answered"}

    @property
    def reach_rate(self) -> float | None:
        return None if not self.recorded else round(self.reached / self.recorded, 4)


def survey_results(survey: SampleSurvey, prefix: str, level: int) -> list[SurveyRow]:
    """Figures per region of ``level`` (county or city) inside ``prefix``: two grouped queries."""
    k = PREFIX_LENGTH[level]
    items = (survey.items.filter(region__code__startswith=prefix).annotate(part=Substr("region_id", 1, k))
             .values("part").annotate(n=Count("id"), recorded=Count("id", filter=Q(reached__isnull=False)),
                                      reached=Count("id", filter=Q(reached=True))))
    rows: dict[str, SurveyRow] = {}
    for r in items:
        rows[r["part"]] = SurveyRow(r["part"], "", r["n"], r["recorded"], r["reached"])
    answers = (SurveyAnswer.objects.filter(item__survey=survey, item__region__code__startswith=prefix)
               .annotate(part=Substr("item__region_id", 1, k)).values("part", "question_id")
               .annotate(answered=Count("id", filter=Q(yes__isnull=False) | Q(score__isnull=False)),
                         yes=Count("id", filter=Q(yes=True)), mean=Avg("score")))
    kinds = dict(survey.questions.values_list("pk", "kind"))
    for r in answers:
        row = rows.get(r["part"])
        if row is None or not r["answered"]:
            continue
        kind = kinds.get(r["question_id"])
        if kind == QuestionKind.YES_NO:
            row.questions[r["question_id"]] = {"yes_share": round(r["yes"] / r["answered"], 4),
                                               "answered": r["answered"]}
        elif kind == QuestionKind.SCALE:
            row.questions[r["question_id"]] = {"mean": round(float(r["mean"]), 2), "answered": r["answered"]}
    names = dict(Region.objects.filter(code__in=[c + "0" * (12 - k) for c in rows]).values_list("code", "name"))
    out = []
    for code in sorted(rows):
        row = rows[code]
        row.code = code + "0" * (12 - k)
        row.name = names.get(row.code, row.code)
        out.append(row)
    return out


def choice_counts(survey: SampleSurvey, prefix: str) -> dict[int, dict[str, int]]:
    """For choice questions: how often each option was chosen inside ``prefix``."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for r in (SurveyAnswer.objects.filter(item__survey=survey, item__region__code__startswith=prefix,
                                          question__kind=QuestionKind.CHOICE).exclude(text="")
              .values("question_id", "text").annotate(n=Count("id"))):
        out[r["question_id"]][r["text"]] = r["n"]
    return dict(out)


def result_levels(user, survey: SampleSurvey) -> list[int]:
    """The aggregate tables a reader sees: cities and counties for the province, counties for a city."""
    part_level = max(survey.region.level, user.region.level)
    return [lvl for lvl in (CITY, COUNTY) if lvl > part_level or (lvl == COUNTY and part_level == COUNTY)]
