"""Every POST form is a WTForms form: its CSRF field comes from the form, views read posted
fields through the form, and a missing or forged token is still refused the same way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_app.stores.models import Region
from tests.conftest import CSRF_INPUT, PROJECT_ROOT

APP = PROJECT_ROOT / "inspect_app"
#: View modules that read request.form themselves, and why.
READS_FORM = {
    # The visit form's item fields are dynamic, one set per checklist item (inspections.payload).
    "inspections/views.py",
    # The reviewer's per-item comments (rc__<item id>) are dynamic item fields too.
    "review/views.py",
    # The phone's photo upload: a JSON API called by JavaScript, not an HTML form.
    "inspections/api.py",
}


def _view_modules() -> list[Path]:
    return [
        path
        for path in APP.rglob("*.py")
        if path.name in ("views.py", "api.py", "routes.py") or path.name.endswith("_views.py")
    ]


def _reads_request_form(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "form"
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
        for node in ast.walk(tree)
    )


def test_no_template_writes_the_csrf_input_by_hand():
    by_hand = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.html")
        if "csrf_token()" in path.read_text(encoding="utf-8")
    ]
    assert by_hand == []


def test_views_read_posted_fields_through_forms():
    by_hand = {str(path.relative_to(APP)) for path in _view_modules() if _reads_request_form(path)}
    assert by_hand == READS_FORM


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_form_without_a_valid_token_is_refused(admin_client, db, token):
    page = admin_client.get("/admin/regions")
    assert CSRF_INPUT.search(page.text)
    data = {"code": "W", "name": "西区"} | ({"csrf_token": token} if token else {})
    response = admin_client.post("/admin/regions", data=data)
    assert response.status_code == 400
    assert "表单已过期" in response.text
    assert db.session.scalar(select(Region).where(Region.code == "W")) is None


def test_a_page_with_several_forms_gives_each_its_token_without_duplicate_ids(admin_client, org):
    page = admin_client.get("/admin/regions").text
    assert len(CSRF_INPUT.findall(page)) >= 3  # two regions, the new-region form, the header
    assert 'id="csrf_token"' not in page
