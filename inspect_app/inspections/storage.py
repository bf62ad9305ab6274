"""Photo storage: a small interface, with a local directory as the default.

Keys are generated here (random, never from the uploaded file name), so a key
can never reach outside the storage root. On several hosts an object store
implementing the same four methods takes the directory's place.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app

KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(?:\.[a-z0-9]{1,8})?$")


class StorageKeyError(ValueError):
    """A key that this storage did not generate."""


class PhotoStorage(Protocol):
    def put(self, data: bytes, suffix: str = ".jpg") -> str:
        """Store bytes under a new random key and return the key."""

    def get(self, key: str) -> bytes:
        """Return the bytes stored under key; FileNotFoundError if there are none."""

    def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""

    def exists(self, key: str) -> bool: ...


def new_key(suffix: str) -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}{suffix}"


class LocalPhotoStorage:
    """Files under one root directory, spread over 256 subdirectories."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_PATTERN.match(key):
            raise StorageKeyError(key)
        return self.root / key

    def put(self, data: bytes, suffix: str = ".jpg") -> str:
        key = new_key(suffix)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # Readers never see half a file: the name appears only when complete.
        temporary.replace(path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def photo_storage() -> PhotoStorage:
    """Return the configured photo storage for the current app."""
    storage = current_app.extensions.get("photo_storage")
    if storage is None:
        storage = LocalPhotoStorage(current_app.config["PHOTO_DIR"])
        current_app.extensions["photo_storage"] = storage
    return storage
