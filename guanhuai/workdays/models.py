"""The official working-day calendar, stored as data.

Only exceptions to Monday–Friday are stored: public holidays (休) and adjusted
working days (调休上班). A year counts as published when a ``CalendarYear``
row exists; an unpublished year falls back to plain Monday–Friday, and every
deadline computed from it is marked provisional.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=100)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = "已发布年度日历"
        verbose_name_plural = "已发布年度日历"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年({self.source})"


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", primary_key=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=40, blank=True)

    class Meta:
        verbose_name = "日历例外日"
        verbose_name_plural = "日历例外日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CacheGeneration(models.Model):
    """A counter per per-process cache (the calendar, the policy profiles).

    Bumped in the transaction that changes the cached data, so every other
    process (gunicorn workers, the huey consumer) sees the change within
    ``generations.CHECK_INTERVAL`` seconds (``workdays.generations``).
    """

    name = models.CharField("缓存", max_length=40, primary_key=True)
    value = models.BigIntegerField("版本号", default=0)

    class Meta:
        verbose_name = "缓存版本"
        verbose_name_plural = "缓存版本"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
