"""Signing in and out: throttling, uniform answers, session ending, cookies, CSRF."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.auth.models import LoginThrottle, Role, User
from inspect_app.auth.operations import end_sessions
from tests.conftest import CSRF_INPUT, PASSWORD, csrf_token, post_form, sign_in

START_PAGES = {
    Role.ADMIN: "/admin",
    Role.REVIEWER: "/review",
    Role.INSPECTOR: "/visits",
    Role.MANAGER: "/my-stores",
    Role.HR: "/stores",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_start_page(client, make_user, role):
    make_user(role, username="someone")
    response = sign_in(client, "someone")
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert page.request.path == START_PAGES[role]


def test_username_is_case_insensitive(client, make_user):
    make_user(Role.HR, username="liu.yang")
    assert sign_in(client, "  LIU.Yang ").status_code == 302


def test_password_is_stored_as_argon2id(db, make_user):
    user = make_user(Role.HR)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    make_user(Role.HR, username="known")
    wrong = sign_in(client, "known", "not-the-password")
    unknown = sign_in(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.text
    assert "用户名或密码错误" in unknown.text

    # Nothing on the page tells the two apart (but the CSRF token, signed with the second it
    # was made in).
    def page(response, name):
        return CSRF_INPUT.sub("csrf", response.text.replace(name, "X"))

    assert page(wrong, "known") == page(unknown, "nobody")


@pytest.mark.parametrize("exists", [True, False])
def test_repeated_failures_throttle_the_username(app, client, db, make_user, exists):
    if exists:
        make_user(Role.HR, username="target")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert sign_in(client, "target", "guess-guess").status_code == 401
    locked = sign_in(client, "target", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.text
    # The count lives in the database, so every worker process sees it.
    db.session.expire_all()
    throttle = db.session.get(LoginThrottle, ("target", "127.0.0.1"))
    assert throttle.failure_count == limit
    assert throttle.locked_until is not None


def test_success_clears_earlier_failures(client, db, make_user):
    make_user(Role.HR, username="forgetful")
    sign_in(client, "forgetful", "wrong-wrong")
    assert sign_in(client, "forgetful").status_code == 302
    db.session.expire_all()
    assert db.session.get(LoginThrottle, ("forgetful", "127.0.0.1")) is None


def test_disabled_user_cannot_sign_in(client, db, make_user):
    user = make_user(Role.HR, username="gone")
    user.is_active = False
    db.session.commit()
    assert sign_in(client, "gone").status_code == 401


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    make_user(Role.HR, username="victim")
    client.get("/login")
    response = client.post("/login", data={"username": "victim", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/", follow_redirects=False).status_code == 302  # still signed out
    assert "/login" in client.get("/").headers["Location"]


def test_sign_in_with_a_forged_csrf_token_is_refused(client, make_user):
    make_user(Role.HR, username="victim")
    client.get("/login")
    response = client.post(
        "/login", data={"username": "victim", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "表单已过期" in response.text


def test_empty_form_shows_field_errors(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "请输入用户名" in response.text


def test_next_only_redirects_within_the_site(client, make_user):
    make_user(Role.HR, username="hr1")
    for target, expected in [
        ("/stores?q=1", "/stores?q=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        c = client.application.test_client()
        page = c.get("/login", query_string={"next": target})
        response = c.post(
            "/login",
            data={
                "username": "hr1",
                "password": PASSWORD,
                "csrf_token": csrf_token(c),
                "next": target,
            },
        )
        assert response.status_code == 302, page.text
        assert response.headers["Location"] == expected


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, make_user):
    make_user(Role.HR, username="hr1")
    sign_in(client, "hr1")
    stolen = client.get_cookie("inspect_session").value
    assert post_form(client, "/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("inspect_session", stolen)
    response = thief.get("/stores")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_disabling_a_user_ends_their_sessions_at_once(client, db, make_user):
    user = make_user(Role.HR, username="hr1")
    sign_in(client, "hr1")
    assert client.get("/stores").status_code == 200
    user = db.session.scalar(select(User).where(User.username == "hr1"))
    user.is_active = False
    db.session.commit()
    assert client.get("/stores").status_code == 302


def test_ending_sessions_signs_out_every_device(app, db, make_user):
    make_user(Role.HR, username="hr1")
    phone, desktop = app.test_client(), app.test_client()
    sign_in(phone, "hr1")
    sign_in(desktop, "hr1")
    end_sessions(db.session.scalar(select(User).where(User.username == "hr1")))
    db.session.commit()
    assert phone.get("/stores").status_code == 302
    assert desktop.get("/stores").status_code == 302


def test_session_cookie_flags(client, make_user):
    make_user(Role.HR, username="hr1")
    response = sign_in(client, "hr1")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_when_configured(app, client, make_user):
    make_user(Role.HR, username="hr1")
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        response = sign_in(client, "hr1")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_out_needs_post_and_csrf(client, make_user):
    make_user(Role.HR, username="hr1")
    sign_in(client, "hr1")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/stores").status_code == 200  # still signed in
