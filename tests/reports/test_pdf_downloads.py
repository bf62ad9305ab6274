"""PDF downloads: Chinese text readable, the inspector left out for managers."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.inspections.models import Inspection
from tests.fixtures.visits import VISIT_UUID
from tests.pdf_support import pdf_text


def test_manager_downloads_the_visit_pdf_without_the_inspector(db, approved, manager, tmp_path):
    response = manager.get(f"/results/{VISIT_UUID}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data, tmp_path)
    assert "工牌" in text and "洗手台有积水" in text  # the finding and its comment
    assert "北一营业厅" in text and "00001" in text
    inspector = db.session.scalar(select(Inspection)).inspector
    assert inspector.display_name not in text and inspector.username not in text


def test_reviewer_pdf_names_the_inspector(db, approved, reviewer, tmp_path):
    text = pdf_text(reviewer.get(f"/results/{VISIT_UUID}/report.pdf").data, tmp_path)
    assert db.session.scalar(select(Inspection)).inspector.display_name in text


def test_store_period_pdf(db, approved, manager, tmp_path):
    inspection = db.session.scalar(select(Inspection))
    period = f"{inspection.visit_date:%Y-%m}"
    response = manager.get(
        f"/stores/{inspection.store_id}/report.pdf", query_string={"period": period}
    )
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "北一营业厅" in text and period in text and "00001" in text
    assert (
        manager.get(
            f"/stores/{inspection.store_id}/report.pdf", query_string={"period": "bad"}
        ).status_code
        == 400
    )
