"""Loading the signed-in user from the session, and choosing the UI language."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspect_app.auth.models import User
from inspect_app.extensions import db

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def load_user_from_session_id(session_id: str) -> User | None:
    """Return the user for "id:version" if active and the version is current."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def select_locale() -> str:
    """Pick the language: the session's choice, then the user's, then the site default."""
    chosen = session.get("lang") if request else None
    if chosen in LANGUAGES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.language in LANGUAGES:
        return current_user.language
    return current_app.config["DEFAULT_LANGUAGE"]


def is_api_request() -> bool:
    """Whether this request comes from a page script (the phone's outbox, autosave)."""
    return request.path.startswith("/api/")


def api_requires_session():
    """Answer an API call without a valid sign-in with 401, before its CSRF token is checked.

    Registered ahead of CSRFProtect: a phone whose session ended must hear "sign in again",
    not "this form expired", so that it keeps what it queued instead of discarding it.
    """
    if is_api_request() and not current_user.is_authenticated:
        return unauthorized()
    return None


def unauthorized():
    """Send a signed-out browser to sign in; give scripts a 401 they can act on."""
    if is_api_request() or request.accept_mimetypes.best == "application/json":
        message = _("Your sign-in has ended. Sign in again; nothing saved on this phone is lost.")
        return jsonify(ok=False, status=401, message=message, login=url_for("auth.login")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
