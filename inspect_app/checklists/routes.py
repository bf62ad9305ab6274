"""What the app factory registers for this package.

The checklist pages (list, versions, YAML and workbook upload).
"""

from __future__ import annotations

from flask import Flask

from inspect_app.checklists import bp, views, xlsx_views

#: The modules whose routes are attached to ``bp`` (importing one attaches its routes).
PAGES = (views, xlsx_views)


def register(app: Flask) -> None:
    """Register the package's blueprint, with the routes of every module in PAGES."""
    app.register_blueprint(bp)
