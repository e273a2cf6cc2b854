"""Production: PostgreSQL, Redis-backed huey, real secrets, hardened HTTP.

Start-up is refused with a clear message when a secret is missing or still
the demo value, so a misconfigured server never serves real families.
"""

from guanhuai.config.env import ConfigError, env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import DEMO_BLIND_INDEX_KEY, DEMO_FIELD_ENCRYPTION_KEYS, DEMO_SECRET_KEY

DEBUG = False


def _require_secret(name: str, demo_value: str, min_length: int) -> str:
    value = env_str(name)
    if not value:
        raise ConfigError(f"生产环境缺少必需的密钥 {name}(Missing required secret {name}).")
    if value == demo_value or "demo" in value.lower():
        raise ConfigError(f"{name} 仍是演示值,生产环境拒绝启动({name} is a demo value; refusing to start).")
    if len(value) < min_length:
        raise ConfigError(f"{name} 太短,至少 {min_length} 个字符({name} is too short).")
    return value


SECRET_KEY = _require_secret("SECRET_KEY", DEMO_SECRET_KEY, 40)
FIELD_ENCRYPTION_KEYS = _require_secret("FIELD_ENCRYPTION_KEYS", DEMO_FIELD_ENCRYPTION_KEYS, 20)
BLIND_INDEX_KEY = _require_secret("BLIND_INDEX_KEY", DEMO_BLIND_INDEX_KEY, 32)
if not env_str("DATABASE_URL"):
    raise ConfigError("生产环境必须设置 DATABASE_URL(PostgreSQL)。")
if not env_str("ALLOWED_HOSTS"):
    raise ConfigError("生产环境必须设置 ALLOWED_HOSTS。")

REQUIRE_TOTP_FOR_ADMINS = env_bool("REQUIRE_TOTP_FOR_ADMINS", True)

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
MIDDLEWARE = [*MIDDLEWARE, "guanhuai.web.middleware.SecurityHeadersMiddleware"]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
