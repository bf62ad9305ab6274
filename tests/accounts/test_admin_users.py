"""Admins manage users: create, change role and scope, disable (sessions end), reset password."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role, User
from tests.conftest import PASSWORD, csrf_from, sign_in


def _post(client, url, data):
    token = csrf_from(client.get("/admin/users").text)
    return client.post(url, data={"csrf_token": token, **data})


def test_admin_creates_a_manager_scoped_to_a_hall(admin_client, db, org):
    store = org["stores"][0]
    response = _post(admin_client, "/admin/users/new", {
        "username": "Wang.Fang", "password": "a-good-password", "display_name": "王芳",
        "role": "manager", "store_ids": [str(store.id)],
    })  # fmt: skip
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "wang.fang"))
    assert user.role == Role.MANAGER and [s.id for s in user.stores] == [store.id]
    assert "wang.fang" in admin_client.get("/admin/users", query_string={"q": "wang"}).text


def test_bad_new_users_get_clear_messages_and_nothing_is_created(admin_client, db, org):
    cases = [
        ({"username": "x", "password": "short", "role": "hr"}, "10"),
        (
            {"username": "mgr", "password": "a-good-password", "role": "manager"},
            "至少需要负责一个营业厅",
        ),
        ({"username": "y", "password": "a-good-password", "role": "boss"}, "请选择角色"),
    ]
    for data, message in cases:
        response = _post(admin_client, "/admin/users/new", data)
        assert response.status_code == 422 and message in response.text, data
    _post(
        admin_client,
        "/admin/users/new",
        {"username": "dup", "password": "a-good-password", "role": "hr"},
    )
    again = _post(
        admin_client,
        "/admin/users/new",
        {"username": "DUP", "password": "a-good-password", "role": "hr"},
    )
    assert again.status_code == 422 and "dup" in again.text
    assert db.session.scalar(select(User).where(User.username.in_(["x", "mgr", "y"]))) is None


def test_disabling_a_user_ends_their_session_and_is_audited(app, admin_client, db, make_user):
    victim = make_user(Role.HR, username="leaver")
    their_phone = app.test_client()
    sign_in(their_phone, "leaver")
    assert their_phone.get("/stores").status_code == 200
    response = _post(
        admin_client, f"/admin/users/{victim.id}", {"display_name": "离职者", "role": "hr"}
    )
    assert response.status_code == 302
    assert their_phone.get("/stores").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.details["is_active"] == [True, False]


def test_the_last_admin_cannot_be_removed(admin_client, db):
    me = admin_client.user
    demote = _post(
        admin_client,
        f"/admin/users/{me.id}",
        {"display_name": "管理员", "role": "hr", "is_active": "1"},
    )
    assert demote.status_code == 422 and "最后一个" in demote.text
    disable = _post(
        admin_client, f"/admin/users/{me.id}", {"display_name": "管理员", "role": "admin"}
    )
    assert disable.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, me.id).role == Role.ADMIN and db.session.get(User, me.id).is_active


def test_password_reset_ends_sessions_and_lets_the_new_password_in(
    app, admin_client, db, make_user
):
    user = make_user(Role.REVIEWER, username="forgetful")
    phone = app.test_client()
    sign_in(phone, "forgetful")
    short = _post(
        admin_client, f"/admin/users/{user.id}", {"action": "password", "password": "short"}
    )
    assert short.status_code == 422
    assert (
        _post(
            admin_client,
            f"/admin/users/{user.id}",
            {"action": "password", "password": "brand-new-secret"},
        ).status_code
        == 302
    )
    assert phone.get("/review").status_code == 302
    assert sign_in(app.test_client(), "forgetful", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "forgetful", "brand-new-secret").status_code == 302


def test_only_admins_manage_users(reviewer_client, hr_client):
    for client in (reviewer_client, hr_client):
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/users/new").status_code == 403
