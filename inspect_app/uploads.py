"""Forms that carry photos with typed text: a body limit of their own, and each photo on its own.

The request limit (MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES) fits one photo. A form that sends
answers or a reason together with several photos (the visit form without JavaScript, appeals,
corrective actions) is held to MAX_FORM_BYTES instead, and each photo in it to the per-photo
limit, so one large photo refuses that photo and never the text typed around it.

Generic request helpers only; storing a form's photos is inspect_app.photos.uploads.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

View = TypeVar("View", bound=Callable[..., Any])
#: Longest file name shown beside a refused photo, in characters.
MAX_SHOWN_NAME = 60


def photo_form(view: View) -> View:
    """Mark a view whose multipart form carries photos: its body may reach MAX_FORM_BYTES."""
    view.carries_photos = True  # type: ignore[attr-defined]
    return view


def is_photo_form() -> bool:
    """Whether the current request is addressed to a view marked with photo_form."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "carries_photos", False))


def register_photo_form_limits(app: Flask) -> None:
    """Raise the body limit of photo forms before anything (the CSRF check) reads their body."""

    # URL value preprocessors run before every before_request function, CSRFProtect's included;
    # once the form is parsed, a new limit would come too late. Only a signed-in user gets the
    # larger limit, so nobody can make the server spool big bodies without an account.
    @app.url_value_preprocessor
    def _photo_form_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if is_photo_form() and current_user.is_authenticated:
            request.max_content_length = app.config["MAX_FORM_BYTES"]


def chosen_files(uploads: list[FileStorage]) -> list[FileStorage]:
    """The file inputs' uploads that carry a file (an empty input sends a nameless part)."""
    return [upload for upload in uploads if upload and upload.filename]


def shown_name(upload: FileStorage) -> str:
    """The file name the phone sent, cut to something safe and short enough to show."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name if len(name) <= MAX_SHOWN_NAME else name[: MAX_SHOWN_NAME - 1] + "…"


def photos_too_large_message() -> str:
    """What a 413 on a photo form tells the user: too much at once, send less.

    The body was refused unread, so whether it was the text or the photos is not known.
    """
    limit = current_app.config["MAX_FORM_BYTES"] / 1024 / 1024
    return _(
        "What was sent (text and photos together) is larger than %(limit)s MB, so nothing on "
        "this page was saved. Go back, shorten the text or remove some photos, and send again; "
        "add the other photos afterwards.",
        limit=f"{limit:.3g}",
    )
