"""What the app factory registers for this package.

The reviewer's queue, appeals and corrective actions.
"""

from __future__ import annotations

from flask import Flask

from inspect_app.review import action_views, bp, views

#: The modules whose routes are attached to ``bp`` (importing one attaches its routes).
PAGES = (views, action_views)


def register(app: Flask) -> None:
    """Register the package's blueprint, with the routes of every module in PAGES."""
    app.register_blueprint(bp)
