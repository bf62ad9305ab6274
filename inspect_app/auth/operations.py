"""Sign-in with throttling, user creation and session ending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, tuple_, update

from inspect_app.audit.operations import record_event
from inspect_app.auth import passwords
from inspect_app.auth.models import LoginThrottle, Role, User
from inspect_app.auth.passwords import MIN_PASSWORD_LENGTH, burn_verify_time, hash_password
from inspect_app.db import utcnow
from inspect_app.extensions import db
from inspect_app.locking import dialect_insert, unique_violation_as

#: Throttle rows whose last attempt is older than this, and whose lock has passed, are deleted.
THROTTLE_KEEP = timedelta(days=1)


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    #: Set when the username is throttled; the caller must not reveal whether it exists.
    locked_minutes: int | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def authenticate(username: str, password: str, client: str | None) -> SignInResult:
    """Check a sign-in, throttled per username and client, for known and unknown names alike.

    The attempt is counted before the password is verified (an atomic upsert that also sets the
    lock on reaching the limit), so attempts arriving at once never verify more passwords than
    the limit allows. A correct password resets that client's count. The lock applies to one
    client only: failures from elsewhere never lock the real user out.
    """
    username = normalise_username(username)[:64]
    client = (client or "unknown")[:64]
    now = utcnow()
    if _reserve_attempt(username, client, now) is None:
        return SignInResult(None, locked_minutes=_locked_minutes(username, client, now))
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        burn_verify_time(password)
        ok = False
    else:
        ok = passwords.verify_password(user.password_hash, password) and user.is_active
    if ok:
        db.session.execute(delete(LoginThrottle).where(*_throttle_key(username, client)))
        user.last_login_at = now
        db.session.flush()
        return SignInResult(user)
    forget_stale_throttles(now)
    db.session.flush()
    return SignInResult(None)


def _throttle_key(username: str, client: str) -> tuple:
    return (LoginThrottle.username == username, LoginThrottle.client == client)


def _reserve_attempt(username: str, client: str, now: datetime) -> int | None:
    """Count one attempt unless the client is locked out; the new count, or None when locked.

    On PostgreSQL the upsert holds the row until the transaction ends, so concurrent attempts
    for one username and client are counted and decided one after the other.
    """
    table = LoginThrottle.__table__
    statement = (
        dialect_insert(LoginThrottle)
        .values(username=username, client=client, failure_count=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.username, table.c.client],
            set_={"failure_count": table.c.failure_count + 1, "last_failure_at": now},
            where=or_(table.c.locked_until.is_(None), table.c.locked_until <= now),
        )
        .returning(table.c.failure_count)
    )
    count = db.session.execute(statement).scalar_one_or_none()
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if count is not None and count >= limit:
        # Locked now, before the check: should this attempt fail, the next ones wait. Each
        # lock after the first doubles, up to a day, so guessing stays slow.
        minutes = min(current_app.config["LOGIN_LOCK_MINUTES"] * 2 ** (count - limit), 24 * 60)
        db.session.execute(
            update(LoginThrottle)
            .where(*_throttle_key(username, client))
            .values(locked_until=now + timedelta(minutes=minutes))
        )
    return count


def _locked_minutes(username: str, client: str, now: datetime) -> int:
    locked_until = db.session.scalar(
        select(LoginThrottle.locked_until).where(*_throttle_key(username, client))
    )
    if locked_until is None:
        return 1
    return int((locked_until - now).total_seconds() // 60) + 1


def forget_stale_throttles(now: datetime) -> int:
    """Delete throttle rows whose last attempt is over a day old and whose lock has passed."""
    table = LoginThrottle.__table__
    stale = (
        select(table.c.username, table.c.client)
        .where(
            table.c.last_failure_at < now - THROTTLE_KEEP,
            or_(table.c.locked_until.is_(None), table.c.locked_until <= now),
        )
        # Rows another sign-in holds are left for the next sweep rather than waited for.
        .with_for_update(skip_locked=True)
    )
    result = db.session.execute(
        delete(LoginThrottle).where(tuple_(table.c.username, table.c.client).in_(stale))
    )
    return result.rowcount or 0


def end_sessions(user: User) -> None:
    """End every session the user has, on every device."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def create_user(
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    actor_id: int | None = None,
) -> User:
    """Create a user; UserError for a taken name or a weak password."""
    username = normalise_username(username)
    if (
        not username
        or len(username) > 64
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise UserError(_("Usernames use letters, digits, dot, dash and underscore (at most 64)."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        )
    exists = db.session.scalar(
        select(func.count()).select_from(User).where(User.username == username)
    )
    if exists:
        raise UserError(_("The username %(name)s is taken.", name=username))
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
    )
    # Two admins creating the same name at once: the second gets the same refusal.
    with unique_violation_as(UserError(_("The username %(name)s is taken.", name=username))):
        db.session.add(user)
        db.session.flush()
    record_event("user.create", user, actor_id=actor_id, role=str(role), username=username)
    return user


def reset_password(user: User, password: str, actor_id: int) -> None:
    """Set a new password and end the user's sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        )
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.flush()
    record_event("user.reset_password", user, actor_id=actor_id)
