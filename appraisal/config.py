"""Settings, read from environment variables (documented in README.md)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written with owner-only permissions: the key signs every session cookie.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_url(instance_path: str) -> str:
    """DATABASE_URL, normalised to psycopg 3; a SQLite file in the instance folder by default."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'appraisal.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def build_config(instance_path: str) -> dict:
    """The whole configuration as a dict, so tests can override any key."""
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 10),
        "LOGIN_FAILURE_WINDOW_MINUTES": _int("LOGIN_FAILURE_WINDOW_MINUTES", 15),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("APPRAISAL_TIMEZONE", "UTC"),
        "LANGUAGES": ["en", "zh"],
        "PAGE_SIZE": _int("PAGE_SIZE", 50),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 64) * 1024 * 1024,
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "appraisal@localhost"),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 5),
        "MAIL_RETRY_SECONDS": _int("MAIL_RETRY_SECONDS", 300),
        "MAIL_CLAIM_TIMEOUT_SECONDS": _int("MAIL_CLAIM_TIMEOUT_SECONDS", 900),
        "SCHEDULER_OUTBOX_SECONDS": _int("SCHEDULER_OUTBOX_SECONDS", 60),
        "SCHEDULER_HOUSEKEEPING_SECONDS": _int("SCHEDULER_HOUSEKEEPING_SECONDS", 3600),
        "SCHEDULER_ALARMS_SECONDS": _int("SCHEDULER_ALARMS_SECONDS", 900),
        "IDEMPOTENCY_KEEP_DAYS": _int("IDEMPOTENCY_KEEP_DAYS", 7),
        "UPLOAD_KEEP_HOURS": _int("UPLOAD_KEEP_HOURS", 48),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
    }
