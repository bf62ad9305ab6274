"""inspect_app: mystery-shopper inspections for telecom business halls."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from inspect_app import edge
from inspect_app import models as models  # every table on the metadata (Alembic, create_all)
from inspect_app.accounts import routes as accounts_routes
from inspect_app.audit import routes as audit_routes
from inspect_app.auth import routes as auth_routes
from inspect_app.auth.limits import register_sign_in_limit, trust_proxies
from inspect_app.auth.session import (
    api_requires_session,
    load_user_from_session_id,
    select_locale,
    unauthorized,
)
from inspect_app.checklists import routes as checklists_routes
from inspect_app.cli import register_commands
from inspect_app.config import PROJECT_ROOT, Config, settings_from_env
from inspect_app.errors import register_error_pages

# Not `db`: that name is the package's own module inspect_app.db (the migrations read it).
from inspect_app.extensions import babel, csrf, login_manager, migrate
from inspect_app.extensions import db as database
from inspect_app.inspections import routes as inspections_routes
from inspect_app.main import routes as main_routes
from inspect_app.photos import routes as photos_routes
from inspect_app.planning import routes as planning_routes
from inspect_app.ratings import routes as ratings_routes
from inspect_app.reports import routes as reports_routes
from inspect_app.review import routes as review_routes
from inspect_app.scoring.ratings import shown_percent
from inspect_app.sqlite import configure_sqlite
from inspect_app.stores import routes as stores_routes
from inspect_app.templating import register_template_helpers
from inspect_app.uploads import register_photo_form_limits

#: Every package with pages, in the order their blueprints are registered.
PACKAGE_ROUTES = (
    main_routes,
    auth_routes,
    accounts_routes,
    checklists_routes,
    photos_routes,
    inspections_routes,
    planning_routes,
    review_routes,
    stores_routes,
    reports_routes,
    ratings_routes,
    audit_routes,
)


def create_app(overrides: dict[str, Any] | None = None, config_class: type = Config) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    app.config.update(settings_from_env())
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_settings(app)
    register_edge(app)
    register_extensions(app)
    register_blueprints(app)
    register_limits(app)
    register_cli(app)
    register_errors(app)
    register_security_headers(app)

    register_template_helpers(app)
    # Every percentage a page shows goes through the one rounding docs/ratings.md names
    # (half-up to one decimal): `{{ value|shown_percent }}`, used by macros.percent.
    app.add_template_filter(shown_percent, "shown_percent")
    return app


def _instance_secret(app: Flask) -> str:
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_settings(app: Flask) -> None:
    """Derive Flask's own settings from ours."""
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        if cfg.get("DEMO") or cfg.get("TESTING") or cfg.get("DEBUG"):
            cfg["SECRET_KEY"] = _instance_secret(app)
        else:
            raise RuntimeError(
                "Set INSPECT_SECRET_KEY to a long random value (or INSPECT_DEMO=1 for a demo)."
            )
    url = cfg.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'inspect.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": cfg["SQLITE_BUSY_TIMEOUT"]}}
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options)
    cfg["PHOTO_DIR"] = cfg.get("PHOTO_DIR") or str(Path(app.instance_path) / "photos")
    cfg["EXPORT_DIR"] = cfg.get("EXPORT_DIR") or str(Path(app.instance_path) / "exports")
    cfg["MAX_CONTENT_LENGTH"] = cfg["MAX_UPLOAD_BYTES"]
    cfg["SESSION_COOKIE_HTTPONLY"] = True
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    cfg["SESSION_COOKIE_SECURE"] = bool(cfg["SECURE_COOKIES"])
    cfg["SESSION_COOKIE_NAME"] = "inspect_session"
    cfg["REMEMBER_COOKIE_HTTPONLY"] = True
    cfg["REMEMBER_COOKIE_SECURE"] = bool(cfg["SECURE_COOKIES"])
    cfg["BABEL_DEFAULT_LOCALE"] = cfg["DEFAULT_LANGUAGE"]
    cfg["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(days=cfg["SESSION_DAYS"])
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # a visit can take hours; the token lives with the session


def register_extensions(app: Flask) -> None:
    """Bind the extensions and the SQLite connection settings."""

    database.init_app(app)
    migrate.init_app(app, database, directory=str(PROJECT_ROOT / "migrations"))
    # Before CSRFProtect's own hook: an API call without a sign-in is a 401, not a CSRF error.
    app.before_request(api_requires_session)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session_id)
    login_manager.unauthorized_handler(unauthorized)
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        if database.engine.dialect.name == "sqlite":
            configure_sqlite(
                database.engine,
                app.config["SQLITE_BUSY_TIMEOUT"],
                app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"],
            )


def register_blueprints(app: Flask) -> None:
    """Register every package's pages (each package's ``routes.register``)."""
    for routes in PACKAGE_ROUTES:
        routes.register(app)


def register_edge(app: Flask) -> None:
    """Check every request's text and JSON body first, before sessions, CSRF and views."""

    edge.init_app(app)


def register_limits(app: Flask) -> None:
    """Trust the configured proxies for the client address; limit sign-ins per address."""

    trust_proxies(app)
    register_sign_in_limit(app)


def register_cli(app: Flask) -> None:

    register_commands(app)


def register_errors(app: Flask) -> None:

    register_error_pages(app)
    register_photo_form_limits(app)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'",
        )
        return response
