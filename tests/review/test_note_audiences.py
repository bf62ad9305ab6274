"""Notes have audiences: the store (its manager, HR) reads what the reviewer addressed to the hall,
never the notes to the inspector, the history of returns, or who the inspector was.

The visit is returned with notes for the inspector (each carrying a unique marker, one naming the
inspector), resubmitted, approved with a note to the hall, and its corrective action verified
with a positive note. Then a manager, and HR, follow every link and GET form of every page they
can reach from their start page, read each page, PDF (pdftotext), workbook and CSV, and fail on
any internal marker or the inspector's name.
"""

from __future__ import annotations

import io
import time
from collections import deque
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.checklists import field_names
from inspect_app.inspections.models import Inspection
from inspect_app.reports.models import ExportJob
from inspect_app.review.models import CorrectiveActionItem
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, post, role_client
from tests.fixtures.visits import VISIT_UUID, jpeg_bytes
from tests.reports.test_pdf import poppler

INSPECTOR_NAME = "暗访员陈立"
#: Written by the reviewer for the inspector only; none may reach the store.
INTERNAL = (
    "内部备注甲：陈立，请补拍价目表",
    "内部备注乙：工号 0009999 不在本厅花名册中",
    "内部备注丙：请补充说明卫生间具体位置",
)
HALL_NOTE = "致营业厅：请加强工牌佩戴的每日检查"
VERIFIED = "照片显示已整改。"
#: Paths never followed: they change the session or are files the walk cannot read.
SKIP_PREFIXES = ("/logout", "/language", "/static/", "/sw.js", "/photos/")
MAX_PAGES = 400


@pytest.fixture
def returned_then_approved(db, submitted, reviewer, manager, inspector_client):
    """The visit, returned with internal notes, resubmitted, approved with a note to the hall;
    its hall finding corrected by the manager and verified with a positive note."""
    inspector_client.user.display_name = INSPECTOR_NAME
    db.session.commit()
    returned = post(
        reviewer,
        f"/review/{VISIT_UUID}/return",
        {
            "comment": INTERNAL[0],
            field_names.encode("rc", FAILED_STAFF_ITEM): INTERNAL[1],
            field_names.encode("rc", FAILED_HALL_ITEM): INTERNAL[2],
        },
    )
    assert returned.status_code == 302
    assert submitted.submit(submitted.payload).status_code == 200
    approved = post(reviewer, f"/review/{VISIT_UUID}/approve", {"hall_note": HALL_NOTE})
    assert approved.status_code == 302
    item = db.session.scalars(select(CorrectiveActionItem)).all()
    hall_item = next(i for i in item if i.answer.item_id == FAILED_HALL_ITEM)
    recorded = post(
        manager,
        f"/results/actions/items/{hall_item.id}",
        {"description": "已清理积水", "photos": [(io.BytesIO(jpeg_bytes(70)), "fix.jpg")]},
        content_type="multipart/form-data",
    )
    assert recorded.status_code == 302
    verified = post(
        reviewer,
        f"/review/actions/items/{hall_item.id}",
        {"decision": "verified", "comment": VERIFIED},
    )
    assert verified.status_code == 302
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection))
    assert inspection.hall_note == HALL_NOTE
    assert inspection.return_comment == INTERNAL[0]  # kept inside, for the review's history
    return inspection


def _text_of(response) -> str | None:
    """What the user reads in a response, or None for an image (photos carry no text)."""
    kind = response.mimetype
    if kind == "application/pdf":
        return poppler("pdftotext", "-raw", "-enc", "UTF-8", "-", "-", pdf=response.data)
    if kind.startswith("image/"):
        return None
    if kind == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.data))
        return "\n".join(
            str(cell)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
            for cell in row
        )
    return response.get_data(as_text=True)


def _form_url(form, base: str) -> str:
    """A GET form submitted with what it shows: each field's value, each select's choice."""
    values = []
    for field in form.xpath(".//input[@name]|.//select[@name]"):
        if field.tag == "select":
            chosen = field.xpath(".//option[@selected]") or field.xpath(".//option")
            if chosen:
                values.append((field.get("name"), chosen[0].get("value", chosen[0].text or "")))
        elif field.get("type") not in ("submit", "button", "checkbox", "radio", "file"):
            values.append((field.get("name"), field.get("value", "")))
    action = urljoin(base, form.get("action") or base)
    return f"{urlsplit(action).path}?{urlencode(values)}"


def _links(html: str, base: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    urls = [urljoin(base, a.get("href")) for a in doc.xpath("//a[@href]")]
    urls += [_form_url(f, base) for f in doc.xpath("//form") if f.get("method", "get") == "get"]
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def walk(client, start: list[str]) -> dict[str, str]:
    """Every page, PDF and file reachable from `start` by links and GET forms: {url: text}."""
    read: dict[str, str] = {}
    queue, seen = deque(start), set(start)
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code < 500, url
        found = []
        if response.status_code in (301, 302, 303):
            found = [urlsplit(response.headers["Location"]).path]
        else:
            text = _text_of(response)
            if text is not None:
                read[url] = text
            if response.mimetype == "text/html" and text:
                found = _links(text, url)
        response.close()
        for link in found:
            if link not in seen and not link.startswith(SKIP_PREFIXES):
                seen.add(link)
                queue.append(link)
        assert len(seen) < MAX_PAGES, "the walk does not end: too many distinct URLs"
    return read


def leaks(read: dict[str, str]) -> list[tuple[str, str]]:
    secrets = (*INTERNAL, INSPECTOR_NAME, "inspector1")
    return [(url, s) for url, text in read.items() for s in secrets if s in text]


def _export(client, job_id_of, period: str) -> dict[str, str]:
    """HR's workbook for the period (built in the background) and the three CSV tables."""
    assert post(client, "/exports", {"period": period}).status_code == 302
    job_id = job_id_of()
    for _ in range(200):
        status = client.get(f"/exports/{job_id}/status").json
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done", status
    read = {}
    for url in (status["download"], *(f"/exports/{t}.csv?period={period}" for t in CSV_TABLES)):
        response = client.get(url)
        assert response.status_code == 200, url
        read[url] = _text_of(response)
        response.close()
    return read


CSV_TABLES = ("stores", "staff", "detail")


def test_a_manager_reads_the_note_to_the_hall_and_nothing_meant_for_the_inspector(
    returned_then_approved, manager
):
    uuid = returned_then_approved.uuid
    read = walk(manager, ["/"])
    assert leaks(read) == []
    # The walk reached every kind of page a manager has for the visit.
    results, pdf = f"/results/{uuid}", f"/results/{uuid}/report.pdf"
    assert results in read and pdf in read
    for prefix in (
        "/my-stores",
        "/stores/",
        "/actions",
        "/results/actions/",
        "/staff/",
        "/ratings",
    ):
        assert any(url.startswith(prefix) for url in read), prefix
    assert any(
        urlsplit(url).path == f"/stores/{returned_then_approved.store_id}/report.pdf"
        for url in read
    )
    # What is addressed to the hall arrives: the note on the page and in its PDF, the
    # positive verification on the action's page, styled as a confirmation.
    assert HALL_NOTE in read[results] and HALL_NOTE in read[pdf].replace("\n", "")
    action_page = next(text for url, text in read.items() if url.startswith("/results/actions/"))
    note = lxml.html.fromstring(action_page).xpath(f"//p[contains(., '{VERIFIED}')]")
    assert note and "note-ok" in note[0].get("class") and "error" not in note[0].get("class")


def test_hr_reads_the_note_to_the_hall_and_nothing_meant_for_the_inspector(
    app, db, make_user, returned_then_approved
):
    hr = role_client(app, make_user, Role.HR, "hr1")
    uuid = returned_then_approved.uuid
    results, pdf = f"/results/{uuid}", f"/results/{uuid}/report.pdf"
    read = walk(hr, ["/", results])
    period = f"{returned_then_approved.visit_date:%Y-%m}"
    read.update(_export(hr, lambda: db.session.scalar(select(ExportJob.id)), period))
    assert leaks(read) == []
    assert pdf in read and any(url.endswith("/download") for url in read)
    assert HALL_NOTE in read[results] and HALL_NOTE in read[pdf].replace("\n", "")


def test_the_walk_finds_a_leak_when_there_is_one(db, returned_then_approved, manager):
    """The walk is not blind: the same visit with an internal note put where the store reads
    (the hall note) is caught on the results page and in the PDF."""
    returned_then_approved.hall_note = INTERNAL[1]
    db.session.commit()
    uuid = returned_then_approved.uuid
    found = {url for url, _secret in leaks(walk(manager, [f"/results/{uuid}"]))}
    assert {f"/results/{uuid}", f"/results/{uuid}/report.pdf"} <= found


def test_a_note_to_the_hall_too_long_is_refused_with_a_message_and_nothing_approved(
    db, submitted, reviewer
):
    page = reviewer.get(f"/review/{VISIT_UUID}")
    assert 'name="hall_note"' in page.text  # the approve form carries the field
    refused = post(reviewer, f"/review/{VISIT_UUID}/approve", {"hall_note": "长" * 2001})
    assert refused.status_code == 422
    assert "2000" in refused.text  # 请控制在 2000 字以内
    assert "长" * 2001 + "</textarea>" in refused.text  # the note as typed, not lost
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection))
    assert inspection.status == "submitted" and inspection.hall_note is None
    blank = post(reviewer, f"/review/{VISIT_UUID}/approve", {"hall_note": "  \n "})
    assert blank.status_code == 302
    db.session.expire_all()
    approved = db.session.scalar(select(Inspection))
    assert approved.status == "approved" and approved.hall_note is None
    assert 'id="hall-note"' not in reviewer.get(f"/results/{VISIT_UUID}").text
