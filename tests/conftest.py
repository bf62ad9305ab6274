"""Shared fixtures: the app on SQLite or PostgreSQL, a clean database per test, users per role.

Set INSPECT_TEST_DATABASE_URL to run the suite against PostgreSQL (`.ci/run` does);
otherwise each run uses a fresh SQLite file.
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, current_app, has_app_context
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from inspect_app import create_app
from inspect_app.auth.models import Role, User
from inspect_app.auth.operations import create_user
from inspect_app.calendar import today_in
from inspect_app.checklists.operations import sync_directory
from inspect_app.config import PROJECT_ROOT, TestConfig
from inspect_app.extensions import db as _db
from inspect_app.stores.models import Region, Staff, Store


def halls_today() -> date:
    """Today in the halls' zone, outside an app context (tests never use the server's date)."""
    return today_in(ZoneInfo(TestConfig.TIMEZONE))


#: Fixtures shared across test folders, as plugins: every test sees them without an import
#: (pytest reads pytest_plugins only in this root conftest). Their helpers and constants are
#: imported from the modules like any others.
pytest_plugins = [
    # Migration tests: a brand-new empty database.
    "tests.migration_support",
    # assignment, visit, hall_roster, small_limits: an inspector's started visit and its hall.
    "tests.fixtures.visits",
    # submitted, approved, reviewer, manager, other_manager, hall_staff: the reviewed visit.
    "tests.fixtures.review",
    # staff_world, observed, client_as: an organisation with staff results.
    "tests.fixtures.staff_results",
    # live_app: the test app behind a real HTTP server.
    "tests.fixtures.server",
]

# Hypothesis' per-example deadline (200 ms) and its too-slow health check time the machine, not
# the code: on a busy runner (two cores, the suite beside other work) a pure scoring example can
# take longer, and the test fails as flaky. So no deadline and no too-slow check, for every test:
# the profile is loaded always, not only when CI is set, so a run here behaves as .ci/run does.
# Example counts stay Hypothesis' defaults unless a test sets its own; a test that sets
# suppress_health_check replaces this list (and then names too_slow itself if it needs it).
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

PASSWORD = "correct-horse-battery"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DEFAULT_CHECKLIST = PROJECT_ROOT / "checklists" / "business-hall-mystery-shop.yaml"


def resolve_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("INSPECT_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return resolve_database_url(tmp_path_factory)


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Tests keep an app context open to use the database; without this, requests
    would share its `g` (cached user, CSRF token) and its database session.
    Whatever the test added is committed first, so the request sees it.
    """

    def open(self, *args, **kwargs):
        if not has_app_context() or current_app._get_current_object() is not self.application:
            return _closing_body(super().open(*args, **kwargs))
        _db.session.commit()
        # A streamed response keeps its context until read: read it all while isolated.
        kwargs.setdefault("buffered", True)
        # An empty contextvars.Context has no app context in it, so the request pushes its own
        # (as a server's fresh request does), and the test's context is untouched when it ends.
        return _closing_body(contextvars.Context().run(super().open, *args, **kwargs))


def _closing_body(response):
    """Close the request body Werkzeug's test client built: above 500 KB it is a temporary
    file the client never closes, whose ResourceWarning would fail a later test."""
    request = getattr(response, "request", None)
    body = request.environ.get("wsgi.input") if request is not None else None
    if body is not None and hasattr(body, "close"):
        body.close()
    return response


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "DATABASE_URL": database_url,
            "PHOTO_DIR": str(instance / "photos"),
        },
        config_class=TestConfig,
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _wipe(app: Flask) -> None:
    _db.session.remove()
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # checklists and checklist_versions refer to each other: break the cycle first.
            conn.execute(text("UPDATE checklists SET active_version_id = NULL"))
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(app: Flask) -> Iterator:
    """An app context and an empty database; everything is wiped afterwards."""
    with app.app_context():
        yield _db
        _wipe(app)


@pytest.fixture
def client(app: Flask, db) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def csrf_token(client: FlaskClient) -> str:
    """Return a CSRF token valid for this client's session."""
    return csrf_from(client.get("/login", follow_redirects=True).text)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def post_form(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST a form with a valid CSRF token, as a browser would."""
    page = client.get("/")
    token = csrf_from(page.text) if CSRF_INPUT.search(page.text) else csrf_token(client)
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def org(db) -> dict:
    """Two regions, three stores (two in the first region) and staff with leading-zero 工号."""
    north = Region(code="N", name="北区")
    south = Region(code="S", name="南区")
    stores = [
        Store(code="0101", name="北一营业厅", region=north),
        Store(code="0102", name="北二营业厅", region=north),
        Store(code="0201", name="南一营业厅", region=south),
    ]
    db.session.add_all([north, south, *stores])
    for index, store in enumerate(stores):
        db.session.add(Staff(employee_no=f"00{index}01", name=f"员工{index}", store=store))
    db.session.commit()
    return {"regions": [north, south], "stores": stores}


@pytest.fixture
def make_user(db):
    def _make(role: Role, username: str | None = None, stores: list[Store] | None = None) -> User:
        user = create_user(username or f"{role.value}1", PASSWORD, role)
        if stores:
            user.stores = stores
        db.session.commit()
        return user

    return _make


def _role_client(app: Flask, make_user, role: Role, **kwargs) -> FlaskClient:
    user = make_user(role, **kwargs)
    client = app.test_client()
    response = sign_in(client, user.username)
    assert response.status_code == 302, response.text
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def admin_client(app, make_user) -> FlaskClient:
    return _role_client(app, make_user, Role.ADMIN)


@pytest.fixture
def reviewer_client(app, make_user) -> FlaskClient:
    return _role_client(app, make_user, Role.REVIEWER)


@pytest.fixture
def inspector_client(app, make_user) -> FlaskClient:
    return _role_client(app, make_user, Role.INSPECTOR)


@pytest.fixture
def hr_client(app, make_user) -> FlaskClient:
    return _role_client(app, make_user, Role.HR)


@pytest.fixture
def manager_client(app, make_user, org) -> FlaskClient:
    """A manager who sees the first store only."""
    return _role_client(app, make_user, Role.MANAGER, stores=[org["stores"][0]])


@pytest.fixture
def default_checklist_version(db):
    """The default checklist stored as version 1."""

    stored, errors = sync_directory([DEFAULT_CHECKLIST])
    assert not errors
    db.session.commit()
    return stored[0].version


def data_file(name: str) -> Path:
    return Path(__file__).parent / "data" / name
