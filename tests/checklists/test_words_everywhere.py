"""Every answer, everywhere, in the checklist's words (issue 15, item 3).

One approved visit answers an item of every type in the registry with a value that is not its
best (a failed pass/fail, a not-applicable, a middling option, 4★, 3 / 4, 17 minutes, a remark),
and has an appeal and a corrective action. Every page that shows its answers, for every role
that can see it, both PDFs, the workbook and the CSV are then read as a person reads them, in
Chinese and in English, and fail on a raw stored value (pass, fail, na, an option's key), an
item's id, or points with trailing zeros (2.000).
"""

from __future__ import annotations

import csv
import html
import io
import re
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.checklists.item_types import NOT_APPLICABLE, item_type_keys
from inspect_app.checklists.operations import definition_of
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.reports.models import ExportJob
from inspect_app.review.models import Appeal, CorrectiveAction
from inspect_app.stores.models import Staff
from tests.conftest import csrf_from, post_form
from tests.fixtures.review import (
    FAILED_HALL_ITEM,
    FAILED_STAFF_ITEM,
    post,
    role_client,
    submit_visit,
)
from tests.fixtures.visits import VISIT_UUID
from tests.pdf_support import pdf_text

#: One answer of every type that is not the best one, so its words differ from the best's.
ANSWERS = {
    FAILED_STAFF_ITEM: {"value": "fail", "employee_no": "00001", "comment": "工牌未佩戴"},
    FAILED_HALL_ITEM: {"value": "fail", "comment": "洗手台有积水"},
    "appearance.makeup": {"value": NOT_APPLICABLE},
    "phrasing.greeting": {"value": "late_or_nonstandard"},
    "behaviour.attitude": {"value": 4},
    "hygiene.cleanliness": {"value": 3},
    "process.waiting_minutes": {"value": 17},
    "process.handling_minutes": {"value": 7},
    "process.remark": {"value": "顾客较多"},
}
#: Failed at first, passed when the returned visit is resubmitted (the history lists it).
CHANGED = "uniform.clean"
#: What those answers read as (a sample of the words each page must use).
WORDS = {
    "zh": [
        "不合格 · 得 0 分（满分 3）",
        "问候不及时",
        "4★ · 得 3.75 分（满分 5）",
        "17 分钟",
        "3 / 4",
    ],
    "en": ["Fail · 0 of 3 points", "Greeted late", "4★ · 3.75 of 5 points", "17 min", "3 / 4"],
}
#: The two score cards of a visit, told apart: the percentage and the points.
CARDS = {"zh": ("得分率", "得分 / 满分"), "en": ("Score rate", "Points earned / possible")}
TRAILING_ZEROS = re.compile(r"(?<![\d.])\d+\.\d*0(?![\d.%])")


def raw_values(definition) -> set[str]:
    """The registry's stored values that are codes: pass, fail, na, options' keys."""
    values = {NOT_APPLICABLE}
    for item in definition.items:
        kind = item.item_type
        if kind.scored:
            values |= {v for v in kind.example_answers(item) if isinstance(v, str)}
    return values


def offences(text: str, definition) -> list[str]:
    """The codes, item ids and trailing-zero numbers in a text a person reads."""
    found = []
    for code in sorted(raw_values(definition) | {i.id for i in definition.items}):
        if re.search(rf"(?<![\w.-]){re.escape(code)}(?![\w.-])", text, re.ASCII):
            found.append(code)
    found += TRAILING_ZEROS.findall(text)
    return found


def visible_text(page: str) -> str:
    """The text a page shows: no scripts, styles, tags or attributes."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _appeal(db, manager, item_id: str) -> None:
    answer = db.session.scalar(select(Answer).where(Answer.item_id == item_id))
    response = post(
        manager,
        f"/results/{VISIT_UUID}/appeals",
        {"answer_id": answer.id, "reason": "当时员工在更换工牌"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


@pytest.fixture
def everything(app, db, visit, reviewer, manager, make_user):
    """The visit answered with ANSWERS, returned once and resubmitted with a changed answer,
    approved; an appeal upheld on the failed hall item, one open on the failed staff item."""
    used = {visit.definition.item(item_id).type for item_id in ANSWERS}
    assert used == set(item_type_keys()), "the visit must use every item type"
    payload = submit_visit(visit, **ANSWERS, **{CHANGED: {"value": "fail"}})
    assert post(reviewer, f"/review/{VISIT_UUID}/return", {"comment": "请核实"}).status_code in (
        302,
        303,
    )
    payload["answers"][CHANGED] = {"value": "pass"}
    assert visit.submit(payload).status_code == 200
    assert post(reviewer, f"/review/{VISIT_UUID}/approve").status_code == 302
    _appeal(db, manager, FAILED_HALL_ITEM)
    appeal = db.session.scalar(select(Appeal))
    decided = post(reviewer, f"/review/appeals/{appeal.id}", {"decision": "uphold"})
    assert decided.status_code in (302, 303)
    _appeal(db, manager, FAILED_STAFF_ITEM)
    inspection = db.session.scalar(select(Inspection))
    staff = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))
    hr = role_client(app, make_user, Role.HR, "hr1")
    return {
        "action": db.session.scalar(select(CorrectiveAction)),
        "inspection": inspection,
        "period": f"{inspection.visit_date:%Y-%m}",
        "staff": staff,
        "hr": hr,
        "clients": {"inspector": visit.client, "reviewer": reviewer, "manager": manager},
    }


def pages(world) -> dict[str, list[str]]:
    """Every page that shows the visit's answers, by the role that sees it."""
    inspection, period = world["inspection"], world["period"]
    store = f"/stores/{inspection.store_id}?period={period}"
    staff = f"/staff/{world['staff'].id}?period={period}"
    return {
        "inspector": [f"/visits/{VISIT_UUID}/view", f"/visits/{VISIT_UUID}", "/visits"],
        "reviewer": [
            f"/review/{VISIT_UUID}",
            f"/results/{VISIT_UUID}",
            "/review/appeals",
            "/review",
            f"/review/inspectors?period={period}",
            f"/ratings?period={period}",
            store,
            staff,
        ],
        "manager": [
            f"/results/{VISIT_UUID}",
            f"/results/{VISIT_UUID}/appeals",
            "/actions",
            f"/results/actions/{world['action'].id}",
            "/my-stores",
            store,
            staff,
        ],
    }


def switch_to_english(client) -> None:
    post_form(client, "/language", {"lang": "en", "next": "/"})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_shows_answers_and_items_in_words(everything, lang):
    definition = definition_of(everything["inspection"].checklist_version)
    problems, shown = {}, set()
    for role, urls in pages(everything).items():
        client = everything["clients"][role]
        if lang == "en":
            switch_to_english(client)
        for url in urls:
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, (role, url)
            text = visible_text(response.text)
            shown |= {w for w in WORDS[lang] if w in text}
            # A remark is shown as typed, with no points after it.
            assert not re.search(r"顾客较多\s*·", text), (role, url)
            if found := offences(text, definition):
                problems[f"{role} {url}"] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    assert shown == set(WORDS[lang])
    for role, url in (
        ("inspector", f"/visits/{VISIT_UUID}/view"),
        ("reviewer", f"/review/{VISIT_UUID}"),
    ):
        text = visible_text(everything["clients"][role].get(url).text)
        assert all(card in text for card in CARDS[lang]), (role, url)
        # The history names the item the resubmission changed by its text.
        if role == "reviewer":
            changed = definition.item(CHANGED).label("en" if lang == "en" else "zh_CN")
            assert changed in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_both_pdfs_show_answers_and_items_in_words(everything, lang, tmp_path):
    definition = definition_of(everything["inspection"].checklist_version)
    inspection, period = everything["inspection"], everything["period"]
    urls = [
        f"/results/{VISIT_UUID}/report.pdf",
        f"/stores/{inspection.store_id}/report.pdf?period={period}",
    ]
    problems, texts = {}, []
    for role in ("reviewer", "manager"):
        client = everything["clients"][role]
        if lang == "en":
            switch_to_english(client)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            text = pdf_text(response.data, tmp_path)
            texts.append(text)
            if found := offences(text, definition):
                problems[f"{role} {url}"] = found
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
    # The visit PDF's score fact and its sections' columns are told apart.
    assert all(card in texts[0] for card in CARDS[lang])
    # Both PDFs name the failed item (the other one's appeal was upheld) by its text.
    english = lang == "en"
    for item_id in (FAILED_STAFF_ITEM,):
        label = re.sub(r"\s+", "", definition.item(item_id).label("en" if english else "zh_CN"))
        for text in texts:
            assert label[:12] in re.sub(r"\s+", "", text), (item_id, label)


def _export(db, client, period: str) -> bytes:
    token = csrf_from(client.get("/exports").text)
    response = client.post("/exports", data={"csrf_token": token, "period": period})
    assert response.status_code == 302
    job_id = db.session.scalar(select(ExportJob.id))
    for _ in range(200):
        status = client.get(f"/exports/{job_id}/status").json
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done", status
    return client.get(status["download"]).data


#: The detail columns HR imports as codes (docs/exports.md): the item's id is one of them.
CODE_COLUMNS = {"检查编号", "门店编码", "检查项编号", "工号"}


def _detail_offences(header, rows, definition) -> list[str]:
    shown = [i for i, name in enumerate(header) if name not in CODE_COLUMNS]
    found = []
    for row in rows:
        text = " | ".join("" if row[i] is None else str(row[i]) for i in shown)
        found += offences(text, definition)
    return found


def test_workbook_and_csv_detail_in_words(db, everything, tmp_path):
    definition = definition_of(everything["inspection"].checklist_version)
    hr, period = everything["hr"], everything["period"]
    path = tmp_path / "hr.xlsx"
    path.write_bytes(_export(db, hr, period))
    book = load_workbook(path, read_only=True)  # read-only books hold the file open: close it
    header, *rows = [list(r) for r in book["检查明细"].iter_rows(values_only=True)]
    book.close()
    response = hr.get("/exports/detail.csv", query_string={"period": period})
    csv_header, *csv_rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert csv_header == header
    for rows_ in (rows, csv_rows):
        assert _detail_offences(header, rows_, definition) == []
        by_item = {row[header.index("检查项编号")]: row for row in rows_}
        result = header.index("结果")
        assert by_item["phrasing.greeting"][result].startswith("问候不及时")
        assert by_item["behaviour.attitude"][result] == "4★"
        assert by_item["process.waiting_minutes"][result] == "17 分钟"
        assert by_item[FAILED_STAFF_ITEM][result] == "不合格"
        assert by_item["appearance.makeup"][result] == "不适用"
        remark = by_item["process.remark"]
        assert remark[result] == "顾客较多"
        # A remark is not scored: no points at all, not 0 of 0.
        assert remark[header.index("得分")] in (None, "")
        assert remark[header.index("可得分")] in (None, "")
