"""Flask commands: one group per area, plus the demo loader."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_migrate import upgrade

from inspect_app.auth.models import Role
from inspect_app.auth.operations import UserError, create_user
from inspect_app.calendar import halls_today
from inspect_app.checklists.loader import load_checklist_file
from inspect_app.checklists.operations import checklist_files, sync_directory
from inspect_app.context import halls_tz
from inspect_app.db import utcnow
from inspect_app.demo import DEMO_PASSWORDS, load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.extensions import db
from inspect_app.inspections.attempts import KEEP_FOR, forget_old_attempts
from inspect_app.photos.storage import photo_storage
from inspect_app.photos.sweep import sweep_photo_files

checklists_cli = AppGroup("checklists", help="Validate and store checklist definitions.")
users_cli = AppGroup("users", help="Manage users.")
photos_cli = AppGroup("photos", help="Look after the photo storage.")
attempts_cli = AppGroup("attempts", help="Look after the phones' remembered requests.")


def _paths(paths: tuple[str, ...]) -> list[Path]:

    if paths:
        return [Path(p) for p in paths]
    return checklist_files(Path(current_app.config["CHECKLIST_DIR"]))


@checklists_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
def validate_checklists(paths: tuple[str, ...]) -> None:
    """Validate checklist files (default: every file in the checklist folder)."""

    failed = False
    for path in _paths(paths):
        result = load_checklist_file(path)
        if result.ok:
            d = result.definition
            click.echo(
                f"OK {path}: {d.key}, {len(d.sections)} sections, {len(d.items)} items, "
                f"{d.max_points} points"
            )
        else:
            failed = True
            for error in result.errors:
                click.echo(str(error), err=True)
    if failed:
        sys.exit(1)


@checklists_cli.command("sync")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
def sync_checklists(paths: tuple[str, ...]) -> None:
    """Store each new checklist content as a new version (all files valid, or nothing)."""

    stored, errors = sync_directory(_paths(paths))
    if errors:
        db.session.rollback()
        for error in errors:
            click.echo(str(error), err=True)
        click.echo(_("Nothing was stored."), err=True)
        sys.exit(1)
    db.session.commit()
    for entry in stored:
        if entry.is_new:
            state = _("new version, now in use")
        elif entry.reactivated:
            state = _("earlier version, in use again")
        else:
            state = _("unchanged")
        click.echo(f"{entry.version.checklist.key} v{entry.version.number}: {state}")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", default=None, help="Name shown in the app.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create a user with one role."""

    try:
        user = create_user(username, password, Role(role), display_name)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(_("Created %(name)s (%(role)s).", name=user.username, role=user.role))


@photos_cli.command("sweep")
def sweep_photos_command() -> None:
    """Delete half-written photo files and files no photo refers to (older than an hour)."""
    result = sweep_photo_files(photo_storage(), utcnow())
    click.echo(
        _(
            "%(partial)s partial files and %(orphans)s unused photo files deleted.",
            partial=result.partial_removed,
            orphans=result.orphans_removed,
        )
    )


@attempts_cli.command("prune")
def prune_attempts_command() -> None:
    """Forget the outcomes of phone requests older than KEEP_FOR (30 days)."""
    removed = forget_old_attempts(utcnow())
    db.session.commit()
    click.echo(
        _(
            "%(n)s remembered requests older than %(days)s days deleted.",
            n=removed,
            days=KEEP_FOR.days,
        )
    )


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create and upgrade the database, sync checklists, load the demo organisation."""

    upgrade(directory=current_app.extensions["migrate"].directory)

    errors = sync_directory(checklist_files(Path(current_app.config["CHECKLIST_DIR"])))[1]
    if errors:
        db.session.rollback()
        for error in errors:
            click.echo(str(error), err=True)
        raise click.ClickException(_("The checklists are invalid; fix them and run again."))
    created = load_demo()
    if created:
        history = load_demo_history(photo_storage(), halls_tz(), halls_today())
        click.echo(_("%(n)s approved inspections of the last three months added.", n=history))
    db.session.commit()
    click.echo(_("Demo data ready.") if created else _("Demo data was already loaded."))
    click.echo(_("Sign in at http://127.0.0.1:5000 with:"))
    for username, (role, password) in DEMO_PASSWORDS.items():
        click.echo(f"  {role:<10} {username:<12} {password}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(checklists_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(photos_cli)
    app.cli.add_command(attempts_cli)
    app.cli.add_command(demo_command)
