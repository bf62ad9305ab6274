"""Sign-in with throttling, user creation and session ending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from inspect_app.audit.operations import record_event
from inspect_app.auth.models import LoginThrottle, Role, User
from inspect_app.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    burn_verify_time,
    hash_password,
    verify_password,
)
from inspect_app.db import utcnow
from inspect_app.extensions import db


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    #: Set when the username is throttled; the caller must not reveal whether it exists.
    locked_minutes: int | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _throttle_for(username: str) -> LoginThrottle:
    throttle = db.session.get(LoginThrottle, username)
    if throttle is None:
        throttle = LoginThrottle(username=username, failure_count=0)
        db.session.add(throttle)
    return throttle


def authenticate(username: str, password: str) -> SignInResult:
    """Check a sign-in; count failures per username in the database, known or not."""
    username = normalise_username(username)[:64]
    now = utcnow()
    throttle = db.session.get(LoginThrottle, username)
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        minutes = int((throttle.locked_until - now).total_seconds() // 60) + 1
        return SignInResult(None, locked_minutes=minutes)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        burn_verify_time(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.is_active
    if ok:
        if throttle is not None:
            db.session.delete(throttle)
        user.last_login_at = now
        db.session.flush()
        return SignInResult(user)
    throttle = _throttle_for(username)
    throttle.failure_count = (throttle.failure_count or 0) + 1
    throttle.last_failure_at = now
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if throttle.failure_count >= limit:
        # Each lock after the first doubles, up to a day, so guessing stays slow.
        lock_rounds = throttle.failure_count - limit
        minutes = min(current_app.config["LOGIN_LOCK_MINUTES"] * 2**lock_rounds, 24 * 60)
        throttle.locked_until = now + timedelta(minutes=minutes)
    db.session.flush()
    return SignInResult(None)


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
    db.session.add(user)
    db.session.flush()
    record_event("user.create", user, actor_id=actor_id, role=str(role), username=username)
    return user


def _active_admins(excluding: int | None = None) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active)
    if excluding is not None:
        query = query.where(User.id != excluding)
    return db.session.scalar(query) or 0


def _snapshot(user: User) -> dict:
    """The fields update_user may change, for the audit trail's before and after."""
    return {
        "display_name": user.display_name,
        "role": str(user.role),
        "is_active": user.is_active,
        "region_id": user.region_id,
        "stores": sorted(s.id for s in user.stores),
        "regions": sorted(r.id for r in user.regions),
    }


def update_user(
    user: User,
    *,
    actor_id: int,
    display_name: str,
    role: Role,
    is_active: bool,
    region_id: int | None,
    store_ids: list[int],
    region_ids: list[int],
) -> dict:
    """Change a user's name, role, status and scope; return what changed (for the audit trail)."""
    from inspect_app.stores.models import Region, Store

    display_name = display_name.strip()
    if not display_name or len(display_name) > 100:
        raise UserError(_("Give a name of at most 100 characters."))
    was_admin = user.role == Role.ADMIN and user.is_active
    if (
        was_admin
        and (role != Role.ADMIN or not is_active)
        and _active_admins(excluding=user.id) == 0
    ):
        raise UserError(
            _("This is the last active administrator; make someone else an administrator first.")
        )
    stores = (
        list(db.session.scalars(select(Store).where(Store.id.in_(store_ids)))) if store_ids else []
    )
    regions = (
        list(db.session.scalars(select(Region).where(Region.id.in_(region_ids))))
        if region_ids
        else []
    )
    if len(stores) != len(set(store_ids)) or len(regions) != len(set(region_ids)):
        raise UserError(_("Some of the chosen halls or regions do not exist."))
    if role == Role.MANAGER and not stores and not regions:
        raise UserError(_("A store manager needs at least one hall or region to see."))
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise UserError(_("Some of the chosen halls or regions do not exist."))
    before = _snapshot(user)
    user.display_name = display_name
    user.role = role
    user.region_id = region_id if role == Role.INSPECTOR else None
    user.stores = stores if role == Role.MANAGER else []
    user.regions = regions if role == Role.MANAGER else []
    if user.is_active and not is_active:
        end_sessions(user)
    user.is_active = is_active
    after = _snapshot(user)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if "role" in changes:
        end_sessions(user)  # the new role's menus and rights apply at the next sign-in
    db.session.flush()
    if changes:
        record_event("user.update", user, actor_id=actor_id, **changes)
    return changes


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
