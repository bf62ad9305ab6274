"""Inspector quality: a harsh inspector stands out against peers at the same hall."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal

from inspect_app.auth.models import Role
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus
from inspect_app.periods import month_of
from inspect_app.review.quality import inspector_quality
from tests.conftest import post_form

DAY = date(2026, 5, 10)


def _visit(db, inspector, store, version, score, na_items=0):
    inspection = Inspection(
        uuid=str(uuid.uuid4()), store_id=store.id, checklist_version_id=version.id, inspector_id=inspector.id,
        status=InspectionStatus.APPROVED, visit_date=DAY, score_percent=Decimal(score),
    )  # fmt: skip
    for n in range(4):
        na = n < na_items
        inspection.answers.append(
            Answer(item_id=f"x.{n}", value="na" if na else "pass", is_not_applicable=na,
                   points_earned=Decimal(0 if na else 2), points_possible=Decimal(0 if na else 2))
        )  # fmt: skip
    db.session.add(inspection)


def test_deviation_from_peers_na_share_and_the_page(
    db, make_user, org, default_checklist_version, reviewer_client
):
    harsh, fair, other = (make_user(Role.INSPECTOR, username=n) for n in ("harsh", "fair", "other"))
    store_a, store_b = org["stores"][0], org["stores"][1]
    _visit(db, harsh, store_a, default_checklist_version, "70", na_items=2)
    _visit(db, fair, store_a, default_checklist_version, "90")
    _visit(db, other, store_a, default_checklist_version, "92")
    _visit(db, fair, store_b, default_checklist_version, "88")
    db.session.commit()
    rows = {r.name: r for r in inspector_quality(month_of(DAY))}
    assert rows["harsh"].deviation == Decimal("-21.0")  # 70 against the peers' mean of 91
    assert rows["harsh"].na_share == Decimal("50.0")
    assert rows["fair"].visits == 2 and rows["fair"].compared_visits == 1
    assert next(iter(inspector_quality(month_of(DAY)))).name == "harsh"  # largest deviation first
    page = reviewer_client.get("/review/inspectors", query_string={"period": "2026-05"})
    assert page.status_code == 200 and "-21.0" in page.text
    assert (
        reviewer_client.get("/review/inspectors", query_string={"period": "x"}).status_code == 400
    )


def test_managers_cannot_see_inspector_quality(manager_client):
    assert manager_client.get("/review/inspectors").status_code == 403


def _leaning_cells(page: str) -> dict[str, str]:
    """{inspector name: the deviation cell's text} of the quality page."""
    rows = re.findall(
        r"<tr><td>([^<]+)</td>.*?(<td class=\"num\" data-leaning.*?</td>)", page, re.S
    )
    return {name: cell for name, cell in rows}


def test_lenient_and_strict_are_both_flagged_in_words_not_green(
    db, make_user, org, default_checklist_version, reviewer_client
):
    soft, harsh, fair, other = (
        make_user(Role.INSPECTOR, username=n) for n in ("soft", "harsh", "fair", "other")
    )
    store = org["stores"][0]
    for inspector, score in ((soft, "99"), (harsh, "70"), (fair, "85"), (other, "86")):
        _visit(db, inspector, store, default_checklist_version, score)
    lone = make_user(Role.INSPECTOR, username="lone")
    _visit(db, lone, org["stores"][1], default_checklist_version, "100")  # no peers there
    db.session.commit()
    rows = {r.name: r for r in inspector_quality(month_of(DAY))}
    assert rows["soft"].leaning == "lenient" and rows["harsh"].leaning == "strict"
    assert rows["fair"].leaning == rows["other"].leaning == "normal"
    assert rows["lone"].leaning is None
    post_form(reviewer_client, "/language", {"lang": "en", "next": "/"})
    page = reviewer_client.get("/review/inspectors", query_string={"period": "2026-05"}).text
    cells = _leaning_cells(page)
    assert '<span class="tag danger">Lenient</span>' in cells["soft"]
    assert '<span class="tag danger">Strict</span>' in cells["harsh"]
    assert "Normal" in cells["fair"] and "danger" not in cells["fair"]
    assert "—" in cells["lone"] and "tag" not in cells["lone"]
    assert "trend up" not in page  # the old green for "softer than peers"
