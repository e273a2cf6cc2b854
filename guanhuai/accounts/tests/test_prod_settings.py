"""Production settings refuse to start on missing or demo secrets, and harden HTTP when they start.

Each case imports ``guanhuai.config.settings.prod`` in a fresh interpreter with
its own environment, exactly as gunicorn would.
"""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guanhuai.config.settings.base import DEMO_BLIND_INDEX_KEY, DEMO_FIELD_ENCRYPTION_KEYS, DEMO_SECRET_KEY

ROOT = Path(__file__).resolve().parents[3]
CONFIG_VARS = {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_ALGORITHM", "BLIND_INDEX_KEY",
               "DATABASE_URL", "ALLOWED_HOSTS", "REQUIRE_TOTP_FOR_ADMINS", "SECURE_SSL_REDIRECT",
               "SECURE_HSTS_SECONDS", "DEBUG", "DJANGO_SETTINGS_MODULE", "TRUSTED_PROXY_COUNT",
               "TRUST_X_FORWARDED_FOR", "GUANHUAI_VAR_DIR", "HUEY_REDIS_URL", "HUEY_SQLITE_PATH"}

GOOD = {
    "SECRET_KEY": "k8Jq2vL0xWm7Rt4YbN1cZs9HdP3fGa6Ue5Ti0Oy2Qw8Er7Ty+Mz5",
    "FIELD_ENCRYPTION_KEYS": "k2026:" + base64.b64encode(bytes(range(32))).decode(),
    "BLIND_INDEX_KEY": base64.b64encode(bytes(range(100, 140))).decode(),
    "DATABASE_URL": "postgres://guanhuai@db.internal:5432/guanhuai",
    "ALLOWED_HOSTS": "guanhuai.example.gov.cn",
}
SHOW = ["DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS", "REQUIRE_TOTP_FOR_ADMINS", "ALLOWED_HOSTS", "SECRET_KEY", "TRUSTED_PROXY_COUNT"]


@pytest.fixture(autouse=True)
def var_dir(tmp_path, monkeypatch):
    """Keep the subprocesses' var/ (huey's SQLite queue) out of the working tree."""
    monkeypatch.setitem(GOOD, "GUANHUAI_VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS and not k.endswith("_FILE")}
    env.update(GOOD)
    return env


def start(**env_overrides) -> subprocess.CompletedProcess:
    env = clean_env()
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    code = ("import json, guanhuai.config.settings.prod as s; "
            f"print(json.dumps({{k: getattr(s, k) for k in {SHOW!r}}}))")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def refused(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("guanhuai.config.env.ConfigError:"), result.stderr
    return last


def test_it_starts_with_real_secrets_and_hardens_http():
    result = start()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["CSRF_COOKIE_SECURE"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["REQUIRE_TOTP_FOR_ADMINS"] is True
    assert values["ALLOWED_HOSTS"] == ["guanhuai.example.gov.cn"]
    assert values["TRUSTED_PROXY_COUNT"] == 0


@pytest.mark.parametrize(("env", "count"), [({"TRUSTED_PROXY_COUNT": "2"}, 2), ({"TRUST_X_FORWARDED_FOR": "true"}, 1)])
def test_the_number_of_trusted_proxies_is_configurable(env, count):
    result = start(**env)
    assert json.loads(result.stdout)["TRUSTED_PROXY_COUNT"] == count


@pytest.mark.parametrize("name", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
def test_it_refuses_to_start_without_a_secret(name):
    message = refused(start(**{name: None}))
    assert f"生产环境缺少必需的密钥 {name}" in message


@pytest.mark.parametrize(("name", "demo"), [("SECRET_KEY", DEMO_SECRET_KEY),
                                            ("FIELD_ENCRYPTION_KEYS", DEMO_FIELD_ENCRYPTION_KEYS),
                                            ("BLIND_INDEX_KEY", DEMO_BLIND_INDEX_KEY)])
def test_it_refuses_to_start_with_a_demo_secret(name, demo):
    message = refused(start(**{name: demo}))
    assert f"{name} 仍是演示值,生产环境拒绝启动" in message


def test_it_refuses_a_placeholder_secret_key():
    assert "仍是演示值" in refused(start(SECRET_KEY="django-insecure-" + "x" * 50))


@pytest.mark.parametrize("key", ["Ab3$" * 10, "abcd" * 20])
def test_it_refuses_a_short_or_simple_secret_key(key):
    assert "太短或过于简单" in refused(start(SECRET_KEY=key))


def test_it_refuses_the_demo_key_hidden_behind_a_new_one():
    demo_material = DEMO_FIELD_ENCRYPTION_KEYS.partition(":")[2]
    message = refused(start(FIELD_ENCRYPTION_KEYS=GOOD["FIELD_ENCRYPTION_KEYS"] + ",old:" + demo_material))
    assert "含有演示密钥" in message


@pytest.mark.parametrize(("keys", "expected"), [
    ("k1:" + base64.b64encode(bytes(20)).decode(), "解码后应为 32 字节"),
    ("no-key-id-here-at-all-0123456789", "格式应为 keyid:base64key"),
    ("k1:%%%%not*base64%%%%%%%%", "不是有效的 base64"),
])
def test_it_refuses_malformed_field_keys(keys, expected):
    assert expected in refused(start(FIELD_ENCRYPTION_KEYS=keys))


def test_it_refuses_a_short_blind_index_key():
    assert "至少应为 32 字节" in refused(start(BLIND_INDEX_KEY=base64.b64encode(bytes(range(24))).decode()))


def test_sm4_needs_a_sixteen_byte_key():
    assert "应为 16 字节" in refused(start(FIELD_ENCRYPTION_ALGORITHM="sm4-gcm"))
    sm4_key = "k1:" + base64.b64encode(bytes(range(16))).decode()
    assert start(FIELD_ENCRYPTION_ALGORITHM="sm4-gcm", FIELD_ENCRYPTION_KEYS=sm4_key).returncode == 0


@pytest.mark.parametrize(("name", "expected"), [("DATABASE_URL", "必须设置 DATABASE_URL"),
                                                ("ALLOWED_HOSTS", "必须设置 ALLOWED_HOSTS")])
def test_it_refuses_to_start_without_a_database_or_hosts(name, expected):
    assert expected in refused(start(**{name: None}))


def test_a_secret_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(GOOD["SECRET_KEY"][::-1] + "\n")
    result = start(SECRET_KEY=None, SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SECRET_KEY"] == GOOD["SECRET_KEY"][::-1]


def test_the_deployment_check_finds_nothing_to_warn_about(var_dir):
    env = clean_env() | {"DJANGO_SETTINGS_MODULE": "guanhuai.config.settings.prod"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (var_dir / "huey.sqlite3").parent.is_dir()
