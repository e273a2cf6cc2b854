"""Writes of the region assessment: a new version of the year's weights, archiving the year's results."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_record
from guanhuai.regions.models import Region

from .assessment import INDICATORS, PENALTIES, compute_scores
from .models import AssessmentResult, AssessmentWeights

MAX_WEIGHT = 100


def _numbers(values: dict, allowed: dict, field: str) -> tuple[dict[str, float], list[str]]:
    errors, out = [], {}
    for key, value in (values or {}).items():
        if key not in allowed:
            errors.append(f"未知项目:{key}")
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors.append(f"{allowed[key]}:须为数字")
            continue
        if not number.is_finite() or number < 0 or number > MAX_WEIGHT:
            errors.append(f"{allowed[key]}:须在 0–{MAX_WEIGHT} 之间")
            continue
        out[key] = float(number)
    missing = [allowed[k] for k in allowed if k not in out and k not in (values or {})]
    if missing:
        errors.append(f"缺少:{'、'.join(missing)}")
    return out, errors


def assessment_weights_set(*, acting_user, year: int, weights: dict, penalties: dict, note: str = "") -> AssessmentWeights:
    """Save a new version of the year's weights and penalties (earlier versions stay as they were)."""
    if not has_perm(acting_user, "assessment.manage"):
        raise ValidationError("只有省级卫健干部或系统管理员可以编辑考核权重")
    errors: dict[str, list[str]] = {}
    if not (2000 <= int(year) <= 2100):
        errors["year"] = ["年度不正确"]
    w, w_errors = _numbers(weights, INDICATORS, "weights")
    p, p_errors = _numbers(penalties, PENALTIES, "penalties")
    if w_errors:
        errors["weights"] = w_errors
    elif not sum(w.values()):
        errors["weights"] = ["权重之和须大于 0"]
    if p_errors:
        errors["penalties"] = p_errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        version = (AssessmentWeights.objects.select_for_update().filter(year=year)
                   .aggregate(m=Max("version"))["m"] or 0) + 1
        row = AssessmentWeights(year=year, version=version, weights=w, penalties=p, note=note.strip()[:200],
                                created_by=acting_user)
        row.full_clean()
        row.save()
        audit_record(actor=acting_user, action="assessment.weights_saved", obj=row,
                     changes={"year": year, "version": version, "weights": w, "penalties": p})
    return row


def assessment_archive(*, acting_user, region: Region, year: int) -> int:
    """Archive the current year's scores of the region's children (re-archiving replaces them)."""
    if not has_perm(acting_user, "assessment.manage") or not has_perm(acting_user, "oversight.view") or (
            user_region := acting_user.region) is None or not region.code.startswith(user_region.prefix):
        raise ValidationError("只有省级卫健干部可以存档考核结果")
    if year != timezone.localdate().year:
        raise ValidationError({"year": ["只能存档本年度的考核结果(按当前数据计算)"]})
    scores, weights = compute_scores(acting_user, region, year)
    today = timezone.localdate()
    with transaction.atomic():
        AssessmentResult.objects.filter(year=year, region__in=[s.region for s in scores]).delete()
        AssessmentResult.objects.bulk_create([
            AssessmentResult(year=year, region=s.region, weights=weights.record, score=Decimal(str(s.score)),
                             breakdown=s.as_dict(), computed_on=today, archived_by=acting_user) for s in scores])
        audit_record(actor=acting_user, action="assessment.archived", obj=region, region_code=region.code,
                     changes={"year": year, "regions": len(scores), "weights_version": weights.version,
                              "scores": {s.region.code: s.score for s in scores}})
    return len(scores)
