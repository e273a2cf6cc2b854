from __future__ import annotations

from django.db import models

from .codes import LEVEL_NAMES, prefix_of


class Region(models.Model):
    """A division in the tree, keyed by its 12-digit statistical code."""

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=sorted(LEVEL_NAMES.items()))
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Service hotline printed on contact cards; set on counties.
    hotline = models.CharField("服务热线", max_length=40, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)
