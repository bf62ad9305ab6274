"""`flask users create`."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.auth.models import Role, User


def test_create_user_with_a_role(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Zhou.Min", "--role", "reviewer", "--name", "周敏"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "zhou.min"))
    assert user.role == Role.REVIEWER and user.display_name == "周敏"
    assert user.password_hash.startswith("$argon2id$")


def test_refuses_a_short_password_a_taken_name_and_an_unknown_role(app, db):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "a", "--role", "hr"], input="short\nshort\n")
    assert short.exit_code != 0 and "10" in short.output
    runner.invoke(args=["users", "create", "b", "--role", "hr"], input="long-enough-pw\n" * 2)
    taken = runner.invoke(
        args=["users", "create", "B", "--role", "hr"], input="long-enough-pw\n" * 2
    )
    assert taken.exit_code != 0
    assert "Traceback" not in taken.output
    unknown = runner.invoke(args=["users", "create", "c", "--role", "boss"], input="x\n")
    assert unknown.exit_code == 2
    db.session.rollback()
    assert db.session.scalars(select(User.username)).all() == ["b"]
