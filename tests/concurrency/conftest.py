"""Real threads sending the same request at once, each through its own test client.

On PostgreSQL the requests really run side by side (the races the issue found); on SQLite the
write lock serialises them, and the same tests show nothing is applied twice there either.
Tests that only make sense on PostgreSQL carry @pytest.mark.postgres_only and are skipped on
SQLite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient

from inspect_app.photos.storage import LocalPhotoStorage
from tests.conftest import is_postgres

T = TypeVar("T")


@pytest.fixture(autouse=True)
def _postgres_only(request, database_url):
    if request.node.get_closest_marker("postgres_only") and not is_postgres(database_url):
        pytest.skip("needs PostgreSQL (set INSPECT_TEST_DATABASE_URL)")


@pytest.fixture
def photo_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """A fresh, empty photo directory for this test (the app's usual one is shared)."""
    root = tmp_path / "photos"
    previous = app.extensions.get("photo_storage")
    app.extensions["photo_storage"] = LocalPhotoStorage(root)
    yield root
    app.extensions["photo_storage"] = previous


def at_once(count: int, request: Callable[[int], T]) -> list[T]:
    """Run request(0..count-1) in count threads released together; return the results in order.

    The threads have no app context: read what they need from the database beforehand.
    """
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait()
        return request(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def clones(app: Flask, client: FlaskClient, count: int) -> list[FlaskClient]:
    """Test clients sharing one signed-in session (one phone's cookie sent from many threads)."""
    cookie = client.get_cookie("inspect_session")
    assert cookie is not None, "the client is not signed in"
    copies = []
    for _ in range(count):
        copy = app.test_client()
        copy.set_cookie("inspect_session", cookie.value)
        copies.append(copy)
    return copies
