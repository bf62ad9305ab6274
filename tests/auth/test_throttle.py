"""The per-account sign-in lock: keyed by username and client, atomic, and its rows expire."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from inspect_app.auth import passwords
from inspect_app.auth.models import LoginThrottle, Role
from inspect_app.db import utcnow
from tests.concurrency.conftest import at_once
from tests.conftest import PASSWORD, csrf_token, sign_in

STRANGER, OWNER = "203.0.113.9", "198.51.100.7"


def _client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _throttle(db, username: str, client: str) -> LoginThrottle | None:
    db.session.commit()  # a fresh read (SQLite keeps a transaction's snapshot)
    return db.session.get(LoginThrottle, (username, client), populate_existing=True)


def test_a_strangers_failures_lock_only_the_strangers_client(app, db, make_user):
    make_user(Role.ADMIN, username="admin")
    stranger = _client_from(app, STRANGER)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert sign_in(stranger, "admin", "guess-guess").status_code == 401
    assert sign_in(stranger, "admin", PASSWORD).status_code == 429
    # The real admin, elsewhere, signs in as usual.
    assert sign_in(_client_from(app, OWNER), "admin", PASSWORD).status_code == 302
    assert _throttle(db, "admin", STRANGER).locked_until is not None
    assert _throttle(db, "admin", OWNER) is None


@pytest.mark.parametrize("exists", [True, False])
def test_forty_wrong_passwords_at_once_check_exactly_the_limit(
    app, db, make_user, monkeypatch, exists
):
    if exists:
        make_user(Role.HR, username="target")
    checked = 0
    counting = threading.Lock()
    real_verify = passwords.verify_password

    def counted_verify(password_hash: str, password: str) -> bool:
        nonlocal checked
        with counting:
            checked += 1
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counted_verify)
    clients = [_client_from(app, STRANGER) for _ in range(40)]
    tokens = [csrf_token(c) for c in clients]
    replies = at_once(
        40,
        lambda i: clients[i].post(
            "/login",
            data={"username": "target", "password": "guess-guess", "csrf_token": tokens[i]},
        ),
    )
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert sorted(r.status_code for r in replies) == [401] * limit + [429] * (40 - limit)
    assert checked == limit
    row = _throttle(db, "target", STRANGER)
    assert row.failure_count == limit  # no update lost, none counted past the lock
    assert row.locked_until > utcnow()


def test_a_correct_password_within_the_limit_resets_that_clients_count(app, db, make_user):
    make_user(Role.HR, username="forgetful")
    phone = _client_from(app, OWNER)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert sign_in(phone, "forgetful", "wrong-wrong").status_code == 401
    assert sign_in(phone, "forgetful").status_code == 302
    assert _throttle(db, "forgetful", OWNER) is None
    again = _client_from(app, OWNER)
    for _ in range(limit - 1):
        assert sign_in(again, "forgetful", "wrong-wrong").status_code == 401
    assert _throttle(db, "forgetful", OWNER).failure_count == limit - 1


def test_the_lock_doubles_each_time_it_runs_out(app, db, make_user):
    make_user(Role.HR, username="target")
    phone = _client_from(app, STRANGER)
    limit, minutes = app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_LOCK_MINUTES"]
    for _ in range(limit):
        sign_in(phone, "target", "guess-guess")
    first = _throttle(db, "target", STRANGER).locked_until - utcnow()
    assert timedelta(minutes=minutes - 1) < first <= timedelta(minutes=minutes)
    _expire_lock(db, "target", STRANGER)
    assert sign_in(phone, "target", "guess-guess").status_code == 401  # one more try, checked
    second = _throttle(db, "target", STRANGER).locked_until - utcnow()
    assert timedelta(minutes=2 * minutes - 1) < second <= timedelta(minutes=2 * minutes)
    locked = sign_in(phone, "target", PASSWORD)
    assert locked.status_code == 429
    assert str(2 * minutes) in locked.text


def _expire_lock(db, username: str, client: str) -> None:
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == username, LoginThrottle.client == client)
        .values(locked_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_rows_of_unknown_names_and_stale_rows_expire(app, db):
    now = utcnow()
    old, recent = now - timedelta(days=2), now - timedelta(hours=1)
    db.session.add_all(
        [
            LoginThrottle(username="ghost1", client=STRANGER, failure_count=1, last_failure_at=old),
            LoginThrottle(
                username="ghost2", client=STRANGER, failure_count=9, last_failure_at=old,
                locked_until=now - timedelta(hours=3),
            ),
            # Still locked: kept until the lock has passed, whatever its age.
            LoginThrottle(
                username="ghost3", client=STRANGER, failure_count=9, last_failure_at=old,
                locked_until=now + timedelta(hours=1),
            ),
            LoginThrottle(username="ghost4", client=OWNER, failure_count=2, last_failure_at=recent),
        ]
    )  # fmt: skip
    db.session.commit()
    assert sign_in(_client_from(app, OWNER), "nobody-at-all", "guess-guess").status_code == 401
    db.session.commit()
    left = set(db.session.scalars(select(LoginThrottle.username)))
    assert left == {"ghost3", "ghost4", "nobody-at-all"}
