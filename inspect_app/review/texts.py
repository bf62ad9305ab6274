"""Reviewer and manager text: how long it may be, and the error every review operation raises."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.checklists.item_types import typed_text

#: Longest reviewer or manager text, in characters.
MAX_REVIEW_TEXT = 2000


class ReviewError(ValueError):
    """The change is not allowed in the object's current state; the message says why."""


def review_text(value: str | None, *, required: bool, what: str) -> str | None:
    """A note, reason or description exactly as typed; None when empty or only whitespace."""
    text = typed_text(value)
    if required and text is None:
        raise ReviewError(_("Write %(what)s.", what=what))
    if text is not None and len(text) > MAX_REVIEW_TEXT:
        raise ReviewError(_("Keep it under %(n)s characters.", n=MAX_REVIEW_TEXT))
    return text
