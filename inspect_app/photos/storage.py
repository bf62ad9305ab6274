"""Photo storage: a small interface, with a local directory as the default.

Keys are generated here (random, never from the uploaded file name), so a key
can never reach outside the storage root. On several hosts an object store
implementing the same four methods takes the directory's place.
"""

from __future__ import annotations

import os
import re
import secrets
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _
from werkzeug.exceptions import ServiceUnavailable

KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(?:\.[a-z0-9]{1,8})?$")
#: Bytes are written to "<key>.part" and renamed when complete.
PARTIAL_SUFFIX = ".part"
#: Seconds a client should wait before sending a photo again after a storage failure.
RETRY_AFTER_SECONDS = 60


class StorageKeyError(ValueError):
    """A key that this storage did not generate."""


class StorageUnavailable(ServiceUnavailable):
    """The storage cannot take the bytes now (disk full, read-only, no permission, quota).

    An HTTP 503: a view that does not catch it still answers with a clear page in the user's
    language, never a 500. The photo API answers it as JSON with Retry-After, and the phone's
    outbox keeps the photo and sends it again.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(description=reason, retry_after=RETRY_AFTER_SECONDS)

    @property
    def user_message(self) -> str:
        return _("The photo could not be stored just now. Try again in a few minutes.")


class PhotoStorage(Protocol):
    def put(self, data: bytes, suffix: str = ".jpg") -> str:
        """Store bytes under a new random key and return the key; StorageUnavailable if it cannot.

        Nothing half-written stays behind when it fails.
        """

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
        temporary = path.with_name(path.name + PARTIAL_SUFFIX)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            # Readers never see half a file: the name appears only when complete.
            temporary.replace(path)
        except BaseException as exc:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StorageUnavailable(f"{type(exc).__name__}: {exc}") from exc
            raise
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def files_older_than(self, cutoff: datetime) -> tuple[list[str], list[Path]]:
        """Stored keys and left-over partial files last written before cutoff.

        Files whose names this storage does not make are never listed, so never swept.
        """
        keys: list[str] = []
        partial: list[Path] = []
        limit = cutoff.timestamp()
        for path in self.root.glob("??/*"):
            try:
                if not path.is_file() or path.stat().st_mtime >= limit:
                    continue
            except FileNotFoundError:
                continue  # deleted while listing
            key = f"{path.parent.name}/{path.name}"
            if key.endswith(PARTIAL_SUFFIX) and KEY_PATTERN.match(key.removesuffix(PARTIAL_SUFFIX)):
                partial.append(path)
            elif KEY_PATTERN.match(key):
                keys.append(key)
        return keys, partial


def photo_storage() -> PhotoStorage:
    """Return the configured photo storage for the current app."""
    storage = current_app.extensions.get("photo_storage")
    if storage is None:
        storage = LocalPhotoStorage(current_app.config["PHOTO_DIR"])
        current_app.extensions["photo_storage"] = storage
    return storage
