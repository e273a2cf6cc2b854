"""Settings shared by every environment. Values come from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from guanhuai.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(env_str("GUANHUAI_VAR_DIR", str(BASE_DIR / "var")))

# Demo values: fine on a laptop, refused by prod.py.
DEMO_SECRET_KEY = "demo-insecure-secret-key-change-me-0123456789abcdef"
DEMO_FIELD_ENCRYPTION_KEYS = "demo1:ZGVtby1maWVsZC1rZXktMzItYnl0ZXMtbG9uZy0hIQ=="
DEMO_BLIND_INDEX_KEY = "ZGVtby1ibGluZC1pbmRleC1rZXktZm9yLWxvY2FsLXVzZQ=="

SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
# "keyid:base64key,keyid:base64key" — the first one encrypts, all of them decrypt.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS", DEMO_FIELD_ENCRYPTION_KEYS)
# "aes-256-gcm" (default) or "sm4-gcm" for 国密 deployments.
FIELD_ENCRYPTION_ALGORITHM = env_str("FIELD_ENCRYPTION_ALGORITHM", "aes-256-gcm")
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY", DEMO_BLIND_INDEX_KEY)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Number of reverse proxies in front of the app that append to X-Forwarded-For
# (0: use REMOTE_ADDR). Wrong in either direction breaks per-IP throttling.
# TRUST_X_FORWARDED_FOR=true is the older spelling of "one proxy".
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("TRUST_X_FORWARDED_FOR", False) else 0)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "huey.contrib.djhuey",
    "guanhuai.regions",
    "guanhuai.accounts",
    "guanhuai.audit",
    "guanhuai.families",
    "guanhuai.workdays",
    "guanhuai.contacts",
    "guanhuai.inbox",
    "guanhuai.visits",
    "guanhuai.compliance",
    "guanhuai.confirmations",
    "guanhuai.oversight",
    "guanhuai.reports",
    "guanhuai.relief",
    "guanhuai.community",
    "guanhuai.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "guanhuai.audit.middleware.RequestContextMiddleware",
    "guanhuai.accounts.middleware.IdleTimeoutMiddleware",
    "guanhuai.accounts.middleware.ForcePasswordChangeMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "guanhuai.config.urls"
WSGI_APPLICATION = "guanhuai.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "guanhuai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanhuai.web.context_processors.navigation",
                "guanhuai.inbox.context_processors.inbox",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'guanhuai.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers continue while the huey consumer or an import writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
elif env_bool("DB_SERVER_SIDE_BINDING", True):
    # Server-side parameters, and statements run 5 times on a connection become prepared ones,
    # planned once per connection instead of once per call: PostgreSQL's CPU per recorded visit
    # halves (bench/bench_compliance.py). Turn off behind a pooler that cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "guanhuai.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "guanhuai.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Login security (等保 level 3 practice).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
LOGIN_IP_MAX_FAILURES = env_int("LOGIN_IP_MAX_FAILURES", 20)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
REQUIRE_TOTP_FOR_ADMINS = env_bool("REQUIRE_TOTP_FOR_ADMINS", False)

SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages and htmx take the token from the template, never from the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "guanhuai" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "guanhuai" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# Background jobs: SQLite storage by default, Redis when HUEY_REDIS_URL is set.
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if HUEY_REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "guanhuai"),
        "url": HUEY_REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "guanhuai"),
        "filename": env_str("HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "guanhuai@localhost")

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Reminders: SMS through the deployment's gateway webhook (POST {"phone", "text"}); unset = no SMS.
SMS_WEBHOOK_URL = env_str("SMS_WEBHOOK_URL", "")
REMINDER_SMS = env_bool("REMINDER_SMS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Policy profile used where no region up the tree has one bound (a county trial).
DEFAULT_POLICY_PROFILE = env_str("DEFAULT_POLICY_PROFILE", "sichuan-2018")

# visits.Visit has a covering index (INCLUDE) for PostgreSQL; SQLite builds it without the included
# columns, which is what we want there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
