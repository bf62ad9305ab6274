"""What the app factory registers for this package.

The audit log page.
"""

from __future__ import annotations

from flask import Flask

from inspect_app.audit import bp, views

#: The modules whose routes are attached to ``bp`` (importing one attaches its routes).
PAGES = (views,)


def register(app: Flask) -> None:
    """Register the package's blueprint, with the routes of every module in PAGES."""
    app.register_blueprint(bp)
