"""A full or read-only photo disk, for real (a tiny tmpfs): a clear 503, nothing half-written left.

Mounting needs root; without it the tests are skipped locally and fail under CI.
"""

from __future__ import annotations

import io
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import gettext
from markupsafe import escape
from sqlalchemy import func, select

from inspect_app.inspections.models import Answer
from inspect_app.photos.models import Photo
from inspect_app.photos.storage import LocalPhotoStorage, StorageUnavailable
from inspect_app.review.models import Appeal
from tests.fixtures.review import FAILED_STAFF_ITEM, post
from tests.fixtures.visits import PHOTO_ALWAYS, jpeg_bytes

STORAGE_MESSAGE = "The photo could not be stored just now. Try again in a few minutes."
PHONE_MESSAGE = "The photo could not be stored just now. The phone keeps it and sends it again."


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs mounted for this test."""
    root = tmp_path / "tiny"
    root.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(root))
    if mounted.returncode != 0:
        message = f"cannot mount a tmpfs here: {mounted.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=True)


def _fill(root: Path, leave: int) -> Path:
    """Fill the disk until about `leave` bytes are free."""
    filler = root / "filler.bin"
    with open(filler, "wb") as f:
        free = os.statvfs(root).f_bavail * os.statvfs(root).f_frsize
        f.write(b"\0" * max(0, free - leave))
    return filler


def _read_only(root: Path) -> None:
    remounted = _mount("-o", "remount,ro", str(root))
    assert remounted.returncode == 0, remounted.stderr


@pytest.fixture
def photos_on(app: Flask):
    """Point the app's photo storage at a directory for one test."""
    previous = app.extensions.get("photo_storage")

    def use(root: Path) -> LocalPhotoStorage:
        app.extensions["photo_storage"] = LocalPhotoStorage(root)
        return app.extensions["photo_storage"]

    yield use
    app.extensions["photo_storage"] = previous


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _expected(app: Flask, message: str = STORAGE_MESSAGE) -> str:
    with app.test_request_context():
        return gettext(message)


def test_put_on_a_full_disk_raises_storage_unavailable_and_leaves_nothing(tiny_disk):
    storage = LocalPhotoStorage(tiny_disk)
    _fill(tiny_disk, leave=16 * 1024)
    with pytest.raises(StorageUnavailable):
        storage.put(os.urandom(64 * 1024))
    assert _files(tiny_disk) == ["filler.bin"]


def test_put_on_a_read_only_disk_raises_storage_unavailable(tiny_disk):
    storage = LocalPhotoStorage(tiny_disk)
    kept = storage.put(b"written before")
    _read_only(tiny_disk)
    with pytest.raises(StorageUnavailable):
        storage.put(b"x" * 1000)
    assert _files(tiny_disk) == [kept]


@pytest.mark.parametrize("fault", ["full", "read_only"])
def test_a_photo_upload_to_a_broken_disk_is_a_503_the_phone_retries(
    app, db, visit, tiny_disk, photos_on, fault
):
    photos_on(tiny_disk)
    if fault == "full":
        filler = _fill(tiny_disk, leave=8 * 1024)
    else:
        _read_only(tiny_disk)
    photo_uuid, data = str(uuid.uuid4()), jpeg_bytes(5)
    response = visit.photo(photo_uuid, PHOTO_ALWAYS[0], data)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.json["ok"] is False
    assert response.json["code"] == "storage_unavailable"
    assert response.json["message"] == _expected(app, PHONE_MESSAGE)
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 0
    assert _files(tiny_disk) == (["filler.bin"] if fault == "full" else [])
    if fault == "full":
        filler.unlink()  # space again: the outbox's retry goes through
        again = visit.photo(photo_uuid, PHOTO_ALWAYS[0], data)
        assert again.status_code == 201
        assert len(_files(tiny_disk)) == 2


def test_an_appeal_photo_on_a_full_disk_is_a_clear_503_page(
    app, db, approved, manager, tiny_disk, photos_on
):
    answer_id = db.session.scalar(select(Answer.id).where(Answer.item_id == FAILED_STAFF_ITEM))
    photos_on(tiny_disk)
    _fill(tiny_disk, leave=8 * 1024)
    response = post(
        manager,
        f"/results/{approved.uuid}/appeals",
        {
            "answer_id": answer_id,
            "reason": "工牌在柜台上",
            "photos": [(io.BytesIO(jpeg_bytes(9)), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 503
    assert str(escape(_expected(app))) in response.text
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0
    assert _files(tiny_disk) == ["filler.bin"]
