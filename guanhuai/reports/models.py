"""Annual statistical returns (年度统计报表) reported level by level, and their encrypted transfer.

A region has one ``StatReturn`` per statistical year; every submission
freezes the region's tables into a new ``ReturnVersion`` (a JSON snapshot
with its SHA-256), which the level above accepts or sends back with a reason.
``ReturnExport`` keeps an encrypted file built from a version (never its
password); ``ReturnImport`` records an encrypted file an upper level read in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from guanhuai.regions.models import Region


class ReturnSchedule(models.Model):
    """The reporting deadline of one statistical year (default: 15 May of the next year)."""

    year = models.PositiveSmallIntegerField("统计年度", unique=True)
    deadline = models.DateField("上报截止日期")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "上报期限"
        verbose_name_plural = "上报期限"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年度:{self.deadline}"


class StatReturn(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "未报送"
        SUBMITTED = "submitted", "待审核"
        ACCEPTED = "accepted", "已通过"
        RETURNED = "returned", "已退回"

    region = models.ForeignKey(Region, verbose_name="报送单位", db_column="region_code", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("统计年度")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年度统计报表"
        verbose_name_plural = "年度统计报表"
        ordering = ["-year", "region_id"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_return_per_region_year")]
        indexes = [models.Index(fields=["region"], name="return_region_prefix", opclasses=["varchar_pattern_ops"]),
                   models.Index(fields=["year", "state"], name="return_year_state")]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year} 年度统计表"


class ReturnVersion(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已通过"
        RETURNED = "returned", "已退回"

    class Source(models.TextChoices):
        ONLINE = "online", "系统内报送"
        IMPORTED = "imported", "加密文件导入"

    stat_return = models.ForeignKey(StatReturn, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    snapshot = models.JSONField("报表快照")
    digest = models.CharField("快照 SHA-256", max_length=64)
    as_of = models.DateField("统计截至")
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.ONLINE)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    deadline = models.DateField("截止日期")
    is_late = models.BooleanField("逾期报送", default=False)
    note = models.CharField("报送说明", max_length=500, blank=True)
    decision = models.CharField("审核结果", max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.CharField("退回原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "统计表版本"
        verbose_name_plural = "统计表版本"
        ordering = ["stat_return_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["stat_return", "number"], name="one_version_number")]

    def __str__(self) -> str:
        return f"{self.stat_return} 第 {self.number} 版"


class ReturnExport(models.Model):
    """An encrypted file built from a version. The password is shown once and never stored."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "加密 Excel(AES)"
        SM4 = "sm4", "国密 SM4-GCM 加密包"

    version = models.ForeignKey(ReturnVersion, on_delete=models.CASCADE, related_name="exports")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    format = models.CharField("格式", max_length=10, choices=Format.choices)
    filename = models.CharField("文件名", max_length=200)
    data = models.BinaryField("加密文件", editable=False)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "加密导出"
        verbose_name_plural = "加密导出"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class ReturnImport(models.Model):
    """An encrypted return an upper level read in; it matched a stored version or became a new one."""

    stat_return = models.ForeignKey(StatReturn, on_delete=models.CASCADE, related_name="imports")
    version = models.ForeignKey(ReturnVersion, on_delete=models.CASCADE, related_name="imports")
    region = models.ForeignKey(Region, db_column="region_code", on_delete=models.PROTECT, related_name="+")
    format = models.CharField("格式", max_length=10, choices=ReturnExport.Format.choices)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    created_version = models.BooleanField("新建版本", default=False)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "加密导入"
        verbose_name_plural = "加密导入"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename
