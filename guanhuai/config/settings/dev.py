"""Local development and `make demo`: SQLite, debug on, demo keys allowed."""

from guanhuai.config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Autorefresh stats the static folder on every request: only worth it while debugging.
WHITENOISE_AUTOREFRESH = DEBUG
