"""Every answer read with its own checklist version, on every page, PDF and export.

The hall 北一营业厅 has approved findings in one month under version 1 of the default checklist
(the restroom item failed, and the badge item in its first wording), under version 2 (uploaded
and activated by an admin: no restroom item, the badge item reworded) and under a second
checklist (its veto item failed). Every role opens everything it may reach for the hall: no
page fails, and each finding shows the text of the version it was made with.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.calendar import halls_today
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of, find_version
from inspect_app.config import PROJECT_ROOT, TestConfig
from inspect_app.db import utcnow
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, ServedStaff
from inspect_app.inspections.operations import store_scores
from inspect_app.periods import month_of
from inspect_app.reports.models import ExportJob
from inspect_app.reports.workbook_tables import STORE_COLUMNS
from inspect_app.review.actions import record_action_item
from inspect_app.review.models import Appeal, CorrectiveActionItem
from inspect_app.review.operations import approve_inspection, file_appeal
from inspect_app.stores.models import Staff
from tests.conftest import DEFAULT_CHECKLIST, csrf_from
from tests.fixtures.review import post, role_client
from tests.fixtures.visits import complete_answers

DEFAULT_KEY = "business-hall-mystery-shop"
RESTROOM = "hygiene.restroom"
RESTROOM_TEXT = "卫生间干净整洁、无异味"
BADGE = "appearance.badge_worn"
BADGE_V1 = "工牌佩戴于指定位置（左胸）"
BADGE_V2 = "工牌佩戴于左胸口袋上方一指处"
EXPRESS_KEY = "counter-express"
EXPRESS_VETO = "express.data_safe"
EXPRESS_VETO_TEXT = "快捷柜台未泄露客户信息"
EXPRESS_GREETING = "express.greeting"
EXPRESS_GREETING_TEXT = "快捷柜台营业员起身问候"
EXPRESS_SECTION = "快捷柜台服务"
SECOND_CHECKLIST = f"""
key: {EXPRESS_KEY}
title: 快捷柜台检查表
title_en: Express counter checklist
rating:
  star_thresholds: {{1: 0, 2: 60, 3: 75, 4: 85, 5: 95}}
  min_inspections: 1
  veto:
    max_percent: 0
    max_stars: 1
sections:
  - id: express
    title: {EXPRESS_SECTION}
    title_en: Express counter service
    weight: 1
    staff: true
    items:
      - id: {EXPRESS_GREETING}
        text: {EXPRESS_GREETING_TEXT}
        text_en: Express counter staff stand to greet
        type: pass_fail
        points: 2
      - id: {EXPRESS_VETO}
        text: {EXPRESS_VETO_TEXT}
        text_en: No customer data disclosed at the express counter
        type: pass_fail
        points: 5
        veto: true
"""
APPEAL_PENDING = "申诉中"
CORRECTED = "已整改，待验证"


def version_two_yaml() -> str:
    """The default checklist without the restroom item and with the badge item reworded."""
    text = DEFAULT_CHECKLIST.read_text(encoding="utf-8")
    start = text.index(f"      - id: {RESTROOM}\n")
    end = text.index("      - id: ", start + 1)
    text = text[:start] + text[end:]
    assert text.count(f"text: {BADGE_V1}") == 1
    return text.replace(f"text: {BADGE_V1}", f"text: {BADGE_V2}")


def upload(admin, name: str, text: str) -> None:
    """Upload a checklist file as the admin and make it the version in use."""
    token = csrf_from(admin.get("/checklists/upload").text)
    response = admin.post(
        "/checklists/upload",
        data={"csrf_token": token, "activate": "1", "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text


class World:
    """The hall, its month, the three visits and a client per role."""

    def __init__(self, db, org, clients, period, visits) -> None:
        self.db = db
        self.stores = org["stores"]
        self.store = org["stores"][0]
        self.clients = clients
        self.period = period
        #: "v1", "v2", "express" -> the approved visit.
        self.visits = visits
        self.default = db.session.scalar(select(Checklist).where(Checklist.key == DEFAULT_KEY))
        self.express = db.session.scalar(select(Checklist).where(Checklist.key == EXPRESS_KEY))
        self.person = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))


def approved_visit(db, store, version, day, inspector, reviewer, person, **failed) -> Inspection:
    """An approved visit to `store` made with `version`: full marks but for `failed`."""
    definition = definition_of(version)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        store_id=store.id,
        checklist_version_id=version.id,
        inspector_id=inspector.id,
        status=InspectionStatus.SUBMITTED,
        visit_date=day,
        submitted_at=utcnow(),
    )
    db.session.add(inspection)
    db.session.flush()
    inspection.served_by.append(ServedStaff(staff=person, position=0))
    for item_id, given in complete_answers(definition, **failed).items():
        answer = Answer(
            item_id=item_id,
            value=given["value"],
            comment=given.get("comment"),
            points_earned=Decimal(0),
            points_possible=Decimal(0),
        )
        if given.get("employee_no"):
            answer.is_staff_named, answer.employee_no = True, given["employee_no"]
        inspection.answers.append(answer)
    store_scores(inspection, definition)
    approve_inspection(inspection, reviewer, utcnow(), TestConfig.CORRECTIVE_ACTION_DAYS)
    db.session.commit()
    return inspection


def answer_of(inspection: Inspection, item_id: str) -> Answer:
    return next(a for a in inspection.answers if a.item_id == item_id)


@pytest.fixture
def world(app, db, org, make_user, default_checklist_version):
    admin = role_client(app, make_user, Role.ADMIN, "admin1")
    clients = {
        "admin": admin,
        "manager": role_client(app, make_user, Role.MANAGER, "manager1", stores=[org["stores"][0]]),
        "reviewer": role_client(app, make_user, Role.REVIEWER, "reviewer1"),
        "hr": role_client(app, make_user, Role.HR, "hr1"),
        "inspector": role_client(app, make_user, Role.INSPECTOR, "inspector1"),
    }
    user = {
        name: db.session.scalar(select(User).where(User.username == f"{name}1")) for name in clients
    }
    store = org["stores"][0]
    person = db.session.scalar(select(Staff).where(Staff.employee_no == "00001"))
    period = month_of(halls_today()).previous()
    v1 = find_version(DEFAULT_KEY, 1)
    visits = {
        "v1": approved_visit(
            db, store, v1, period.start + timedelta(days=2), user["inspector"],
            user["reviewer"], person,
            **{
                RESTROOM: {"value": "fail", "comment": "洗手台有积水"},
                BADGE: {"value": "fail", "employee_no": "00001", "comment": "第一版工牌"},
            },
        ),
    }  # fmt: skip
    # The admin uploads and activates version 2 (no restroom item), then a second checklist.
    upload(admin, "business-hall-mystery-shop.yaml", version_two_yaml())
    upload(admin, "counter-express.yaml", SECOND_CHECKLIST)
    v2 = find_version(DEFAULT_KEY, 2)
    assert RESTROOM not in {i.id for i in definition_of(v2).items}
    visits["v2"] = approved_visit(
        db, store, v2, period.start + timedelta(days=10), user["inspector"], user["reviewer"],
        person, **{BADGE: {"value": "fail", "employee_no": "00001", "comment": "第二版工牌"}},
    )  # fmt: skip
    visits["express"] = approved_visit(
        db, store, find_version(EXPRESS_KEY, 1), period.start + timedelta(days=12),
        user["inspector"], user["reviewer"], person,
        **{
            EXPRESS_VETO: {"value": "fail", "employee_no": "00001", "comment": "当众念读号码"},
            EXPRESS_GREETING: {"value": "fail", "employee_no": "00001"},
        },
    )  # fmt: skip
    # The manager appeals the restroom finding and records the fix of the first badge finding.
    file_appeal(
        visits["v1"], answer_of(visits["v1"], RESTROOM), user["manager"], "卫生间当日停水",
        utcnow(), TestConfig.APPEAL_WINDOW_DAYS,
    )  # fmt: skip
    badge_item = db.session.scalar(
        select(CorrectiveActionItem).where(
            CorrectiveActionItem.answer_id == answer_of(visits["v1"], BADGE).id
        )
    )
    record_action_item(badge_item, user["manager"], "已补发工牌并培训", utcnow())
    db.session.commit()
    return World(db, org, clients, period, visits)


def squeeze(text: str) -> str:
    """Text without any white space: a PDF table wraps long cells over several lines."""
    return re.sub(r"\s+", "", text)


def pdf_words(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
        check=True,
    )  # fmt: skip
    return out.stdout.decode("utf-8")


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


#: (roles that may open the page, the page) for the hall; {p} period, {s} store, {c} checklists.
HALL_PAGES = (
    (("admin", "manager", "reviewer", "hr"), "/stores/{s}?period={p}"),
    (("admin", "manager", "reviewer", "hr"), "/stores/{s}?period={p}&checklist={c2}"),
    (("admin", "manager", "reviewer", "hr"), "/stores/{s}/report.pdf?period={p}"),
    (("admin", "manager", "reviewer", "hr"), "/stores/{s}/report.pdf?period={p}&checklist={c2}"),
    (("admin", "manager", "reviewer", "hr"), "/ratings?period={p}"),
    (("admin", "manager", "reviewer", "hr"), "/ratings?period={p}&checklist={c2}"),
    (("admin", "manager", "reviewer", "hr"), "/my-stores"),
    (("admin", "reviewer", "hr"), "/stores"),
    (("admin", "manager", "reviewer", "hr"), "/staff/{staff}?period={p}"),
    (("admin", "reviewer"), "/review/appeals"),
    (("admin", "reviewer"), "/review"),
    (("admin", "reviewer"), "/review/inspectors?period={p}"),
    (("admin", "manager"), "/actions"),
    (("admin",), "/admin/stores/{s}"),
    (("admin",), "/admin/staff/{staff}"),
    (("admin", "reviewer"), "/checklists/" + DEFAULT_KEY + "/diff?from=1&to=2"),
    (("admin", "hr"), "/exports/stores.csv?period={p}"),
    (("admin", "hr"), "/exports/staff.csv?period={p}"),
    (("admin", "hr"), "/exports/detail.csv?period={p}"),
    (("admin", "hr"), "/exports"),
    (("admin", "manager", "reviewer", "hr", "inspector"), "/"),
    (("inspector",), "/visits"),
)
#: Per visit: (roles, page) with {u} the visit's uuid.
VISIT_PAGES = (
    (("admin", "manager", "reviewer", "hr"), "/results/{u}"),
    (("admin", "manager", "reviewer", "hr"), "/results/{u}/report.pdf"),
    (("admin", "reviewer"), "/review/{u}"),
    (("inspector",), "/visits/{u}/view"),
)


def fill(page: str, world: World, **more) -> str:
    return page.format(
        p=world.period.key, s=world.store.id, c2=world.express.id, staff=world.person.id, **more
    )


def test_every_page_of_the_hall_opens_for_every_role_that_may_see_it(world):
    for roles, page in HALL_PAGES:
        url = fill(page, world)
        for role, client in world.clients.items():
            response = client.get(url, follow_redirects=True)  # home leads to each role's page
            assert response.status_code < 500, (role, url, response.status_code)
            if role in roles:
                assert response.status_code == 200, (role, url, response.status_code)
    for visit in world.visits.values():
        for roles, page in VISIT_PAGES:
            url = fill(page, world, u=visit.uuid)
            for role, client in world.clients.items():
                response = client.get(url)
                assert response.status_code < 500, (role, url, response.status_code)
                if role in roles:
                    assert response.status_code == 200, (role, url, response.status_code)


@pytest.mark.parametrize("role", ["admin", "manager", "reviewer", "hr"])
def test_the_dashboard_shows_each_finding_in_its_own_versions_words(world, role):
    client = world.clients[role]
    for checklist in (world.default, world.express):
        page = client.get(
            f"/stores/{world.store.id}",
            query_string={"period": world.period.key, "checklist": checklist.id},
        )
        assert page.status_code == 200
        # Every finding of the month, whichever checklist is rated above it.
        for text in (RESTROOM_TEXT, BADGE_V1, BADGE_V2, EXPRESS_VETO_TEXT, EXPRESS_GREETING_TEXT):
            assert text in page.text, (role, checklist.key, text)
        # Several versions: each finding says which checklist and version it was made with.
        assert "营业厅暗访检查表 v1" in page.text and "营业厅暗访检查表 v2" in page.text
        assert "快捷柜台检查表 v1" in page.text
        # The follow-up of each finding, in words.
        assert APPEAL_PENDING in page.text and CORRECTED in page.text


def sections_chart(html: str) -> str:
    """The dashboard's section chart (the second chart card)."""
    start = html.index('class="card chart"', html.index('class="card chart"') + 1)
    return html[start : html.index("</section>", start)]


def test_each_checklists_section_chart_is_its_own(world):
    client = world.clients["manager"]

    def chart(checklist: Checklist) -> str:
        query = {"period": world.period.key, "checklist": checklist.id}
        return sections_chart(client.get(f"/stores/{world.store.id}", query_string=query).text)

    default, express = chart(world.default), chart(world.express)
    assert "厅堂环境" in default and EXPRESS_SECTION not in default
    assert EXPRESS_SECTION in express and "厅堂环境" not in express


@pytest.mark.parametrize("choice", ["999999", "abc", "", "-1"])
def test_a_checklist_choice_not_in_use_shows_the_first_checklist(world, choice):
    """A stale or hand-edited ?checklist= falls back to the first checklist by key, never a 500."""
    client = world.clients["manager"]
    query = {"period": world.period.key}
    first = client.get(f"/stores/{world.store.id}", query_string=query)
    chosen = client.get(f"/stores/{world.store.id}", query_string=query | {"checklist": choice})
    assert chosen.status_code == 200
    assert sections_chart(chosen.text) == sections_chart(first.text)
    assert "厅堂环境" in sections_chart(chosen.text)  # the default checklist sorts first
    ratings = client.get("/ratings", query_string=query | {"checklist": choice})
    assert ratings.status_code == 200
    pdf = client.get(
        f"/stores/{world.store.id}/report.pdf", query_string=query | {"checklist": choice}
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


@pytest.mark.parametrize("role", ["admin", "manager", "reviewer", "hr"])
def test_the_store_pdf_prints_each_finding_its_follow_up_and_a_plain_percent(world, role):
    client = world.clients[role]
    for checklist in (world.default, world.express):
        response = client.get(
            f"/stores/{world.store.id}/report.pdf",
            query_string={"period": world.period.key, "checklist": checklist.id},
        )
        assert response.status_code == 200, (role, checklist.key)
        text = pdf_words(response.data)
        words = squeeze(text)
        for wording in (
            RESTROOM_TEXT, BADGE_V1, BADGE_V2, EXPRESS_VETO_TEXT, EXPRESS_GREETING_TEXT
        ):  # fmt: skip
            assert squeeze(wording) in words, (role, checklist.key, wording)
        # The 申诉/整改 column says where each finding stands, in words.
        assert APPEAL_PENDING in words and squeeze(CORRECTED) in words
        assert "待整改" in words  # the findings nobody has acted on yet
        assert "90%" in text and "90%%" not in text
        assert squeeze(checklist.title) in words


def test_the_store_pdf_names_follow_ups_only_where_there_are_some(world, db):
    # The second checklist's findings have an action item (to be corrected) but no appeal.
    response = world.clients["manager"].get(
        f"/stores/{world.store.id}/report.pdf",
        query_string={"period": world.period.key, "checklist": world.express.id},
    )
    words = squeeze(pdf_words(response.data))
    assert words.count(APPEAL_PENDING) == 1  # only the restroom finding was appealed
    assert words.count(squeeze(CORRECTED)) == 1  # only the first badge finding was fixed


@pytest.mark.parametrize(
    "visit, present, absent",
    [
        ("v1", (RESTROOM_TEXT, BADGE_V1), (BADGE_V2, EXPRESS_VETO_TEXT)),
        ("v2", (BADGE_V2,), (BADGE_V1, RESTROOM_TEXT)),
        ("express", (EXPRESS_VETO_TEXT, EXPRESS_GREETING_TEXT), (BADGE_V1, BADGE_V2)),
    ],
)
def test_each_visits_pages_and_pdf_use_its_own_version(world, visit, present, absent):
    inspection = world.visits[visit]
    pages = {
        "results": world.clients["manager"].get(f"/results/{inspection.uuid}").text,
        "review": world.clients["reviewer"].get(f"/review/{inspection.uuid}").text,
        "inspector": world.clients["inspector"].get(f"/visits/{inspection.uuid}/view").text,
    }
    for role in ("admin", "manager", "reviewer", "hr"):
        response = world.clients[role].get(f"/results/{inspection.uuid}/report.pdf")
        assert response.status_code == 200, role
        pages[f"pdf {role}"] = squeeze(pdf_words(response.data))
    for name, text in pages.items():
        for wording in present:
            assert squeeze(wording) in squeeze(text), (name, wording)
        for wording in absent:
            assert squeeze(wording) not in squeeze(text), (name, wording)


def test_appeals_and_actions_name_the_finding_in_its_own_version(world, db):
    # The restroom item exists only in version 1, which is no longer in use.
    for role, url in (("reviewer", "/review/appeals"), ("manager", "/actions")):
        page = world.clients[role].get(url)
        assert page.status_code == 200 and RESTROOM_TEXT in page.text, role
    action = world.visits["v1"]
    action_id = db.session.scalar(
        select(CorrectiveActionItem.action_id).where(
            CorrectiveActionItem.answer_id == answer_of(action, BADGE).id
        )
    )
    for role in ("admin", "manager", "reviewer", "hr"):
        page = world.clients[role].get(f"/results/actions/{action_id}")
        assert page.status_code == 200, role
        assert RESTROOM_TEXT in page.text and BADGE_V1 in page.text, role


def test_the_staff_page_traces_findings_in_their_own_words(world):
    page = world.clients["manager"].get(
        f"/staff/{world.person.id}", query_string={"period": world.period.key}
    )
    assert page.status_code == 200
    for text in (BADGE_V1, BADGE_V2, EXPRESS_VETO_TEXT):
        assert text in page.text


def test_the_item_detail_csv_reads_each_answer_with_its_version(world):
    rows = csv_rows(
        world.clients["hr"].get("/exports/detail.csv", query_string={"period": world.period.key})
    )
    texts = {(r["检查编号"], r["检查项编号"]): (r["分项"], r["检查项"]) for r in rows}
    v1, v2, express = (world.visits[k].uuid for k in ("v1", "v2", "express"))
    assert texts[(v1, RESTROOM)][1] == RESTROOM_TEXT
    assert texts[(v1, BADGE)][1] == BADGE_V1
    assert texts[(v2, BADGE)][1] == BADGE_V2
    assert (v2, RESTROOM) not in texts
    assert texts[(express, EXPRESS_VETO)] == (EXPRESS_SECTION, EXPRESS_VETO_TEXT)


def test_the_store_ratings_csv_has_a_row_per_hall_and_checklist_with_the_veto(world):
    rows = csv_rows(
        world.clients["hr"].get("/exports/stores.csv", query_string={"period": world.period.key})
    )
    by_key = {(r["门店编码"], r["检查表编码"]): r for r in rows}
    # Three halls, two checklists in use: every hall has a row for each.
    assert len(rows) == 6 and len(by_key) == 6
    default = by_key[(world.store.code, DEFAULT_KEY)]
    express = by_key[(world.store.code, EXPRESS_KEY)]
    assert default["检查次数"] == "2" and default["检查表版本"] == "1, 2"
    assert default["否决次数"] == "0" and default["检查表名称"] == "营业厅暗访检查表"
    # The second checklist's veto reaches HR: counted and capping the stars.
    assert express["检查次数"] == "1" and express["否决次数"] == "1"
    assert express["星级"] == "1" and express["检查表版本"] == "1"
    assert express["检查表名称"] == "快捷柜台检查表"
    # A hall never visited on a checklist: a row with empty figures and no version.
    other = by_key[(world.stores[1].code, EXPRESS_KEY)]
    assert other["检查次数"] == "0" and other["星级"] == "" and other["检查表版本"] == ""
    # The new columns come last, after every column of earlier releases.
    header = list(rows[0])
    assert header[-3:] == ["检查表编码", "检查表名称", "检查表版本"]
    assert header[:10] == [
        "期间", "区域", "门店编码", "门店名称", "检查次数", "平均得分", "星级", "否决次数",
        "区域排名", "总排名",
    ]  # fmt: skip


def _workbook(world, tmp_path):
    hr = world.clients["hr"]
    token = csrf_from(hr.get("/exports").text)
    assert (
        hr.post("/exports", data={"csrf_token": token, "period": world.period.key}).status_code
        == 302
    )
    job = world.db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
    for _ in range(400):
        status = hr.get(f"/exports/{job.id}/status").json
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done", status
    response = hr.get(status["download"])
    path = tmp_path / "hr.xlsx"
    path.write_bytes(response.data)
    response.close()
    return load_workbook(path, read_only=True)


def test_the_workbook_rates_both_checklists_and_reads_each_answer_with_its_version(
    world, db, tmp_path
):
    book = _workbook(world, tmp_path)
    try:
        stores = [list(r) for r in book["门店星级"].iter_rows(values_only=True)]
        header, rows = stores[0], stores[1:]
        key, vetoes, versions = (header.index(h) for h in ("检查表编码", "否决次数", "检查表版本"))
        mine = {r[key]: r for r in rows if r[header.index("门店编码")] == world.store.code}
        assert set(mine) == {DEFAULT_KEY, EXPRESS_KEY}
        assert mine[EXPRESS_KEY][vetoes] == 1 and mine[DEFAULT_KEY][vetoes] == 0
        assert mine[DEFAULT_KEY][versions] == "1, 2"
        detail = [list(r) for r in book["检查明细"].iter_rows(values_only=True)]
        column = detail[0].index("检查项")
        texts = {r[column] for r in detail[1:]}
        assert {RESTROOM_TEXT, BADGE_V1, BADGE_V2, EXPRESS_VETO_TEXT} <= texts
        legend = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True) if r and r[0]}
        # Both checklists' star thresholds, each after its key.
        assert f"{DEFAULT_KEY}：" in legend["星级标准"] and f"{EXPRESS_KEY}：" in legend["星级标准"]
        staff = [list(r) for r in book["员工考核"].iter_rows(values_only=True)]
        assert any(r[0] == "00001" and r[staff[0].index("否决项数")] == 1 for r in staff[1:])
    finally:
        book.close()


def test_a_finding_of_a_version_no_longer_in_use_can_still_be_upheld(world, db):
    # The restroom item is in version 1 only: upholding its appeal rescored with version 1.
    appeal = db.session.scalar(select(Appeal))
    response = post(
        world.clients["reviewer"], f"/review/appeals/{appeal.id}", {"decision": "uphold"}
    )
    assert response.status_code == 302
    page = world.clients["manager"].get(
        f"/stores/{world.store.id}", query_string={"period": world.period.key}
    )
    assert page.status_code == 200
    assert RESTROOM_TEXT not in page.text and BADGE_V1 in page.text
    assert answer_of(world.visits["v1"], RESTROOM).value == "pass"


def docs_table(section: str) -> list[tuple[str, str, str]]:
    """(列名, type, field) of each row of a sheet's column table in docs/exports.md."""
    docs = (PROJECT_ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    start = docs.index(f"### {section}")
    text = docs[start : docs.index("\n### ", start + 1)]
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    return [(r[0].strip(), r[1].strip(), r[-1].strip().strip("`")) for r in rows[1:]]


def test_the_docs_list_the_store_columns_in_order_with_their_types_and_fields():
    assert docs_table("门店星级") == [(c.header, c.kind, c.field) for c in STORE_COLUMNS]
    docs = (PROJECT_ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    assert "one row per store and checklist" in docs
    assert "**Added (issue 13, 2026-11-30): 检查表编码, 检查表名称, 检查表版本.**" in docs
    # The new columns are the last three, after the ten of earlier releases.
    assert [c.header for c in STORE_COLUMNS[-3:]] == ["检查表编码", "检查表名称", "检查表版本"]
    assert len(STORE_COLUMNS) == 13


def test_a_section_the_version_in_use_dropped_still_shows_the_periods_figures(world):
    # Version 3 (in use, no visit yet) has no hall-hygiene section; the month's visits had it.
    text = version_two_yaml()
    start = text.index("\n  - id: hygiene\n")
    text = text[:start] + text[text.index("\n  - id: ", start + 1) :]
    upload(world.clients["admin"], "v3.yaml", text)
    assert "hygiene" not in {s.id for s in definition_of(find_version(DEFAULT_KEY, 3)).sections}
    client, query = world.clients["manager"], {"period": world.period.key}
    chart = sections_chart(client.get(f"/stores/{world.store.id}", query_string=query).text)
    # Still charted, after the sections of the version in use, with the visits' figure:
    # 96.2 % pools the restroom's 0 of 2 points (version 1) with full marks elsewhere.
    assert "服务流程" in chart and "厅堂环境" in chart
    assert chart.index("服务流程") < chart.index("厅堂环境")  # the last section of version 3
    assert "96.2%" in chart
