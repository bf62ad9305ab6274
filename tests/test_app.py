"""The application shell: settings, health check, error pages, languages, SQLite locking."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text

from inspect_app import create_app
from inspect_app.config import TestConfig, settings_from_env
from inspect_app.sqlite import configure_sqlite
from tests.conftest import post_form, sign_in


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/nope.db"}, config_class=TestConfig
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_unknown_url_gets_a_chinese_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "Traceback" not in response.text


def test_language_switch_to_english_and_back(client):
    assert "页面不存在" in client.get("/nope").text
    response = post_form(client, "/language", {"lang": "en", "next": "/nope"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/nope"
    english = client.get("/nope")
    assert "Not found" in english.text
    assert 'lang="en"' in english.text
    post_form(client, "/language", {"lang": "zh_CN"})
    assert "页面不存在" in client.get("/nope").text


def test_language_switch_refuses_unknown_languages(client):
    assert post_form(client, "/language", {"lang": "fr"}).status_code == 400


def test_signed_in_users_language_is_remembered(app, db, make_user):

    make_user(__import__("inspect_app.auth.models", fromlist=["Role"]).Role.HR, username="hr1")
    first = app.test_client()
    sign_in(first, "hr1")
    post_form(first, "/language", {"lang": "en"})
    second = app.test_client()
    sign_in(second, "hr1")
    assert "Halls and staff" in second.get("/stores").text


def test_unexpected_errors_show_a_plain_500_page(app):
    crashing = create_app(
        {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}, config_class=TestConfig
    )
    crashing.config["PROPAGATE_EXCEPTIONS"] = False

    @crashing.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = crashing.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "出错了" in response.text


def test_json_callers_get_json_errors(client):
    response = client.get("/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["status"] == 404


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_settings_come_from_inspect_environment_variables():
    settings = settings_from_env(
        {
            "INSPECT_APPEAL_WINDOW_DAYS": "10",
            "INSPECT_SECURE_COOKIES": "true",
            "INSPECT_DATABASE_URL": "postgresql://x/y",
            "INSPECT_UNKNOWN": "ignored",
            "OTHER": "ignored",
        }
    )
    assert settings == {
        "APPEAL_WINDOW_DAYS": 10,
        "SECURE_COOKIES": True,
        "DATABASE_URL": "postgresql://x/y",
    }


def test_a_bad_number_in_the_environment_says_which_variable():
    with pytest.raises(RuntimeError, match="INSPECT_APPEAL_WINDOW_DAYS"):
        settings_from_env({"INSPECT_APPEAL_WINDOW_DAYS": "a week"})


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECT_SECRET_KEY", raising=False)
    monkeypatch.delenv("INSPECT_DEMO", raising=False)
    with pytest.raises(RuntimeError, match="INSPECT_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_demo_mode_keeps_a_generated_secret_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("INSPECT_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path}/x.db"
    first = create_app({"DATABASE_URL": url, "DEMO": True})
    second = create_app({"DATABASE_URL": url, "DEMO": True})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_postgres_url_selects_psycopg(tmp_path):
    app = create_app(
        {"DATABASE_URL": "postgresql://user@127.0.0.1:1/none"}, config_class=TestConfig
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_photos_are_stored_outside_static_by_default(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, config_class=TestConfig)
    assert "static" not in app.config["PHOTO_DIR"]
    assert app.config["PHOTO_DIR"].startswith(app.instance_path)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/wal.db")
    configure_sqlite(engine, busy_timeout_seconds=7)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 7000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def _hammer(engine, rounds: int, errors: list[Exception]) -> None:
    for _ in range(rounds):
        try:
            with engine.begin() as conn:
                # Read, then write: a deferred transaction upgrading its lock here
                # is what fails with "database is locked" under concurrency.
                value = conn.execute(text("SELECT n FROM counter")).scalar()
                conn.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)


@pytest.mark.parametrize("immediate", [True, False])
def test_concurrent_writers_never_see_database_is_locked(tmp_path, immediate):
    engine = create_engine(f"sqlite:///{tmp_path}/c.db", connect_args={"timeout": 10})
    if immediate:
        configure_sqlite(engine, busy_timeout_seconds=10)
    with engine.begin() as conn:
        if not immediate:
            conn.execute(text("PRAGMA journal_mode=WAL"))
        conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[Exception] = []
    threads = [threading.Thread(target=_hammer, args=(engine, 60, errors)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        total = conn.execute(text("SELECT n FROM counter")).scalar()
    engine.dispose()
    if immediate:
        assert errors == []
        assert total == 6 * 60
    else:
        # Without BEGIN IMMEDIATE the same load loses updates or fails: this is
        # the baseline that shows the setting matters.
        assert errors or total != 6 * 60
