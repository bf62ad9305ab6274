"""The per-address sign-in limit (Flask-Limiter), with memory storage and with a real Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask_babel import gettext
from markupsafe import escape

from inspect_app import create_app
from inspect_app.config import TestConfig
from inspect_app.extensions import db as _db
from tests.conftest import IsolatedClient, csrf_token

REDIS_URL = "redis://127.0.0.1:6379/0"
LIMIT = 3


def _limited_app(database_url: str, tmp_path, **overrides) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "PHOTO_DIR": str(tmp_path / "photos"),
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
            **overrides,
        },
        config_class=TestConfig,
    )
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def limited_app(db, database_url, tmp_path) -> Iterator[Flask]:
    """A second app on the test database with the per-address limit on (memory storage)."""
    app = _limited_app(database_url, tmp_path)
    yield app
    with app.app_context():
        _db.engine.dispose()


def _attempt(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": "someone", "password": "guess-guess", "csrf_token": token}
    )


def _too_many(app: Flask) -> str:
    with app.test_request_context():
        return str(escape(gettext("Wait a moment and try again.")))


def test_one_address_is_limited_and_others_are_not(limited_app):
    client = limited_app.test_client()
    for n in range(LIMIT):
        assert _attempt(client, "203.0.113.9").status_code == 401, n
    refused = _attempt(client, "203.0.113.9")
    assert refused.status_code == 429
    assert _too_many(limited_app) in refused.text  # the error page, in the user's language
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/login").status_code == 200  # showing the page is not limited
    assert _attempt(limited_app.test_client(), "198.51.100.7").status_code == 401


def test_the_limit_is_off_in_the_test_config(app, client):
    assert app.config["LOGIN_MAX_FAILURES"] > LIMIT
    for _ in range(LIMIT + 1):
        assert _attempt(client, "203.0.113.9").status_code == 401
    assert app.extensions["sign_in_limiter"].enabled is False


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the real Redis; its keys are deleted afterwards."""
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not running on {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is not running on {REDIS_URL}")
    prefix = f"inspect-test-{uuid.uuid4().hex}"
    yield prefix
    for key in connection.scan_iter(match=f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_workers_sharing_redis_share_the_count(db, database_url, tmp_path, redis_prefix):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix}
    first = _limited_app(database_url, tmp_path, **settings)
    second = _limited_app(database_url, tmp_path, **settings)  # another worker process
    try:
        for _ in range(LIMIT):
            assert _attempt(first.test_client(), "203.0.113.9").status_code == 401
        assert _attempt(second.test_client(), "203.0.113.9").status_code == 429
        assert _attempt(second.test_client(), "198.51.100.7").status_code == 401
        keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*"))
        assert keys, "the counts were not kept in Redis"
    finally:
        for app in (first, second):
            with app.app_context():
                _db.engine.dispose()
