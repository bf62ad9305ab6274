"""Settings: defaults in classes, overrides from INSPECT_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production defaults. Every key can be overridden with INSPECT_<KEY>."""

    SECRET_KEY: str | None = None
    #: SQLAlchemy URL; empty means a SQLite file in the instance folder.
    DATABASE_URL: str = ""
    #: Where photos are stored; empty means <instance>/photos (never under static/).
    PHOTO_DIR: str = ""
    CHECKLIST_DIR: str = str(PROJECT_ROOT / "checklists")
    #: Largest request body in bytes (one photo upload or one form post).
    MAX_UPLOAD_BYTES: int = 15 * 1024 * 1024
    #: Largest body of a form that carries photos with its text (the visit form without
    #: JavaScript, appeals, corrective actions); each photo in it is still held to
    #: MAX_UPLOAD_BYTES on its own. File parts are spooled to disk, not held in memory.
    MAX_FORM_BYTES: int = 200 * 1024 * 1024
    #: Largest decoded photo in pixels; bigger images are refused as decompression bombs.
    MAX_PHOTO_PIXELS: int = 50_000_000
    #: Days after approval during which a store manager may appeal a finding.
    APPEAL_WINDOW_DAYS: int = 7
    #: Days a store has to record a corrective action for a failed item.
    CORRECTIVE_ACTION_DAYS: int = 14
    DEFAULT_LANGUAGE: str = "zh_CN"
    #: The halls' time zone: visit dates, form times and photo capture times use it.
    TIMEZONE: str = "Asia/Shanghai"
    #: Most visits one inspector can make in a month; the planner never plans more.
    INSPECTOR_MONTHLY_VISITS: int = 80
    #: Where finished exports are kept; empty means <instance>/exports.
    EXPORT_DIR: str = ""
    #: Hours a finished export stays downloadable.
    EXPORT_KEEP_HOURS: int = 24
    #: TrueType font files the PDFs are set in, separated by ":" (os.pathsep): the body font
    #: first, then fonts for the characters it lacks. The defaults are Debian's packages
    #: fonts-wqy-zenhei, fonts-dejavu-core, fonts-symbola and fonts-hanazono; missing files are
    #: skipped, and with none left the PDFs fall back to the reader's STSong-Light.
    PDF_FONTS: str = os.pathsep.join(
        (
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
            "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
            "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
        )
    )
    #: Days a signed-in session lasts (inspectors stay signed in on their phones).
    SESSION_DAYS: int = 14
    #: May an inspector start a visit that no assignment asked for?
    ALLOW_UNASSIGNED_VISITS: bool = True
    #: Send the session cookie over HTTPS only.
    SECURE_COOKIES: bool = False
    #: Failed sign-ins in a row before an account is throttled, and for how long.
    LOGIN_MAX_FAILURES: int = 5
    LOGIN_LOCK_MINUTES: int = 15
    #: Sign-in attempts one client address may make (Flask-Limiter notation), beside the
    #: per-account lock.
    LOGIN_RATE_LIMIT: str = "30 per minute"
    #: Turn the per-address sign-in limit on or off.
    RATELIMIT_ENABLED: bool = True
    #: Where the per-address counts live: "memory://" (each worker counts apart) or a Redis
    #: URL such as redis://127.0.0.1:6379/0 shared by every worker and host (install [redis]).
    RATELIMIT_STORAGE_URI: str = "memory://"
    #: Prefix of the rate-limit keys, so several installations can share one Redis.
    RATELIMIT_KEY_PREFIX: str = "inspect"
    #: Reverse proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto;
    #: 0 (no proxy) uses the connection's address. Sign-in limits key on the client address.
    PROXY_FIX_HOPS: int = 0
    #: Argon2id cost; tests lower it, production keeps the library's recommended values.
    ARGON2_TIME_COST: int = 3
    ARGON2_MEMORY_COST: int = 65536
    #: Seconds SQLite waits for a lock before giving up.
    SQLITE_BUSY_TIMEOUT: int = 30
    #: Commands and jobs (outside a request) take SQLite's write lock when they begin.
    SQLITE_IMMEDIATE_OUTSIDE_REQUESTS: bool = True
    DEMO: bool = False
    TESTING: bool = False


class TestConfig(Config):
    """Fast, isolated settings for the test suite."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    LOGIN_LOCK_MINUTES = 15
    # Tests that exercise the per-address sign-in limit build an app with it on.
    RATELIMIT_ENABLED = False
    # Test code reads the database between requests (and beside a live server
    # thread); its own transactions must not hold the write lock.
    SQLITE_IMMEDIATE_OUTSIDE_REQUESTS = False


_INT_KEYS = {
    "MAX_UPLOAD_BYTES",
    "MAX_FORM_BYTES",
    "MAX_PHOTO_PIXELS",
    "APPEAL_WINDOW_DAYS",
    "CORRECTIVE_ACTION_DAYS",
    "LOGIN_MAX_FAILURES",
    "LOGIN_LOCK_MINUTES",
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_COST",
    "SQLITE_BUSY_TIMEOUT",
    "SESSION_DAYS",
    "EXPORT_KEEP_HOURS",
    "INSPECTOR_MONTHLY_VISITS",
    "PROXY_FIX_HOPS",
}
_BOOL_KEYS = {
    "ALLOW_UNASSIGNED_VISITS",
    "SECURE_COOKIES",
    "DEMO",
    "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS",
    "RATELIMIT_ENABLED",
}


def settings_from_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Return the INSPECT_* overrides, converted to the types the settings expect."""
    environ = dict(os.environ if environ is None else environ)
    known = {k for k in dir(Config) if k.isupper()}
    out: dict[str, object] = {}
    for name, raw in environ.items():
        if not name.startswith("INSPECT_"):
            continue
        key = name.removeprefix("INSPECT_")
        if key not in known:
            continue
        if key in _INT_KEYS:
            try:
                out[key] = int(raw)
            except ValueError as exc:
                raise RuntimeError(f"{name} must be a whole number, not {raw!r}") from exc
        elif key in _BOOL_KEYS:
            out[key] = _env_bool(raw)
        else:
            out[key] = raw
    return out
