"""Policy profiles (rules as data) and the per-family obligation state.

A profile has versions; each version has an effective date and a list of
obligations (JSON, validated by ``rules.parse_obligations``). A region uses
the profile of its nearest ancestor that has one. ``ObligationState`` is the
small, indexed, incrementally maintained row per family and obligation that
worklists and dashboards read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from guanhuai.families.models import Family
from guanhuai.regions.models import Region


class PolicyProfile(models.Model):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    source = models.CharField("政策依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "政策配置"
        verbose_name_plural = "政策配置"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProfileVersion(models.Model):
    profile = models.ForeignKey(PolicyProfile, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField("生效日期")
    obligations = models.JSONField("义务清单")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "政策版本"
        verbose_name_plural = "政策版本"
        ordering = ["profile_id", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["profile", "effective_from"], name="one_version_per_day")]

    def __str__(self) -> str:
        return f"{self.profile} 自 {self.effective_from}"


class RegionProfile(models.Model):
    """Binds a region (and by inheritance its subtree) to a profile."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="+", db_column="region_code")
    profile = models.ForeignKey(PolicyProfile, on_delete=models.PROTECT, related_name="regions")

    class Meta:
        verbose_name = "区划适用政策"
        verbose_name_plural = "区划适用政策"

    def __str__(self) -> str:
        return f"{self.region} → {self.profile}"


class ObligationState(models.Model):
    """A family's standing on one periodic obligation, valid until ``valid_until``.

    ``base_status`` is met / overdue / open / not_judged / exited; an open
    obligation becomes "due soon" from ``due_soon_from`` (a date), so the
    status on any day up to ``valid_until`` is a plain indexed comparison.
    """

    # Covered by one_state_per_obligation and obligation_region_status: no single-column indexes
    # (every visit recorded rewrites a family's rows).
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="obligations", db_index=False)
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    key = models.CharField("义务", max_length=40)
    kind = models.CharField("类型", max_length=20)
    period = models.CharField("周期", max_length=10)
    base_status = models.CharField(max_length=12)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    period_label = models.CharField(max_length=30, blank=True)
    required = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveSmallIntegerField(default=0)
    prev_met = models.BooleanField(null=True)
    due_soon_from = models.DateField(null=True)
    valid_until = models.DateField()
    computed_on = models.DateField()
    last_visit = models.DateField(null=True)

    class Meta:
        verbose_name = "义务状态"
        verbose_name_plural = "义务状态"
        constraints = [models.UniqueConstraint(fields=["family", "key"], name="one_state_per_obligation")]
        indexes = [
            models.Index(fields=["region", "key", "base_status"], name="obligation_region_status",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops"]),
            models.Index(fields=["valid_until"], name="obligation_valid_until"),
            models.Index(fields=["base_status", "period_end"], name="obligation_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.family_id}:{self.key}={self.base_status}"


class VillageSummary(models.Model):
    """Per-village counters behind the region dashboards, kept current with the state rows.

    Rolling a province up is then a GROUP BY over ~villages rows instead of all
    families, visits and assignments.
    """

    region = models.OneToOneField(Region, primary_key=True, db_column="region_code", on_delete=models.CASCADE,
                                  related_name="+")
    computed_on = models.DateField()
    families = models.PositiveIntegerField(default=0)
    covered = models.PositiveIntegerField(default=0)
    year = models.PositiveSmallIntegerField()
    visits_year = models.PositiveIntegerField(default=0)
    late_year = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "村级合规汇总"
        verbose_name_plural = "村级合规汇总"

    def __str__(self) -> str:
        return f"{self.region_id} @ {self.computed_on}"


class VillageObligationSummary(models.Model):
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    period = models.CharField(max_length=10)
    judged = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    last_judged = models.PositiveIntegerField(default=0)
    last_met = models.PositiveIntegerField(default=0)
    valid_until = models.DateField()

    class Meta:
        verbose_name = "村级义务汇总"
        verbose_name_plural = "村级义务汇总"
        constraints = [models.UniqueConstraint(fields=["region", "kind", "period"], name="one_summary_per_kind")]
        indexes = [models.Index(fields=["region"], name="village_ob_summary_prefix",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind}/{self.period}"


class VisitMonthCount(models.Model):
    """Visits per township, calendar month (of the visit date) and channel, kept exact in the transaction of
    every visit write (``visit_counts``); the 统计看板's "visits by month and channel" above the village
    level sums these rows instead of counting ~10⁷ visits.

    A visit counts where it was recorded (``Visit.region``), like every other visit figure.
    """

    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.CASCADE, related_name="+",
                               db_index=False)  # a township; the first column of the unique constraint
    month = models.DateField()  # the first day of the month
    channel = models.CharField(max_length=12)
    visits = models.IntegerField(default=0)

    class Meta:
        verbose_name = "乡镇月度走访计数"
        verbose_name_plural = "乡镇月度走访计数"
        constraints = [models.UniqueConstraint(fields=["region", "month", "channel"],
                                               name="one_visit_count_per_month_channel")]
        indexes = [models.Index(fields=["region"], name="visit_month_count_prefix",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} {self.channel}={self.visits}"
