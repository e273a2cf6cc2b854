"""Visit records (contacts with a family) and major events.

Channels that count for each obligation are data in the policy profile; the
grouping below (face-to-face, home visit) is the meaning fixed in DOMAIN.md
for the shipped profiles.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from guanhuai.contacts.models import ContactPerson
from guanhuai.families.models import Family, Health, Mental
from guanhuai.regions.models import Region


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    ONLINE = "online", "网络"
    MEETING = "meeting", "面谈"
    HOME = "home", "上门走访"
    FESTIVAL = "festival", "节日慰问"
    EMERGENCY = "emergency", "紧急上门"


FACE_TO_FACE = [Channel.MEETING, Channel.HOME, Channel.FESTIVAL, Channel.EMERGENCY]


class Referral(models.TextChoices):
    NONE = "", "—"
    HEALTH = "health", "卫生健康"
    CIVIL = "civil", "民政"
    FINANCE = "finance", "财政"
    HRSS = "hrss", "人社"
    HOUSING = "housing", "住建"
    ASSOCIATION = "association", "计生协"
    OTHER = "other", "其他"


class Visit(models.Model):
    # family, region and contact are the first columns of the composite indexes below; their own
    # single-column indexes would only slow down every visit recorded (10 million rows a year).
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="visits", db_index=False)
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    contact = models.ForeignKey(ContactPerson, verbose_name="联系人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="visits", db_index=False)
    visit_date = models.DateField("走访日期")
    channel = models.CharField("方式", max_length=12, choices=Channel.choices)
    participants = models.CharField("其他参与人", max_length=200, blank=True)
    health_observed = models.CharField("身体状况", max_length=20, choices=Health.choices, blank=True)
    mental_observed = models.CharField("精神状态", max_length=20, choices=Mental.choices, blank=True)
    needs_raised = models.TextField("提出的诉求", blank=True)
    policies_explained = models.TextField("宣传的政策", blank=True)
    problems_solved = models.TextField("解决的问题", blank=True)
    referred_to = models.CharField("转交部门", max_length=20, choices=Referral.choices, blank=True)
    referral_note = models.CharField("转交说明", max_length=200, blank=True)
    follow_up = models.CharField("承诺事项", max_length=200, blank=True)
    follow_up_due = models.DateField("承诺办结期限", null=True, blank=True)
    notes = models.TextField("备注", blank=True)
    event = models.ForeignKey("MajorEvent", verbose_name="对应重大事件", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="visits")
    entered_at = models.DateTimeField("录入时间")
    entry_date = models.DateField("录入日期")
    entry_deadline = models.DateField("录入期限")
    entry_deadline_provisional = models.BooleanField("期限暂定", default=False)
    is_late = models.BooleanField("迟报", default=False)
    is_backfill = models.BooleanField("补录", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visit_date", "-id"]
        indexes = [
            # Covering (PostgreSQL): recording a visit re-reads the family's year of (date, channel)
            # from the index alone instead of one scattered heap page per visit.
            models.Index(fields=["family", "visit_date"], include=["channel", "id"], name="visit_family_date"),
            models.Index(fields=["region", "visit_date"], name="visit_region_date",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["contact", "visit_date"], name="visit_contact_date"),
            models.Index(fields=["visit_date"], name="visit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_date} {self.get_channel_display()} {self.family}"

    @property
    def is_face_to_face(self) -> bool:
        return self.channel in FACE_TO_FACE


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="visits/%Y/%m/")
    content_type = models.CharField(max_length=40)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"

    def __str__(self) -> str:
        return self.image.name


class EventKind(models.TextChoices):
    ACCIDENT = "accident", "意外"
    ILLNESS = "illness", "重病"
    DISASTER = "disaster", "受灾"
    DEATH = "death", "亡故"
    PETITION = "petition", "信访倾向"
    OTHER = "other", "其他"


class PetitionLevel(models.TextChoices):
    COUNTY = "county", "县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    BEIJING = "beijing", "进京"


class MajorEvent(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "处理中"
        CLOSED = "closed", "已办结"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="events")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("事件类型", max_length=12, choices=EventKind.choices)
    petition_level = models.CharField("信访层级", max_length=10, choices=PetitionLevel.choices, blank=True)
    event_date = models.DateField("发生日期")
    description = models.TextField("情况说明")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    response_due = models.DateField("上门期限")
    responded_on = models.DateField("上门日期", null=True, blank=True)
    outcome = models.TextField("处理结果", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField("上报时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "重大事件"
        verbose_name_plural = "重大事件"
        ordering = ["-event_date", "-id"]
        indexes = [models.Index(fields=["region"], name="event_region_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind="petition") | ~models.Q(petition_level=""),
                                   name="petition_has_level"),
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.get_kind_display()}({self.event_date})"
