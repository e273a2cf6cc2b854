"""双岗 dual contacts: contact persons, assignments with history, contact cards.

Every family in the register has exactly one active first contact (乡镇干部)
and one active second contact (村居干部, or an association member, family
doctor or volunteer). Partial unique constraints make a second active
assignment in the same slot impossible at the database level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from guanhuai.families.models import Family
from guanhuai.lib.fields import EncryptedTextField
from guanhuai.lib.masking import mask_phone
from guanhuai.regions.models import Region


class ContactKind(models.TextChoices):
    TOWNSHIP_CADRE = "township_cadre", "乡镇干部"
    VILLAGE_CADRE = "village_cadre", "村居干部"
    ASSOCIATION = "association", "计生协会员"
    DOCTOR = "doctor", "家庭医生"
    VOLUNTEER = "volunteer", "志愿者"
    LEADER = "leader", "领导干部"


class Slot(models.TextChoices):
    FIRST = "first", "第一联系人(乡镇)"
    SECOND = "second", "第二联系人(村居)"
    LEADER = "leader", "领导干部联系帮扶"


SLOT_KINDS = {
    Slot.FIRST: {ContactKind.TOWNSHIP_CADRE},
    Slot.SECOND: {ContactKind.VILLAGE_CADRE, ContactKind.ASSOCIATION, ContactKind.DOCTOR, ContactKind.VOLUNTEER},
    Slot.LEADER: {ContactKind.LEADER},
}


def allowed_kinds_label(slot: str) -> str:
    """Who may hold a slot, in the order of ``ContactKind`` (e.g. 村居干部、计生协会员、家庭医生、志愿者)."""
    return "、".join(label for value, label in ContactKind.choices if value in SLOT_KINDS[slot])


class ContactPerson(models.Model):
    region = models.ForeignKey(Region, verbose_name="所在区划", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField("姓名", max_length=60, db_index=True)
    post = models.CharField("职务", max_length=60, blank=True)
    unit = models.CharField("单位", max_length=100, blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_bidx = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    kind = models.CharField("类别", max_length=20, choices=ContactKind.choices)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="系统账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="contact_person")
    is_active = models.BooleanField("在岗", default=True)
    left_on = models.DateField("离岗日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "联系人"
        verbose_name_plural = "联系人"
        ordering = ["region_id", "name"]
        indexes = [models.Index(fields=["region"], name="contact_region_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.name}({self.post or self.get_kind_display()})"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Assignment(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assignments")
    contact = models.ForeignKey(ContactPerson, on_delete=models.PROTECT, related_name="assignments")
    slot = models.CharField("岗位", max_length=10, choices=Slot.choices)
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField("起始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    reason = models.CharField("确定/变更原因", max_length=200, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    entered_at = models.DateTimeField("录入时间")
    entry_deadline = models.DateField("录入期限")
    # The deadline was counted on a year with no published official calendar (Monday–Friday assumed).
    entry_deadline_provisional = models.BooleanField("期限暂定", default=False, db_default=False)
    is_late = models.BooleanField("迟报", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "联系人分工"
        verbose_name_plural = "联系人分工"
        ordering = ["family_id", "slot", "-start_date"]
        indexes = [
            models.Index(fields=["region"], name="assignment_region_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["contact", "end_date"], name="assignment_contact_active"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "slot"],
                condition=models.Q(end_date__isnull=True, slot__in=["first", "second"]),
                name="one_active_first_and_second_contact",
            ),
            models.UniqueConstraint(
                fields=["family", "contact", "slot"], condition=models.Q(end_date__isnull=True),
                name="no_duplicate_active_assignment",
            ),
            models.CheckConstraint(condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                                   name="assignment_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.family} · {self.get_slot_display()} · {self.contact}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None


class CardIssue(models.Model):
    """A contact card (联系卡) to hand to a family; queued when a contact changes."""

    class State(models.TextChoices):
        PENDING = "pending", "待发放"
        ISSUED = "issued", "已发放"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="card_issues")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField("原因", max_length=100)
    queued_at = models.DateTimeField("生成时间", auto_now_add=True)
    issued_on = models.DateField("发放日期", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = "联系卡发放"
        verbose_name_plural = "联系卡发放"
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["region", "state"], name="card_region_state")]

    def __str__(self) -> str:
        return f"{self.family} 联系卡({self.get_state_display()})"
