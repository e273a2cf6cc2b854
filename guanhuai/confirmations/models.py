"""Annual eligibility confirmation (资格确认): a county's window and its families.

Opening a window snapshots the county's register: one item per family in the
register at that moment. Each item is then confirmed unchanged, changed (the
change itself goes through the families services) or exited with a reason.
Data must be entered within the profile's working days after the window ends
(DOMAIN.md §1: 10 working days, seed 000); a later entry is accepted and
flagged late (迟报).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from guanhuai.families.models import ExitReason, Family
from guanhuai.regions.models import Region
from guanhuai.workdays.calendar import Deadline, add_working_days


class ConfirmationWindow(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    region = models.ForeignKey(Region, verbose_name="县(市、区)", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    entry_working_days = models.PositiveSmallIntegerField("录入时限(工作日)", default=10)
    deadline_source = models.CharField("时限依据(政策配置)", max_length=40, blank=True)
    register_as_of = models.DateTimeField("名册时点")
    population = models.PositiveIntegerField("名册户数")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    closed_on = models.DateField("结束确认日期", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "资格确认"
        verbose_name_plural = "资格确认"
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="confirmation_once_per_county_year"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="confirmation_window_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year} 年度资格确认"

    @property
    def ends_on(self) -> dt.date:
        """The day the confirmation ended: the planned end, or the closing day if the county closed it early."""
        if self.closed_on is not None and self.closed_on < self.end_date:
            return self.closed_on
        return self.end_date

    @property
    def deadline(self) -> Deadline:
        """Entry deadline: ``entry_working_days`` official working days after the window ends."""
        return add_working_days(self.ends_on, self.entry_working_days)

    def is_late_on(self, entry_date: dt.date) -> bool:
        return entry_date > self.deadline.date


class Outcome(models.TextChoices):
    PENDING = "", "待确认"
    CONFIRMED = "confirmed", "确认无变化"
    CHANGED = "changed", "有变化"
    EXITED = "exited", "退出"


class ConfirmationItem(models.Model):
    """One family of the window's register snapshot and what the confirmation found."""

    window = models.ForeignKey(ConfirmationWindow, on_delete=models.CASCADE, related_name="items")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="confirmations")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField("确认结果", max_length=10, choices=Outcome.choices, blank=True, default="")
    changes = models.JSONField("变化内容", default=dict, blank=True)
    exit_reason = models.CharField("退出原因", max_length=20, choices=ExitReason.choices, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    entry_date = models.DateField("录入日期", null=True, blank=True)
    entry_deadline = models.DateField("录入期限", null=True, blank=True)
    entry_deadline_provisional = models.BooleanField("期限暂定", default=False)
    is_late = models.BooleanField("迟报", default=False)

    class Meta:
        verbose_name = "资格确认家庭"
        verbose_name_plural = "资格确认家庭"
        ordering = ["window_id", "region_id", "family_id"]
        constraints = [models.UniqueConstraint(fields=["window", "family"], name="confirmation_family_once")]
        indexes = [
            models.Index(fields=["window", "outcome"], name="confirmation_item_outcome"),
            models.Index(fields=["region"], name="confirmation_item_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.family}"

    @property
    def is_recorded(self) -> bool:
        return bool(self.outcome)
