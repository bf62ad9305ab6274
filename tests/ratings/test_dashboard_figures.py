"""The figures the hall dashboard and its neighbours show.

Every percentage is rounded as docs/ratings.md says: one decimal, half-up from the stored figure
(scoring.ratings.shown_percent), the same on the hall dashboard, the ratings page, the
calibration page and the hall PDF; never a float's rounding (85.25 -> 85.2). The dashboard's
list of approved visits is the chosen period's, on the chosen checklist."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.checklists.loader import load_checklist_text
from inspect_app.checklists.operations import store_version
from inspect_app.inspections.models import Inspection, InspectionStatus
from inspect_app.reports.assembler import _percent
from inspect_app.scoring.ratings import shown_percent
from tests.conftest import post_form
from tests.stores.test_versions_everywhere import SECOND_CHECKLIST

DAY = date(2026, 5, 10)
STORED = Decimal("85.250")  # half-up 85.3; a float's or half-even rounding gives 85.2


def _approved(db, inspector, store, version, score: Decimal) -> None:
    db.session.add(
        Inspection(
            uuid=str(uuid.uuid4()), store_id=store.id, checklist_version_id=version.id,
            inspector_id=inspector.id, status=InspectionStatus.APPROVED, visit_date=DAY,
            score_percent=score,
        )
    )  # fmt: skip


def test_pages_show_percentages_half_up_to_one_decimal(
    db, make_user, org, default_checklist_version, admin_client
):
    inspector = make_user(Role.INSPECTOR, username="insp")
    store = org["stores"][0]
    _approved(db, inspector, store, default_checklist_version, STORED)
    db.session.commit()
    period = {"period": "2026-05"}
    pages = {
        "dashboard": admin_client.get(f"/stores/{store.id}", query_string=period).text,
        "ratings": admin_client.get("/ratings", query_string=period).text,
        "calibration": admin_client.get("/review/inspectors", query_string=period).text,
    }
    for name, page in pages.items():
        assert "85.3%" in page, name
        assert "85.2%" not in page and "85.25" not in page, name
    assert pages["dashboard"].count("85.3%") >= 2  # the mean and the visit in the list
    assert _percent(STORED) == "85.3%"  # the hall PDF's figures


def test_shown_percent_reads_numbers_as_written():
    assert shown_percent(Decimal("66.650")) == Decimal("66.7")
    assert shown_percent(85.25) == Decimal("85.3")  # the float 85.25, read as written
    assert shown_percent(1.45) == Decimal("1.5")  # binary 1.4499…, still 1.5
    assert shown_percent(90) == Decimal("90.0")
    assert shown_percent(None) is None


def test_the_dashboards_visit_list_follows_the_chosen_checklist(
    db, make_user, org, default_checklist_version, admin_client
):
    second = load_checklist_text(SECOND_CHECKLIST, "express.yaml").definition
    express = store_version(second, SECOND_CHECKLIST, "express.yaml").version
    inspector = make_user(Role.INSPECTOR, username="insp")
    store = org["stores"][0]
    _approved(db, inspector, store, default_checklist_version, Decimal("90"))
    _approved(db, inspector, store, express, Decimal("70"))
    db.session.commit()
    hall_visit, express_visit = db.session.scalars(select(Inspection).order_by(Inspection.id))
    post_form(admin_client, "/language", {"lang": "en", "next": "/"})
    query = {"period": "2026-05", "checklist": express.checklist_id}
    page = admin_client.get(f"/stores/{store.id}", query_string=query).text
    listed = page[page.index("<h2>Approved inspections on ") :]
    heading = listed[: listed.index("</h2>")]
    assert "2026-05" in heading and ("快捷柜台检查表" in heading or "Express" in heading)
    listed = listed[: listed.index("</section>")]
    assert express_visit.uuid in listed and hall_visit.uuid not in listed
