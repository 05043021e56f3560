"""Settings of the duty desk, read from the environment (``DUTYDESK_*`` and ``DATABASE_URL``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SECRET = "dev-insecure-secret-change-me"
LANGUAGES = ("zh_CN", "en")


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server notifications go through (``DUTYDESK_SMTP_*``); no host means no e-mail."""

    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "dutydesk@localhost"
    starttls: bool = False


class SettingsError(RuntimeError):
    """The environment asks for something the desk refuses to run with."""


@dataclass(frozen=True)
class Settings:
    """Everything the desk reads from its environment, with the defaults of a one-machine install."""

    env: str = "production"
    secret_key: str = DEFAULT_SECRET
    database_url: str = ""
    timezone: str = "Asia/Shanghai"
    port: int = 5000
    run_retention_days: int = 90
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    secure_cookies: bool = True
    proxy_hops: int = 0
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    base_url: str = ""  # DUTYDESK_BASE_URL: the desk's address as people reach it, for links in notifications
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        """The desk's local time zone."""
        return ZoneInfo(self.timezone)


def default_sqlite_url(instance_path: str | Path) -> str:
    """The SQLite file in the instance folder used when ``DATABASE_URL`` is not set."""
    return f"sqlite:///{Path(instance_path) / 'dutydesk.sqlite'}"


def _int_env(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def load_settings(environ: dict[str, str] | None = None, *, instance_path: str | Path = "instance") -> Settings:
    """Read and check the settings; raise :class:`SettingsError` with a clear message when they are unsafe."""
    env = dict(os.environ if environ is None else environ)
    settings = Settings(
        env=env.get("DUTYDESK_ENV", "production"),
        secret_key=env.get("DUTYDESK_SECRET_KEY", DEFAULT_SECRET),
        database_url=env.get("DATABASE_URL") or default_sqlite_url(instance_path),
        timezone=env.get("DUTYDESK_TIMEZONE", "Asia/Shanghai"),
        port=_int_env(env, "DUTYDESK_PORT", 5000),
        run_retention_days=_int_env(env, "DUTYDESK_RUN_RETENTION_DAYS", 90),
        login_max_failures=_int_env(env, "DUTYDESK_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_int_env(env, "DUTYDESK_LOGIN_LOCK_MINUTES", 15),
        secure_cookies=env.get("DUTYDESK_SECURE_COOKIES", "1") not in ("0", "false", "no"),
        proxy_hops=_int_env(env, "DUTYDESK_PROXY_HOPS", 0),
        smtp=SmtpSettings(host=env.get("DUTYDESK_SMTP_HOST", ""), port=_int_env(env, "DUTYDESK_SMTP_PORT", 25),
                          user=env.get("DUTYDESK_SMTP_USER", ""), password=env.get("DUTYDESK_SMTP_PASSWORD", ""),
                          sender=env.get("DUTYDESK_SMTP_FROM", "") or "dutydesk@localhost",
                          starttls=env.get("DUTYDESK_SMTP_STARTTLS", "0") in ("1", "true", "yes")),
        base_url=env.get("DUTYDESK_BASE_URL", "").rstrip("/"),
    )
    check_settings(settings)
    return settings


MIN_SECRET = 32
_MAKE_SECRET = "python -c 'import secrets; print(secrets.token_hex(32))'"


def check_settings(settings: Settings) -> None:
    """Refuse the built-in secret outside development, a short secret, an unknown time zone, negative hops."""
    if settings.env != "development" and settings.secret_key == DEFAULT_SECRET:
        raise SettingsError(f"DUTYDESK_SECRET_KEY is not set. Set it to a long random value ({_MAKE_SECRET}), "
                            "or set DUTYDESK_ENV=development on a developer machine.")
    if settings.env != "development" and len(settings.secret_key) < MIN_SECRET:
        raise SettingsError(f"DUTYDESK_SECRET_KEY must be at least {MIN_SECRET} characters ({_MAKE_SECRET}).")
    if not 0 <= settings.proxy_hops <= 10:
        raise SettingsError("DUTYDESK_PROXY_HOPS must be the number of proxies in front of the desk (0 to 10).")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"DUTYDESK_TIMEZONE {settings.timezone!r} is not a known time zone") from exc
