"""Every route, for every role: who may see what."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from inspect_app.auth.models import Role, User
from inspect_app.auth.permissions import ROLE_PERMISSIONS, Permission, can
from tests.conftest import sign_in

# path -> roles that get 200; every other signed-in role gets 403.
PAGES = {
    "/admin": {Role.ADMIN},
    "/admin/audit": {Role.ADMIN},
    "/visits": {Role.ADMIN, Role.INSPECTOR},
    "/review": {Role.ADMIN, Role.REVIEWER},
    "/stores": {Role.ADMIN, Role.REVIEWER, Role.HR},
    "/my-stores": {Role.ADMIN, Role.REVIEWER, Role.HR, Role.MANAGER},
    "/checklists": {Role.ADMIN, Role.REVIEWER},
}


def _signed_in(app, make_user, role, org):
    kwargs = {"stores": [org["stores"][0]]} if role == Role.MANAGER else {}
    user = make_user(role, username=f"u_{role.value}", **kwargs)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_each_role_as_its_permissions_say(app, make_user, org, role):
    client = _signed_in(app, make_user, role, org)
    for path, allowed in PAGES.items():
        expected = 200 if role in allowed else 403
        assert client.get(path).status_code == expected, (role, path)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in [*PAGES, "/", "/stores/1", "/checklists/x/v1"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login?next=" in response.headers["Location"]


def test_manager_sees_only_their_own_store(app, make_user, org):
    client = _signed_in(app, make_user, Role.MANAGER, org)
    own, other_same_region, other_region = org["stores"]
    assert client.get(f"/stores/{own.id}").status_code == 200
    # Another store answers exactly like one that does not exist.
    assert client.get(f"/stores/{other_same_region.id}").status_code == 404
    assert client.get(f"/stores/{other_region.id}").status_code == 404
    assert client.get("/stores/999999").status_code == 404
    listing = client.get("/my-stores").text
    assert own.name in listing
    assert other_same_region.name not in listing
    assert other_region.name not in listing


def test_manager_scoped_by_region_sees_its_stores(app, db, make_user, org):

    user = make_user(Role.MANAGER, username="area_manager")
    user = db.session.get(User, user.id)
    user.regions = [org["regions"][0]]
    db.session.commit()
    client = app.test_client()
    sign_in(client, "area_manager")
    north1, north2, south = org["stores"]
    assert client.get(f"/stores/{north1.id}").status_code == 200
    assert client.get(f"/stores/{north2.id}").status_code == 200
    assert client.get(f"/stores/{south.id}").status_code == 404


def test_manager_never_sees_inspector_identity_permission():
    assert not can_role(Role.MANAGER, Permission.VIEW_INSPECTOR)
    assert can_role(Role.REVIEWER, Permission.VIEW_INSPECTOR)


def can_role(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def test_anonymous_has_no_permission():

    assert not any(can(AnonymousUserMixin(), p) for p in Permission)


def test_only_admin_manages(app):
    managing = {Permission.MANAGE_USERS, Permission.MANAGE_ORG, Permission.MANAGE_CHECKLISTS}
    for role, permissions in ROLE_PERMISSIONS.items():
        assert bool(managing & permissions) == (role == Role.ADMIN), role
