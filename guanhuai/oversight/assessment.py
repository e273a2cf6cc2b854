"""The yearly region assessment (目标责任考核): indicators, weights, penalties, score and ranking.

Score of a region for year Y (all figures for the region's subtree):

    base    = 100 × Σ weight·indicator ÷ Σ weight   (over indicators that have data; each indicator is 0–1)
    penalty = 虚报 cases × points + 瞒报 cases × points + 迟报率 (in percentage points) × points, capped
    score   = max(0, base − penalty)

Indicators: dual-contact coverage, contact on-track rate (mean of the weekly/monthly contact and monthly
face-to-face rates the profile has), home-visit on-track rate, last festival covered, emergencies answered
in time, timely entry (1 − 迟报率) — all from the compliance engine's rates — plus, from the year's spot
checks, the share of reached families knowing both contacts and satisfaction ((mean − 1) ÷ 4), and from
the year's sample surveys the favourable share of answers (yes = 1, no = 0, a score s = (s − 1) ÷ 4).

Penalties:
* 虚报 (false report): a recorded visit that the family denied in a spot check of the year;
* 瞒报 (hidden report): a major event of the year that reached the system only after its home-visit
  deadline had passed — the upper level learned of it too late to act. (Families found living in the
  region but never registered would also count; the system has no source for them yet.)
* 迟报 (late report): the late-entry rate of the year's visits, per percentage point.

The current year reads today's rates from the per-village summaries (``rates_by_child_region``: one GROUP
BY over villages) and the other sources with one grouped query each, so a province ranking never loops over
families in Python. A past year reads the results archived for it (``assessment_archive``), taken with the
figures of that year while it was current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from guanhuai.compliance.selectors import rates_by_child_region
from guanhuai.regions.codes import PREFIX_LENGTH, VILLAGE
from guanhuai.regions.models import Region
from guanhuai.visits.models import MajorEvent

from .models import (
    AssessmentResult,
    AssessmentWeights,
    QuestionKind,
    SpotCheckFamily,
    SpotCheckVisit,
    SurveyAnswer,
)

INDICATORS = {
    "coverage": "双岗联系人覆盖率",
    "contact": "联系按期率",
    "home_visits": "上门走访达标率",
    "festivals": "节日慰问覆盖率",
    "emergency": "重大事件及时上门率",
    "timely_entry": "按时录入率(1−迟报率)",
    "spotcheck_knows": "抽查:知道两位联系人",
    "spotcheck_satisfaction": "抽查:满意度",
    "survey": "抽样调查:好评率",
}
DEFAULT_WEIGHTS = {"coverage": 15, "contact": 15, "home_visits": 15, "festivals": 10, "emergency": 10,
                   "timely_entry": 10, "spotcheck_knows": 10, "spotcheck_satisfaction": 5, "survey": 10}
PENALTIES = {
    "false_report": "虚报:每次被家庭否认的走访扣分",
    "hidden_report": "瞒报:每件超过上门期限才录入的重大事件扣分",
    "late_report": "迟报:迟报率每个百分点扣分",
    "cap": "扣分上限",
}
DEFAULT_PENALTIES = {"false_report": 2, "hidden_report": 2, "late_report": 1, "cap": 30}
CONTACT_RATES = ("weekly_contact", "monthly_contact", "monthly_face_to_face")
HOME_RATES = ("home_visits_on_track", "monthly_home_visit")


@dataclass
class WeightSet:
    year: int
    version: int | None  # None: the built-in defaults
    weights: dict[str, float]
    penalties: dict[str, float]
    record: AssessmentWeights | None = None


def weights_for_year(year: int) -> WeightSet:
    row = AssessmentWeights.objects.filter(year__lte=year).order_by("-year", "-version").first()
    if row is None:
        return WeightSet(year, None, dict(DEFAULT_WEIGHTS), dict(DEFAULT_PENALTIES))
    return WeightSet(row.year, row.version, {**DEFAULT_WEIGHTS, **row.weights},
                     {**DEFAULT_PENALTIES, **row.penalties}, row)


def weight_versions() -> list[AssessmentWeights]:
    return list(AssessmentWeights.objects.select_related("created_by").order_by("-year", "-version")[:100])


@dataclass
class Score:
    region: Region
    families: int
    indicators: dict[str, float | None]
    counts: dict[str, int]  # false_report, hidden_report, spot-check and survey sample sizes
    penalties: dict[str, float] = field(default_factory=dict)
    base: float = 0.0
    penalty: float = 0.0
    score: float = 0.0
    rank: int = 0

    def as_dict(self) -> dict:
        return {"region_code": self.region.code, "region_name": self.region.name, "families": self.families,
                "indicators": self.indicators, "counts": self.counts, "penalties": self.penalties,
                "base": self.base, "penalty": self.penalty, "score": self.score, "rank": self.rank}


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return None if not values else sum(values) / len(values)


def _round(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def score_of(indicators: dict[str, float | None], late_rate: float | None, counts: dict[str, int],
             weights: WeightSet) -> tuple[float, dict[str, float], float, float]:
    """(base, penalties, penalty, score) from the indicators and counts — the one scoring rule."""
    total_weight = sum(float(weights.weights.get(k, 0)) for k, v in indicators.items() if v is not None)
    weighted = sum(float(weights.weights.get(k, 0)) * v for k, v in indicators.items() if v is not None)
    base = 100 * weighted / total_weight if total_weight else 0.0
    p = weights.penalties
    penalties = {"false_report": counts.get("false_report", 0) * float(p["false_report"]),
                 "hidden_report": counts.get("hidden_report", 0) * float(p["hidden_report"]),
                 "late_report": (late_rate or 0) * 100 * float(p["late_report"])}
    penalty = min(sum(penalties.values()), float(p["cap"]))
    return _round(base), {k: _round(v) for k, v in penalties.items()}, _round(penalty), _round(max(0.0, base - penalty))


def _grouped(qs, k: int, path: str = "region_id"):
    return qs.annotate(part=Substr(path, 1, k)).values("part")


def _year_sources(region: Region, year: int, k: int) -> dict[str, dict]:
    """Spot-check, survey and penalty figures of the year per child prefix: one grouped query each."""
    prefix = region.prefix
    out: dict[str, dict] = {}

    def slot(part):
        return out.setdefault(part, {})

    checked = SpotCheckFamily.objects.filter(region__code__startswith=prefix, spot_check__planned_on__year=year,
                                             reached=True)
    for r in _grouped(checked, k).annotate(n=Count("id"), knows=Count("id", filter=Q(knows_first=True,
                                                                                      knows_second=True)),
                                           satisfaction=Avg("satisfaction")):
        slot(r["part"]).update(checked=r["n"], knows=r["knows"], satisfaction=r["satisfaction"])
    denied = SpotCheckVisit.objects.filter(item__region__code__startswith=prefix, confirmed=False,
                                           item__spot_check__planned_on__year=year)
    for r in _grouped(denied, k, "item__region_id").annotate(n=Count("id")):
        slot(r["part"])["false_report"] = r["n"]
    answers = SurveyAnswer.objects.filter(item__region__code__startswith=prefix, item__survey__year=year)
    for r in _grouped(answers, k, "item__region_id").annotate(
            yes_no=Count("id", filter=Q(question__kind=QuestionKind.YES_NO, yes__isnull=False)),
            yes=Count("id", filter=Q(question__kind=QuestionKind.YES_NO, yes=True)),
            scored=Count("id", filter=Q(question__kind=QuestionKind.SCALE, score__isnull=False)),
            score_sum=Sum("score", filter=Q(question__kind=QuestionKind.SCALE))):
        slot(r["part"]).update(yes_no=r["yes_no"], yes=r["yes"], scored=r["scored"], score_sum=r["score_sum"] or 0)
    hidden = MajorEvent.objects.filter(region__code__startswith=prefix, event_date__year=year,
                                       reported_at__date__gt=F("response_due"))
    for r in _grouped(hidden, k).annotate(n=Count("id")):
        slot(r["part"])["hidden_report"] = r["n"]
    return out


def _indicators(rates: dict, src: dict) -> dict[str, float | None]:
    checked = src.get("checked", 0)
    answered = src.get("yes_no", 0) + src.get("scored", 0)
    favourable = src.get("yes", 0) + (src.get("score_sum", 0) - src.get("scored", 0)) / 4
    late = rates.get("late_entry")
    return {
        "coverage": rates.get("coverage"),
        "contact": _mean(rates.get(k) for k in CONTACT_RATES),
        "home_visits": _mean(rates.get(k) for k in HOME_RATES),
        "festivals": rates.get("last_festival"),
        "emergency": rates.get("emergency_in_time"),
        "timely_entry": None if late is None else round(1 - late, 4),
        "spotcheck_knows": round(src["knows"] / checked, 4) if checked else None,
        "spotcheck_satisfaction": round((float(src["satisfaction"]) - 1) / 4, 4) if checked else None,
        "survey": round(favourable / answered, 4) if answered else None,
    }


def _rank(scores: list[Score]) -> list[Score]:
    scores.sort(key=lambda s: (-s.score, s.region.code))
    for i, s in enumerate(scores):
        s.rank = scores[i - 1].rank if i and s.score == scores[i - 1].score else i + 1
    return scores


def compute_scores(user, region: Region, year: int) -> tuple[list[Score], WeightSet]:
    """Live scores of the region's children for the current year, ranked (siblings among each other)."""
    weights = weights_for_year(year)
    today = timezone.localdate()
    children, _ = rates_by_child_region(user, region, today)
    k = PREFIX_LENGTH[min(region.level + 1, VILLAGE)]
    sources = _year_sources(region, year, k)
    scores = []
    for child in children:
        src = sources.get(child.region.prefix, {})
        indicators = _indicators(child.rates, src)
        counts = {"false_report": src.get("false_report", 0), "hidden_report": src.get("hidden_report", 0),
                  "spotcheck_families": src.get("checked", 0),
                  "survey_answers": src.get("yes_no", 0) + src.get("scored", 0)}
        s = Score(child.region, child.families, indicators, counts)
        s.base, s.penalties, s.penalty, s.score = score_of(indicators, child.rates.get("late_entry"), counts, weights)
        scores.append(s)
    return _rank(scores), weights


def archived_scores(region: Region, year: int) -> list[Score]:
    """Archived results of the region's children for a year, ranked."""
    rows = (AssessmentResult.objects.filter(year=year, region__parent=region).select_related("region"))
    scores = []
    for r in rows:
        b = r.breakdown
        s = Score(r.region, b.get("families", 0), b.get("indicators", {}), b.get("counts", {}),
                  b.get("penalties", {}), b.get("base", 0.0), b.get("penalty", 0.0), float(r.score))
        scores.append(s)
    return _rank(scores)


def scores_for(user, region: Region, year: int) -> tuple[list[Score], WeightSet | None, str]:
    """The ranking shown for a year: live for the current year, archived for others.

    Returns (scores, weights, source) with source "live" or "archive".
    """
    if year == timezone.localdate().year:
        scores, weights = compute_scores(user, region, year)
        return scores, weights, "live"
    scores = archived_scores(region, year)
    return scores, weights_for_year(year) if scores else None, "archive"

