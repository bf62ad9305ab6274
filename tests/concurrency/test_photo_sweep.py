"""`flask photos sweep`: partial files and photo files no row refers to go; nothing young is touched."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from sqlalchemy import select

from inspect_app.db import utcnow
from inspect_app.photos.models import Photo
from inspect_app.photos.storage import LocalPhotoStorage, new_key
from inspect_app.photos.sweep import sweep_photo_files
from tests.fixtures.visits import PHOTO_ALWAYS, jpeg_bytes

TWO_HOURS = 2 * 3600


def _age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _leftovers(root: Path) -> dict[str, Path]:
    """One of each kind of file the sweep must judge, two hours old unless named young."""
    files = {}
    for name in ("orphan", "young_orphan"):
        key = new_key(".jpg")
        files[name] = root / key
    for name in ("partial", "young_partial"):
        files[name] = root / (new_key(".jpg") + ".part")
    files["foreign"] = root / "ab" / "notes.txt"  # not a name the storage makes
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left over")
        if not name.startswith("young"):
            _age(path, TWO_HOURS)
    return files


def test_the_sweep_removes_old_leftovers_and_keeps_photos_and_uploads_in_flight(
    app, db, visit, photo_dir
):
    assert visit.photo(str(uuid.uuid4()), PHOTO_ALWAYS[0], jpeg_bytes(1)).status_code == 201
    photo = db.session.scalar(select(Photo))
    kept = [photo_dir / photo.storage_key, photo_dir / photo.thumbnail_key]
    for path in kept:
        _age(path, TWO_HOURS)
    files = _leftovers(photo_dir)

    result = sweep_photo_files(LocalPhotoStorage(photo_dir), utcnow())

    assert (result.partial_removed, result.orphans_removed) == (1, 1)
    assert all(path.exists() for path in kept)
    assert not files["orphan"].exists() and not files["partial"].exists()
    assert files["young_orphan"].exists() and files["young_partial"].exists()
    assert files["foreign"].exists()


def test_flask_photos_sweep_runs_the_sweep(app, db, photo_dir):
    files = _leftovers(photo_dir)
    result = app.test_cli_runner().invoke(args=["photos", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.count("1") == 2  # one partial file, one unused photo file
    assert not files["orphan"].exists() and not files["partial"].exists()
    assert files["young_orphan"].exists()


def test_the_sweep_of_an_empty_or_missing_directory_does_nothing(db, tmp_path):
    result = sweep_photo_files(LocalPhotoStorage(tmp_path / "none"), utcnow())
    assert (result.partial_removed, result.orphans_removed) == (0, 0)
