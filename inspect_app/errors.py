"""Error pages in the user's language; never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from inspect_app.extensions import db
from inspect_app.uploads import is_photo_form, photos_too_large_message


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        401: (_("Sign-in needed"), _("Sign in to continue.")),
        403: (
            _("Not allowed"),
            _("Your role does not allow this. Ask an administrator if you need it."),
        ),
        404: (
            _("Not found"),
            _("There is nothing here, or it is not yours to see. Check the address."),
        ),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        409: (
            _("Conflict"),
            _("This clashes with something already saved. Reload the page and try again."),
        ),
        413: (_("Too large"), _("The upload is too large. Use a smaller file.")),
        429: (_("Too many requests"), _("Wait a moment and try again.")),
        500: (
            _("Something went wrong"),
            _(
                "The error has been logged. Nothing you saved before was lost; try again in a moment."
            ),
        ),
        503: (_("Unavailable"), _("The service is busy or being updated. Try again in a moment.")),
    }


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json" or request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None, field: str | None = None):
    """Render the error page (or JSON for API callers) for an HTTP status code."""
    title, message = _messages().get(code, (_("Error"), _("The request failed.")))
    if detail:
        message = detail
    if _wants_json():
        extra = {"field": field} if field else {}
        return jsonify(ok=False, error=title, message=message, status=code, **extra), code
    return render_template("error.html", code=code, title=title, message=message), code


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        if request.path.startswith("/api/"):
            # Signed in, but the page's token is stale (the session was renewed): the page
            # fetches a fresh one from csrf_url and sends the same request again.
            message = _("The page's security token has expired; it is renewed automatically.")
            return jsonify(
                ok=False, status=403, code="csrf", message=message, csrf_url="/api/csrf-token"
            ), 403
        return render_error(
            400,
            _("The form expired or was sent from elsewhere. Reload the page and send it again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        detail = getattr(error, "user_message", None)
        if error.code == 413 and detail is None and is_photo_form():
            detail = photos_too_large_message()
        return render_error(error.code, detail, getattr(error, "field", None))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)

    @app.errorhandler(DataError)
    def _unstorable(error: DataError):
        # The database refused a value (an id beyond its integer range, say) that got past the
        # checks in inspect_app.edge: the data is wrong, and sending it again cannot help.
        app.logger.warning(
            "Value refused by the database on %s %s: %s", request.method, request.path, error.orig
        )
        db.session.rollback()
        return render_error(
            400, _("A value sent is out of range and cannot be saved. Correct it and send again.")
        )
