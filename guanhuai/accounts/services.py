"""Account actions: login with lockout, users, passwords, TOTP, API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from guanhuai.audit.services import audit_record
from guanhuai.lib.rows import Columns, shared_cursor
from guanhuai.regions.models import Region

from .models import ApiToken, LoginFailure, User
from .roles import Role


class LoginRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class LoginResult:
    user: User
    needs_totp: bool


GENERIC_FAILURE = "用户名或密码错误"


def _ip_throttled(ip: str, now: dt.datetime) -> bool:
    window = now - dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    return LoginFailure.objects.filter(ip=ip, at__gte=window).count() >= settings.LOGIN_IP_MAX_FAILURES


def _refuse_if_locked(user: User, now: dt.datetime) -> None:
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(f"账号已被锁定,请约 {minutes} 分钟后再试")


def _count_failure(*, user: User | None, username: str, ip: str, now: dt.datetime, step: str) -> bool:
    """Record one failed attempt (password or second factor); True when it locked the account.

    Call inside a transaction holding the user's row lock.
    """
    LoginFailure.objects.create(ip=ip, username=username[:150], at=now)
    if user is None:
        return False
    user.failed_login_count += 1
    fields = ["failed_login_count"]
    locked = user.failed_login_count >= settings.LOGIN_MAX_FAILURES
    if locked:
        user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        user.failed_login_count = 0
        fields.append("locked_until")
    user.save(update_fields=fields)
    # The person typing is not known to be the account holder, so the actor is empty.
    audit_record(actor=None, action="account.login_failed", obj=user, region_code=user.region_id or "",
                 changes={"step": step})
    if locked:
        audit_record(actor=None, action="account.locked", obj=user, region_code=user.region_id or "",
                     changes={"locked_until": [None, user.locked_until.isoformat()]})
    return locked


def _locked_message() -> str:
    return f"连续 {settings.LOGIN_MAX_FAILURES} 次验证失败,账号已锁定 {settings.LOGIN_LOCK_MINUTES} 分钟"


def login_check_password(*, username: str, password: str, ip: str) -> LoginResult:
    """First login step. Raises LoginRefused with a Chinese message.

    Five wrong passwords lock the account for 15 minutes; many failures from
    one address throttle that address regardless of the username tried.
    """
    now = timezone.now()
    if _ip_throttled(ip, now):
        raise LoginRefused(f"该地址登录失败次数过多,请 {settings.LOGIN_LOCK_MINUTES} 分钟后再试")
    failure = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None:
            _refuse_if_locked(user, now)
        if user is None or not user.is_active or not user.check_password(password):
            locked = _count_failure(user=user, username=username, ip=ip, now=now, step="password")
            failure = _locked_message() if locked else GENERIC_FAILURE
    if failure:
        raise LoginRefused(failure)
    return LoginResult(user=user, needs_totp=user.totp_enabled)


def login_succeeded(*, user: User) -> None:
    with transaction.atomic():
        user.failed_login_count = 0
        user.locked_until = None
        user.last_login = timezone.now()
        user.save(update_fields=["failed_login_count", "locked_until", "last_login"])
        audit_record(actor=user, action="account.login", obj=user, region_code=user.region_id or "")


def totp_verify(*, user: User, code: str, ip: str) -> bool:
    """Second login step. Wrong codes count towards the same lockout as wrong passwords,
    so knowing the password does not give unlimited guesses at the six digits."""
    now = timezone.now()
    if _ip_throttled(ip, now):
        raise LoginRefused(f"该地址登录失败次数过多,请 {settings.LOGIN_LOCK_MINUTES} 分钟后再试")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _refuse_if_locked(user, now)
        ok = bool(user.totp_secret) and pyotp.TOTP(user.totp_secret).verify((code or "").strip(), valid_window=1)
        if ok:
            return True
        locked = _count_failure(user=user, username=user.username, ip=ip, now=now, step="totp")
    if locked:
        raise LoginRefused(_locked_message())
    return False


def totp_begin(*, user: User) -> str:
    """A fresh secret for the set-up page; not active until confirmed."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_enabled = False
    user.save(update_fields=["totp_secret", "totp_enabled"])
    return secret


def totp_provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="关怀系统")


def totp_enable(*, user: User, code: str) -> None:
    if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify((code or "").strip(), valid_window=1):
        raise ValidationError({"code": "验证码不正确,请查看手机验证器中的 6 位数字"})
    with transaction.atomic():
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        audit_record(actor=user, action="account.totp_enabled", obj=user, region_code=user.region_id or "")


def totp_disable(*, acting_user: User, user: User) -> None:
    if acting_user.pk != user.pk:
        if acting_user.role != Role.ADMIN:
            raise ValidationError("无权关闭他人的双因素认证")
        _check_admin_scope(acting_user, user.region)
    if user.role == Role.ADMIN and settings.REQUIRE_TOTP_FOR_ADMINS:
        raise ValidationError("系统管理员必须启用双因素认证")
    with transaction.atomic():
        user.totp_enabled = False
        user.totp_secret = ""
        user.save(update_fields=["totp_enabled", "totp_secret"])
        audit_record(actor=acting_user, action="account.totp_disabled", obj=user, region_code=user.region_id or "")


def password_change(*, user: User, old_password: str | None, new_password: str) -> None:
    """Change a user's own password (old one required unless forced change)."""
    errors: dict[str, list[str]] = {}
    if old_password is not None and not user.check_password(old_password):
        errors["old_password"] = ["原密码不正确"]
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        errors["new_password"] = list(exc.messages)
    # Also on a forced change: keeping the administrator's temporary password defeats the point.
    if user.check_password(new_password):
        errors.setdefault("new_password", []).append("新密码不能与原密码相同")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=user, action="account.password_changed", obj=user, region_code=user.region_id or "")


def _check_admin_scope(acting_user: User, region: Region | None) -> None:
    if acting_user.role != Role.ADMIN or acting_user.region_id is None:
        raise ValidationError("只有系统管理员可以管理用户")
    if region is None or not region.code.startswith(acting_user.region.prefix):
        raise ValidationError({"region": "所选区划不在您的管辖范围内"})


def user_create(
    *,
    acting_user: User | None,
    username: str,
    full_name: str,
    role: str,
    region: Region,
    password: str,
    phone: str = "",
    email: str = "",
    must_change_password: bool = True,
) -> User:
    """Create an account. Accounts made by an administrator must change password at first login."""
    if acting_user is not None:
        _check_admin_scope(acting_user, region)
    if role not in Role.values:
        raise ValidationError({"role": "未知角色"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "用户名已存在"})
    user = User(username=username, full_name=full_name, role=role, region=region, phone=phone, email=email,
                must_change_password=must_change_password)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        audit_record(actor=acting_user, action="user.created", obj=user, region_code=region.code,
                     changes={"username": [None, username], "role": [None, role], "region": [None, region.code]})
    return user


def user_unlock(*, acting_user: User, user: User) -> None:
    _check_admin_scope(acting_user, user.region)
    with transaction.atomic():
        before = user.locked_until.isoformat() if user.locked_until else None
        user.locked_until = None
        user.failed_login_count = 0
        user.save(update_fields=["locked_until", "failed_login_count"])
        audit_record(actor=acting_user, action="user.unlocked", obj=user, region_code=user.region_id or "",
                     changes={"locked_until": [before, None]})


def user_reset_password(*, acting_user: User, user: User, new_password: str) -> None:
    _check_admin_scope(acting_user, user.region)
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    with transaction.atomic():
        before = user.must_change_password
        user.set_password(new_password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit_record(actor=acting_user, action="user.password_reset", obj=user, region_code=user.region_id or "",
                     changes={"must_change_password": [before, True]})


def user_set_active(*, acting_user: User, user: User, active: bool) -> None:
    _check_admin_scope(acting_user, user.region)
    if user.pk == acting_user.pk:
        raise ValidationError("不能停用自己的账号")
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(actor=acting_user, action="user.activated" if active else "user.deactivated", obj=user,
                     region_code=user.region_id or "", changes={"is_active": [before, active]})


TOKEN_PREFIX = "gh_"


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is shown once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写令牌名称"})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:60], prefix=raw[:10], token_hash=_token_hash(raw))
        audit_record(actor=user, action="api_token.created", obj=token, region_code=user.region_id or "",
                     object_repr=str(token))
    return token, raw


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk and user.role != Role.ADMIN:
        raise ValidationError("无权撤销他人的令牌")
    if token.revoked_at:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoked", obj=token, region_code=token.user.region_id or "",
                     object_repr=str(token))


@functools.cache
def _token_columns() -> tuple[Columns, Columns, Columns, str]:
    # Every user column but the TOTP secret (decrypting it on every API call would be wasted work).
    token = Columns(ApiToken, "revoked_at", "last_used_at")
    user = Columns(User, *[f.name for f in User._meta.concrete_fields if f.name != "totp_secret"])
    region = Columns(Region)
    sql = (f"SELECT {token.select('t')}, {user.select('u')}, {region.select('r')} FROM accounts_apitoken t "
           "JOIN accounts_user u ON u.id = t.user_id LEFT JOIN regions_region r ON r.code = u.region_id "
           "WHERE t.token_hash = %s")
    return token, user, region, sql


def api_token_authenticate(raw: str) -> User | None:
    """The token's user (with its region loaded), or None for an unknown, revoked or inactive one.

    Runs on every API call: one plain statement instead of an ORM query that costs more to compile
    than to answer (see lib/rows.py).
    """
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token_cols, user_cols, region_cols, sql = _token_columns()
    with shared_cursor() as cursor:
        cursor.execute(sql, [_token_hash(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    n, m = len(token_cols), len(token_cols) + len(user_cols)
    token, user = token_cols.build(row[:n]), user_cols.build(row[n:m])
    if token.revoked_at is not None or not user.is_active:
        return None
    user.region = region_cols.build(row[m:])
    now = timezone.now()
    # Updating on every call would make each API read a write; minute precision is enough.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
