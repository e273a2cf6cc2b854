from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One append-only, hash-chained audit record.

    ``id`` is assigned by the chain (not by the database) so that the order
    that is hashed is the order that is stored; ``hash`` covers every other
    column plus the previous event's hash.
    """

    id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_constraint=False,
    )
    actor_username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.CharField("来源IP", max_length=64, blank=True)
    action = models.CharField("动作", max_length=40)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("区划代码", max_length=12, blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    reason = models.TextField("理由", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-id"]
        # Every write in the system appends here: only the indexes the search page uses (jurisdiction
        # is a code prefix, hence varchar_pattern_ops; object_type is served by audit_object).
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["region_code"], name="audit_region_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """Single row holding the chain's tip; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain head #{self.last_id}"
