"""What the app factory registers for this package.

The roster pages: halls, staff, roster import, hall admin.
"""

from __future__ import annotations

from flask import Flask

from inspect_app.stores import admin_views, bp, roster_views, views

#: The modules whose routes are attached to ``bp`` (importing one attaches its routes).
PAGES = (views, roster_views, admin_views)


def register(app: Flask) -> None:
    """Register the package's blueprint, with the routes of every module in PAGES."""
    app.register_blueprint(bp)
