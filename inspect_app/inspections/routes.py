"""What the app factory registers for this package.

The inspector's pages and the phone's JSON API.
"""

from __future__ import annotations

from flask import Flask

from inspect_app.inspections import api, bp, views

#: The modules whose routes are attached to ``bp`` (importing one attaches its routes).
PAGES = (views, api)


def register(app: Flask) -> None:
    """Register the package's blueprint, with the routes of every module in PAGES."""
    app.register_blueprint(bp)
