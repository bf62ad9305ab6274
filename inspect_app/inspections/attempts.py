"""Attempt ids: a request the phone repeats is answered with its first outcome, never re-applied.

Every state-changing request from the phone's outbox carries an ``Idempotency-Key`` header (a
UUID made when the record was queued; the header is the IETF draft "The Idempotency-Key HTTP
Header Field"). The first request with a key runs and its response (status and JSON body) is
kept beside the change it made; a later request with the same key from the same user gets that
response back unchanged, whatever happened to the visit since (a reviewer's return included).

The key row is inserted with INSERT … ON CONFLICT DO NOTHING before the view runs, so two copies
of one attempt arriving at once are serialised by the unique key on PostgreSQL (the second
waits for the first to commit) and by the write lock on SQLite.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import Response, jsonify, make_response, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from inspect_app.db import Base, utcnow
from inspect_app.extensions import db
from inspect_app.locking import insert_or_ignore

HEADER = "Idempotency-Key"
#: The hidden field that carries the attempt id of an ordinary form (no JavaScript needed).
FORM_FIELD = "attempt"
#: How long a copy of a form waits for the first copy's outcome (a double tap).
FORM_WAIT_SECONDS = 5.0
KEY_PATTERN = re.compile(r"^[0-9A-Za-z_-]{8,64}$")
#: An attempt whose outcome was never recorded (its worker died mid-way) may run again after this.
STALE_AFTER = timedelta(minutes=2)
#: Outcomes are kept this long; a phone offline for longer replays against the visit's state.
KEEP_FOR = timedelta(days=30)


class RequestAttempt(Base):
    """One state-changing request from a phone, and the response it got."""

    __tablename__ = "request_attempts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The client's attempt id (Idempotency-Key header).
    key: Mapped[str] = mapped_column(String(64))
    #: "POST /api/visits/<uuid>/submit": a key reused for another request is refused.
    endpoint: Mapped[str] = mapped_column(String(200))
    #: None while the first request is still running.
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def _insert_key(user_id: int, key: str, endpoint: str) -> bool:
    """Insert the attempt's row; False when the user already sent this key."""
    values = {"user_id": user_id, "key": key, "endpoint": endpoint, "created_at": utcnow()}
    return insert_or_ignore(RequestAttempt, values)


def _stored(user_id: int, key: str) -> RequestAttempt | None:
    return db.session.scalar(
        select(RequestAttempt)
        .where(RequestAttempt.user_id == user_id, RequestAttempt.key == key)
        .execution_options(populate_existing=True)
    )


def _replay(attempt: RequestAttempt) -> Response:
    response = jsonify(attempt.response or {})
    response.status_code = attempt.status_code or 200
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _refuse(status: int, message: str, code: str) -> Response:
    response = jsonify(ok=False, status=status, message=message, code=code)
    response.status_code = status
    if status == 409:
        response.headers["Retry-After"] = "2"
    return response


def replayable(view: Callable) -> Callable:
    """Decorate a JSON view: run each Idempotency-Key once per user and replay its outcome.

    Requests without the header run as before. A key reused for another URL is a 422; a copy
    that arrives while the first is still running gets 409 with Retry-After (the outbox retries).
    Outcomes of 5xx are not kept, so the attempt can be tried again.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not KEY_PATTERN.match(key):
            return _refuse(400, _("The request's attempt id is not valid."), "bad_attempt_id")
        user_id = current_user.id
        endpoint = f"{request.method} {request.path}"[:200]
        if not _insert_key(user_id, key, endpoint):
            attempt = _stored(user_id, key)
            if attempt is None:  # deleted since (expired): run it as new
                _insert_key(user_id, key, endpoint)
            elif attempt.endpoint != endpoint:
                return _refuse(
                    422,
                    _("This attempt id was already used for another request."),
                    "attempt_reused",
                )
            elif attempt.status_code is not None:
                db.session.rollback()
                return _replay(attempt)
            elif utcnow() - attempt.created_at < STALE_AFTER:
                db.session.rollback()
                return _refuse(
                    409,
                    _("This request is still being processed; it is retried shortly."),
                    "in_progress",
                )
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 500:
            db.session.rollback()
            return response
        attempt = _stored(user_id, key)
        if attempt is not None:  # None when the view rolled back: nothing was applied
            attempt.status_code = response.status_code
            attempt.response = response.get_json(silent=True) or {}
            db.session.commit()
        return response

    return wrapped


def _outcome_of_copy(user_id: int, key: str) -> RequestAttempt | None:
    """Wait until the first copy of a form has its outcome; None if it left none."""
    deadline = time.monotonic() + FORM_WAIT_SECONDS
    while True:
        attempt = _stored(user_id, key)
        if attempt is None or attempt.status_code is not None or time.monotonic() > deadline:
            return attempt
        db.session.rollback()  # a new snapshot, so the first copy's commit becomes visible
        time.sleep(0.1)


def replayable_form(view: Callable) -> Callable:
    """Decorate a form view: a form sent twice (a double tap, a resend after a lost answer) is
    applied once, and the second copy is sent where the first one went.

    The form carries FORM_FIELD, a fresh UUID per rendering (the template global new_attempt_id). Only redirects — the form was taken —
    are remembered; a refused form changed nothing that a second copy could repeat, so its
    attempt is forgotten and the same form may be sent again.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.form.get(FORM_FIELD) or ""
        if not KEY_PATTERN.match(key):
            return view(*args, **kwargs)
        user_id = current_user.id
        endpoint = f"{request.method} {request.path}"[:200]
        if not _insert_key(user_id, key, endpoint):
            attempt = _outcome_of_copy(user_id, key)
            location = ((attempt.response or {}).get("location") if attempt else None) or None
            if attempt is not None and attempt.endpoint == endpoint and location:
                db.session.rollback()
                return redirect(location, 303)
            if attempt is not None:
                db.session.delete(attempt)
                db.session.flush()
            _insert_key(user_id, key, endpoint)
        response = make_response(view(*args, **kwargs))
        attempt = _stored(user_id, key)
        if attempt is not None:
            if 300 <= response.status_code < 400 and response.location:
                attempt.status_code = response.status_code
                attempt.response = {"location": response.location}
            else:
                db.session.delete(attempt)
            db.session.commit()
        return response

    return wrapped


def forget_old_attempts(now: datetime) -> int:
    """Delete outcomes older than KEEP_FOR; return how many went."""
    result = db.session.execute(
        RequestAttempt.__table__.delete().where(RequestAttempt.created_at < now - KEEP_FOR)
    )
    return result.rowcount or 0
