from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from guanhuai.lib.fields import EncryptedTextField
from guanhuai.regions.models import Region

from .roles import Role, has_perm


class User(AbstractUser):
    """A person with exactly one role and one region."""

    full_name = models.CharField("姓名", max_length=60, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", null=True, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField("手机号", max_length=20, blank=True)
    must_change_password = models.BooleanField("首次登录须改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    # Encrypted like ID numbers: a database dump alone must not let anyone mint second-factor codes.
    totp_secret = EncryptedTextField(blank=True, default="")
    totp_enabled = models.BooleanField("已启用双因素认证", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    def can(self, perm: str) -> bool:
        return has_perm(self, perm)

    @property
    def jurisdiction_prefix(self) -> str | None:
        return self.region.prefix if self.region_id else None


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    prefix = models.CharField("前缀", max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """A failed login, kept for per-IP throttling and the audit trail."""

    ip = models.CharField(max_length=64, db_index=True)
    username = models.CharField(max_length=150)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="loginfailure_ip_at")]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip}"
