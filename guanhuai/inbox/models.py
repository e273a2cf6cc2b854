"""The in-app inbox. Every notification lands here; e-mail and SMS are extra deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=30)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    # Same key for the same user → one notification (a daily job may run twice).
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                               name="notification_dedupe")]

    def __str__(self) -> str:
        return self.title
