"""Sign in, sign out and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from inspect_app.audit.operations import record_event
from inspect_app.auth import bp
from inspect_app.auth.forms import LanguageForm, LoginForm
from inspect_app.auth.operations import authenticate, end_sessions
from inspect_app.extensions import db


def safe_next(target: str | None) -> str | None:
    """Return target only if it is a path on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        # Behind a reverse proxy, INSPECT_PROXY_FIX_HOPS makes remote_addr the phone's address.
        result = authenticate(form.username.data, form.password.data, request.remote_addr)
        if result.user is not None:
            record_event("user.sign_in", result.user, actor_id=result.user.id)
            db.session.commit()
            session.clear()
            session.permanent = True  # survives closing the browser, so queued work can be sent
            login_user(result.user)
            return redirect(safe_next(form.next.data) or url_for("main.home"))
        db.session.commit()  # keep the failure count
        if result.locked_minutes is not None:
            flash(
                _("Too many failed sign-ins. Try again in %(n)s minutes.", n=result.locked_minutes),
                "error",
            )
            status = 429
        else:
            flash(_("Wrong username or password."), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_sessions(user)
        record_event("user.sign_out", user, actor_id=user.id)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        current_user.language = form.lang.data
        db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("main.home"))
