"""Settings read per request or job: the halls' time zone, the UI language.

Photo limits are inspect_app.photos.limits.photo_limits.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale


def halls_tz() -> ZoneInfo:
    """The halls' time zone (INSPECT_TIMEZONE): visit dates and typed times use it."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def current_lang() -> str:
    """The UI language of this request ("zh_CN" or "en")."""
    locale = get_locale()
    if locale is None:
        return current_app.config["DEFAULT_LANGUAGE"]
    # Babel names zh_CN "zh_Hans_CN"; the rest of the app (and the language switch) says zh_CN.
    return "en" if locale.language == "en" else "zh_CN"
