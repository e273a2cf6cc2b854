"""Production: PostgreSQL, Redis-backed huey, real secrets, hardened HTTP.

Start-up is refused with a clear message when a secret is missing, still a
demo value, or malformed, so a misconfigured server never serves real families.
"""

import base64
import binascii
from pathlib import Path

from guanhuai.config.env import ConfigError, env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import DEMO_BLIND_INDEX_KEY, DEMO_FIELD_ENCRYPTION_KEYS, DEMO_SECRET_KEY

DEBUG = False

# Texts that only ever appear in sample configuration, never in a generated secret.
PLACEHOLDER_MARKERS = ("demo-", "insecure", "change-me", "changeme", "replace-me", "your-secret")


def _require_secret(name: str, demo_value: str, min_length: int) -> str:
    value = env_str(name)
    if not value:
        raise ConfigError(f"生产环境缺少必需的密钥 {name}(Missing required secret {name}).")
    lowered = value.lower()
    if value == demo_value or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        raise ConfigError(f"{name} 仍是演示值,生产环境拒绝启动({name} is a demo value; refusing to start).")
    if len(value) < min_length or len(set(value)) < 5:
        raise ConfigError(f"{name} 太短或过于简单,至少 {min_length} 个随机字符({name} is too short).")
    return value


def _decode_key(name: str, encoded: str) -> bytes:
    text = encoded.strip()
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name} 不是有效的 base64 编码({name} is not valid base64).") from None


def _check_field_keys(spec: str, algorithm: str) -> None:
    if algorithm not in {"aes-256-gcm", "sm4-gcm"}:
        raise ConfigError(f"FIELD_ENCRYPTION_ALGORITHM 只能是 aes-256-gcm 或 sm4-gcm,当前为 {algorithm!r}。")
    needed = 32 if algorithm == "aes-256-gcm" else 16
    demo_material = {part.partition(":")[2] for part in DEMO_FIELD_ENCRYPTION_KEYS.split(",")}
    seen = set()
    for part in spec.split(","):
        key_id, sep, encoded = part.strip().partition(":")
        if not sep or not key_id or not encoded or "$" in key_id:
            raise ConfigError("FIELD_ENCRYPTION_KEYS 格式应为 keyid:base64key[,keyid:base64key](第一个用于加密)。")
        if key_id in seen:
            raise ConfigError(f"FIELD_ENCRYPTION_KEYS 中密钥编号 {key_id} 重复。")
        seen.add(key_id)
        if encoded in demo_material:
            raise ConfigError("FIELD_ENCRYPTION_KEYS 含有演示密钥,生产环境拒绝启动(demo key; refusing to start).")
        if len(_decode_key("FIELD_ENCRYPTION_KEYS", encoded)) != needed:
            raise ConfigError(f"FIELD_ENCRYPTION_KEYS 中密钥 {key_id} 解码后应为 {needed} 字节({algorithm})。")


# 50 random characters is what Django's own deployment check asks for.
SECRET_KEY = _require_secret("SECRET_KEY", DEMO_SECRET_KEY, 50)
FIELD_ENCRYPTION_KEYS = _require_secret("FIELD_ENCRYPTION_KEYS", DEMO_FIELD_ENCRYPTION_KEYS, 20)
_check_field_keys(FIELD_ENCRYPTION_KEYS, FIELD_ENCRYPTION_ALGORITHM)  # noqa: F405
BLIND_INDEX_KEY = _require_secret("BLIND_INDEX_KEY", DEMO_BLIND_INDEX_KEY, 32)
if len(_decode_key("BLIND_INDEX_KEY", BLIND_INDEX_KEY)) < 32:
    raise ConfigError("BLIND_INDEX_KEY 解码后至少应为 32 字节(BLIND_INDEX_KEY must decode to at least 32 bytes).")
if BLIND_INDEX_KEY in {part.partition(":")[2] for part in FIELD_ENCRYPTION_KEYS.split(",")}:
    raise ConfigError("BLIND_INDEX_KEY 不能与加密密钥相同(must differ from the field encryption keys).")
if not env_str("DATABASE_URL"):
    raise ConfigError("生产环境必须设置 DATABASE_URL(PostgreSQL)。")
if not env_str("ALLOWED_HOSTS"):
    raise ConfigError("生产环境必须设置 ALLOWED_HOSTS。")

if not HUEY_REDIS_URL:  # noqa: F405
    # A single-machine deployment keeps huey's queue in SQLite; its folder must exist
    # or the first import of the huey app fails with an obscure "unable to open database file".
    Path(HUEY["filename"]).parent.mkdir(parents=True, exist_ok=True)  # noqa: F405

REQUIRE_TOTP_FOR_ADMINS = env_bool("REQUIRE_TOTP_FOR_ADMINS", True)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading binds every subdomain of the agency's domain to HTTPS for good: a decision
# for whoever runs the domain, not a default.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
MIDDLEWARE = [*MIDDLEWARE, "guanhuai.web.middleware.SecurityHeadersMiddleware"]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
