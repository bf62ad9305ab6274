"""Admins upload a checklist as YAML or an edited Excel workbook; errors by row, versions kept."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_app.checklists.models import ChecklistVersion
from tests.conftest import DEFAULT_CHECKLIST, csrf_from, post_form

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _upload(client, data: bytes, name: str, activate: bool = True):
    token = csrf_from(client.get("/checklists/upload").text)
    form = {"csrf_token": token, "file": (io.BytesIO(data), name)}
    if activate:
        form["activate"] = "1"
    return client.post("/checklists/upload", data=form, content_type="multipart/form-data")


def _versions(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ChecklistVersion))


def test_excel_round_trip_stores_nothing_new_and_an_edit_stores_a_version(
    admin_client, db, default_checklist_version
):
    workbook = admin_client.get("/checklists/business-hall-mystery-shop/v1.xlsx")
    assert workbook.status_code == 200
    same = _upload(admin_client, workbook.data, "same.xlsx")
    assert same.status_code == 302 and _versions(db) == 1
    wb = load_workbook(io.BytesIO(workbook.data))
    sheet = wb["检查项"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("分值") + 1, value=9)
    out = io.BytesIO()
    wb.save(out)
    edited = _upload(admin_client, out.getvalue(), "edited.xlsx")
    assert edited.status_code == 302
    assert _versions(db) == 2
    assert "已保存为“营业厅暗访检查表”的第 2 版" in admin_client.get("/checklists").text


def test_a_stored_version_is_named_by_its_title_in_the_readers_language(admin_client, db):
    post_form(admin_client, "/language", {"lang": "en", "next": "/checklists"})
    stored = _upload(admin_client, DEFAULT_CHECKLIST.read_bytes(), "hall.yaml")
    assert stored.status_code == 302
    page = admin_client.get("/checklists").text
    assert "Stored as version 1 of Business hall mystery-shop checklist." in page
    assert "Business hall mystery-shop checklist <span" in page  # the list's heading too


def test_errors_are_shown_by_row_and_nothing_is_stored(admin_client, db, default_checklist_version):
    workbook = admin_client.get("/checklists/business-hall-mystery-shop/v1.xlsx")
    wb = load_workbook(io.BytesIO(workbook.data))
    sheet = wb["检查项"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=5, column=header.index("类型") + 1, value="yes_no")
    out = io.BytesIO()
    wb.save(out)
    response = _upload(admin_client, out.getvalue(), "broken.xlsx")
    assert response.status_code == 422
    assert "broken.xlsx#检查项:5" in response.text and "yes_no" in response.text
    assert _versions(db) == 1


def test_yaml_upload_and_bad_files(admin_client, db):
    good = _upload(admin_client, DEFAULT_CHECKLIST.read_bytes(), "hall.yaml")
    assert good.status_code == 302 and _versions(db) == 1
    bad_yaml = _upload(admin_client, b"key: [oops\n", "bad.yaml")
    assert bad_yaml.status_code == 422 and "bad.yaml:1" in bad_yaml.text
    binary = _upload(admin_client, b"\xff\xfe\x00garbage", "x.bin")
    assert binary.status_code == 422
    assert _versions(db) == 1


def test_only_admins_upload(reviewer_client, db):
    assert reviewer_client.get("/checklists/upload").status_code == 403


def _flashes(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="flash[^"]*"[^>]*>([^<]*)</p>', html)]


def test_the_docs_describe_upload_with_the_pages_own_words(admin_client, reviewer_client, db):
    """docs/checklists.md describes /checklists/upload as it answers (the English messages, with
    N for a number, key for a checklist key and title for its title): stored, already stored, errors, unreadable, no
    file; and that it is for admins only."""
    docs = (DOCS / "checklists.md").read_text(encoding="utf-8")
    upload = docs[docs.index("### Uploading in the browser") :]
    assert "`/checklists/upload`" in docs and "admins only" in upload
    assert "YAML" in upload and "Excel workbook" in upload
    post_form(admin_client, "/language", {"lang": "en", "next": "/"})

    def said(text: str) -> str:
        text = re.sub(r"(?<![\w-])\d+\b", "N", text).replace("business-hall-mystery-shop", "key")
        return text.replace("Business hall mystery-shop checklist", "title")

    yaml = DEFAULT_CHECKLIST.read_bytes()
    stored = _upload(admin_client, yaml, "hall.yaml")
    messages = _flashes(admin_client.get(stored.location).text)
    again = _upload(admin_client, yaml, "hall.yaml")
    messages += _flashes(admin_client.get(again.location).text)
    broken = _upload(admin_client, yaml.replace(b"type: pass_fail", b"type: yes_no", 2), "b.yaml")
    assert broken.status_code == 422
    messages.append(re.search(r"<h2>([^<]*problems[^<]*)</h2>", broken.text)[1])
    unreadable = _upload(admin_client, b"\xff\xfe\x00bad", "bad.yaml")
    assert unreadable.status_code == 422
    messages += _flashes(unreadable.text)
    token = csrf_from(admin_client.get("/checklists/upload").text)
    empty = admin_client.post("/checklists/upload", data={"csrf_token": token})
    messages += _flashes(admin_client.get(empty.location).text)
    assert len(messages) == 5, messages
    for message in messages:
        assert said(message) in upload, message
    assert reviewer_client.get("/checklists/upload").status_code == 403
