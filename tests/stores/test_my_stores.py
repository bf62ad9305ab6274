"""A manager's list of halls: each hall's stars this period and the one before, beside its
figures (tests/browser/test_manager_pages_phone.py shows they fit a phone)."""

from __future__ import annotations

from inspect_app.auth.models import Role


def _stars_cell(page: str) -> str:
    return page.split('class="stars-cell"', 1)[1].split("</td>", 1)[0]


def test_my_halls_show_this_and_the_previous_periods_stars(observed, client_as, staff_world):
    manager = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    page = manager.get("/my-stores", query_string={"period": "2026-12"}).text
    assert "Stars, 2026-12" in page
    cell = _stars_cell(page)
    now, before = cell.split("Previous period", 1)
    assert "★" not in now and "—" in now  # no visits in December
    assert 'class="stars"' in before  # November's two approved visits rate the hall
    assert "Veto" in before  # and November's veto shows beside its stars


def test_the_stars_follow_the_chosen_period(observed, client_as, staff_world):
    manager = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    now, before = _stars_cell(
        manager.get("/my-stores", query_string={"period": "2026-11"}).text
    ).split("Previous period", 1)
    assert 'aria-label="1 stars"' in now  # November: capped by its veto
    assert "Too few" in before and "Too few" not in now  # October: one visit only


def test_an_unreadable_period_is_a_400(observed, client_as, staff_world):
    manager = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    assert manager.get("/my-stores", query_string={"period": "soon"}).status_code == 400
