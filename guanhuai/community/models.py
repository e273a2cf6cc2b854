"""Community support. So far: trainings of contact persons (联系人培训, at least one a year, seed 001)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from guanhuai.regions.models import Region

REQUIRED_TRAININGS_PER_YEAR = 1


class TrainingKind(models.TextChoices):
    CLASSROOM = "classroom", "集中培训"
    ONLINE = "online", "视频/网络培训"
    ON_SITE = "on_site", "现场观摩"
    MEETING = "meeting", "以会代训"
    OTHER = "other", "其他"


class Training(models.Model):
    region = models.ForeignKey(Region, verbose_name="组织单位", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    held_on = models.DateField("培训日期")
    title = models.CharField("培训主题", max_length=120)
    kind = models.CharField("形式", max_length=12, choices=TrainingKind.choices, default=TrainingKind.CLASSROOM)
    place = models.CharField("地点", max_length=120, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "培训"
        verbose_name_plural = "培训"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["region", "held_on"], name="training_region_date")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances")
    contact = models.ForeignKey("contacts.ContactPerson", on_delete=models.CASCADE, related_name="trainings")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        constraints = [models.UniqueConstraint(fields=["training", "contact"], name="training_attendance_once")]

    def __str__(self) -> str:
        return f"{self.training} · {self.contact_id}"
