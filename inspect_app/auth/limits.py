"""Who the client is behind proxies, and the per-address limit on sign-in attempts.

The per-account lock (auth.operations.authenticate) is keyed by username and client address;
this limit caps how many sign-ins one address may try at all, whatever the usernames, so one
address cannot walk through the user list. Counts live in memory (each worker apart) or, with
INSPECT_RATELIMIT_STORAGE_URI set to a Redis URL, in Redis shared by every worker and host.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

#: The sign-in view, limited for POST only (showing the page is free).
LOGIN_ENDPOINT = "auth.login"


def trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from PROXY_FIX_HOPS trusted reverse proxies."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def register_sign_in_limit(app: Flask) -> Limiter:
    """Limit POST /login per client address (refused with the 429 page in the user's language).

    One Limiter per app: Flask-Limiter keeps its storage and on/off switch on the instance, and
    tests build several apps. Should Redis be unreachable, counting falls back to memory rather
    than refusing every sign-in.
    """
    limiter = Limiter(
        key_func=get_remote_address,
        headers_enabled=True,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.init_app(app)
    # The limit keeps only a weak reference to its limiter: the app holds the strong one.
    app.extensions["sign_in_limiter"] = limiter
    view = app.view_functions[LOGIN_ENDPOINT]
    app.view_functions[LOGIN_ENDPOINT] = limiter.limit(_login_limit, methods=["POST"])(view)
    return limiter
