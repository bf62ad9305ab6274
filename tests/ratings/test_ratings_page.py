"""The ratings page and the store page with the demo history behind them."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from inspect_app.checklists.operations import sync_directory
from inspect_app.demo import DEMO_PASSWORDS, load_demo
from inspect_app.demo_history import load_demo_history
from inspect_app.inspections.models import Inspection
from inspect_app.periods import month_of
from inspect_app.photos.models import Photo
from inspect_app.photos.storage import photo_storage
from tests.conftest import DEFAULT_CHECKLIST, post_form, sign_in

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(app, db):

    sync_directory([DEFAULT_CHECKLIST])
    load_demo(TODAY)
    created = load_demo_history(photo_storage(), ZoneInfo("Asia/Shanghai"), TODAY)
    db.session.commit()
    return created


def _client(app, username):
    client = app.test_client()
    assert sign_in(client, username, DEMO_PASSWORDS[username][1]).status_code == 302
    return client


def test_demo_history_has_three_months_of_approved_visits_with_a_veto_and_photos(db, demo):
    assert demo == 6 * 3 * 2
    assert (
        db.session.scalar(select(func.count()).select_from(Inspection).where(Inspection.is_vetoed))
        == 1
    )
    assert db.session.scalar(select(func.count()).select_from(Photo)) >= demo * 2
    failed = db.session.scalar(
        select(func.count()).select_from(Inspection).where(Inspection.score_percent < 100)
    )
    assert failed > 0


def test_ratings_page_ranks_every_hall_with_stars_and_intervals(app, demo):
    client = _client(app, "reviewer")
    period = month_of(TODAY).previous().key
    page = client.get("/ratings", query_string={"period": period})
    assert page.status_code == 200
    for name in ("解放路营业厅", "西溪营业厅", "古墩路营业厅"):
        assert name in page.text
    assert "★" in page.text and "1/3" in page.text and "置信区间" in page.text
    assert "一票否决" in page.text  # the vetoed hall is capped


def test_manager_sees_only_their_halls_ratings(app, demo):
    client = _client(app, "manager")
    page = client.get("/ratings", query_string={"period": month_of(TODAY).previous().key})
    assert "解放路营业厅" in page.text and "庆春路营业厅" in page.text
    assert "西溪营业厅" not in page.text


def test_store_page_shows_trend_and_staff_results_without_the_inspector(app, demo):
    client = _client(app, "manager")
    page = client.get("/stores/1", query_string={"period": month_of(TODAY).previous().key})
    assert page.status_code == 200
    assert "近 12 期平均分" in page.text and "<svg" in page.text and "员工结果" in page.text
    assert "暗访员 陈立" not in page.text  # managers never learn who visited


@pytest.mark.parametrize(
    "period", ["2026-13", "abc", "2026-01-10..2025-01-01", "2020-01-01..2026-01-01"]
)
def test_unreadable_periods_are_a_400(app, demo, period):
    client = _client(app, "reviewer")
    assert client.get("/ratings", query_string={"period": period}).status_code == 400


def _approved_list(page: str) -> str:
    """The dashboard's card of approved visits (its heading and table)."""
    start = page.index("<h2>Approved inspections")
    return page[start : page.index("</section>", start)]


def test_store_page_lists_only_the_chosen_periods_approved_visits(app, db, demo):
    client = _client(app, "manager")
    post_form(client, "/language", {"lang": "en", "next": "/"})  # new words: not yet in Chinese
    month = month_of(TODAY).previous()
    rows = db.session.execute(
        select(Inspection.uuid, Inspection.visit_date).where(
            Inspection.store_id == 1, Inspection.status == "approved"
        )
    ).all()
    inside = {uuid for uuid, day in rows if month.start <= day < month.end}
    outside = {uuid for uuid, day in rows if not month.start <= day < month.end}
    assert inside and outside  # the demo has visits in the month and in others
    listed = _approved_list(client.get("/stores/1", query_string={"period": month.key}).text)
    assert f"Approved inspections, {month.key}</h2>" in listed
    assert all(uuid in listed for uuid in inside)
    assert not any(uuid in listed for uuid in outside)
    future = _approved_list(client.get("/stores/1", query_string={"period": "2027-01"}).text)
    assert "No approved inspections in this period." in future and not any(
        u in future for u, _ in rows
    )
