"""The local photo storage."""

from __future__ import annotations

import pytest

from inspect_app.photos.storage import LocalPhotoStorage, StorageKeyError, photo_storage


def test_put_get_delete_round_trip(tmp_path):
    storage = LocalPhotoStorage(tmp_path)
    key = storage.put(b"\xff\xd8jpeg bytes")
    assert storage.exists(key)
    assert storage.get(key) == b"\xff\xd8jpeg bytes"
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # deleting twice is fine
    with pytest.raises(FileNotFoundError):
        storage.get(key)


def test_keys_are_random_and_never_reuse_names(tmp_path):
    storage = LocalPhotoStorage(tmp_path)
    keys = {storage.put(b"same") for _ in range(50)}
    assert len(keys) == 50
    assert not list(tmp_path.rglob("*.part"))


@pytest.mark.parametrize(
    "key", ["../secret", "ab/../../etc/passwd", "/etc/passwd", "ab/XYZ.jpg", "", "ab\\cd"]
)
def test_keys_it_did_not_make_are_refused(tmp_path, key):
    storage = LocalPhotoStorage(tmp_path)
    with pytest.raises(StorageKeyError):
        storage.get(key)
    with pytest.raises(StorageKeyError):
        storage.exists(key)


def test_the_app_stores_photos_in_its_photo_dir_outside_static(app, db):
    storage = photo_storage()
    key = storage.put(b"x")
    assert storage.root.resolve().as_posix().startswith(app.config["PHOTO_DIR"])
    assert "static" not in storage.root.as_posix()
    storage.delete(key)
