"""A staff member's page: every figure traced to its visits and items, for each role that may
see it, and refused to a manager of another hall."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from inspect_app.auth.models import Role
from inspect_app.ratings.staff_queries import staff_period_ratings
from tests.fixtures.staff_results import MONTH, REVIEWER_NOTE


def page(client, staff_id: int, period: str = MONTH.key):
    return client.get(f"/staff/{staff_id}", query_string={"period": period})


def sections(html: str) -> dict[str, str]:
    """The page's hall sections by hall code."""
    parts = html.split('<section class="card staff-hall"')[1:]
    return {
        re.search(r'<span class="muted code">(\w+)</span>', part)[1]: part.split("</main>")[0]
        for part in parts
    }


def test_reviewer_sees_each_figure_and_the_visits_and_items_behind_it(
    observed, client_as, staff_world
):
    reviewer = client_as(Role.REVIEWER, "reviewer_wu")
    response = page(reviewer, observed["zhang"].id)
    assert response.status_code == 200
    halls = sections(response.text)
    assert set(halls) == {"0101", "0102"}
    north1 = halls["0101"]
    # 11 person-items over 2 visits: 21.75 of 33 points = 65.909 %, shown 65.9 %, capped at 0 by
    # the veto finding, and the page says so.
    assert '<span class="num">0.0%</span><span>Score rate</span>' in north1
    assert "Veto: by the rule, the score rate is capped at 0.0% (65.9% before the cap)." in north1
    assert "Veto: by the rule" not in halls["0102"]  # no veto at 北二: 100 %, not capped
    assert '<span class="num">100.0%</span>' in halls["0102"]
    assert "21.75 / 33" in north1
    assert "2 visits, 11 items, 21.75 of 33 points, 2 failed, 1 veto" in north1
    assert north1.count('class="visit-trace"') == 2
    assert north1.count('<li class="failed">') == 2
    for visit in observed["counted"]:
        assert f'href="/review/{visit.uuid}"' in north1
    for visit in observed["not_counted"]:
        assert visit.uuid not in response.text
    # Each item with its text and the answer in words.
    assert "Name badge (工牌) worn at the specified place (left chest)" in north1
    assert "4★ · 3.75 of 5 points" in north1
    assert "Greeted late (only after the customer came close or spoke)" in north1
    # Not his: 李娜's named item, the unidentified one, the hall item, the n/a one.
    for item_id in ("phrasing.farewell", "process.wait_care", "hygiene.restroom",
                    "appearance.makeup"):  # fmt: skip
        assert staff_world.definition.item(item_id).text_en not in response.text
    assert "1 / 1" in north1  # ranked first of one in the hall
    # 北二: 2 items, too few to rank.
    assert "2 items observed, fewer than the 10 needed to rank" in halls["0102"]
    assert REVIEWER_NOTE not in response.text and "暗访员陈立" not in response.text


def test_managers_see_only_their_own_halls_findings_and_other_halls_get_404(
    observed, client_as, staff_world
):
    zhang = observed["zhang"]
    north1, north2, south1 = staff_world.halls
    own = client_as(Role.MANAGER, "manager_north1", stores=[north1])
    response = page(own, zhang.id)
    assert response.status_code == 200
    assert set(sections(response.text)) == {"0101"}
    assert "北二营业厅" not in response.text
    for visit in observed["counted"]:
        assert f'href="/results/{visit.uuid}"' in response.text
    assert "/review/" not in response.text
    assert REVIEWER_NOTE not in response.text and "暗访员陈立" not in response.text

    # 北二's manager sees him because he was observed there, and only that finding.
    there = client_as(Role.MANAGER, "manager_north2", stores=[north2])
    response = page(there, zhang.id)
    assert response.status_code == 200
    assert set(sections(response.text)) == {"0102"}
    assert "北一营业厅" not in response.text

    outsider = client_as(Role.MANAGER, "manager_south1", stores=[south1])
    assert page(outsider, zhang.id).status_code == 404
    assert page(outsider, 999_999).status_code == 404
    assert page(own, staff_world.staff["0003001"].id).status_code == 404


@pytest.mark.parametrize(("role", "endpoint"), [(Role.HR, "/results/"), (Role.ADMIN, "/review/")])
def test_hr_and_admins_see_the_page_with_their_own_visit_links(observed, client_as, role, endpoint):
    client = client_as(role, f"user_{role.value}")
    response = page(client, observed["zhang"].id)
    assert response.status_code == 200
    assert f'href="{endpoint}{observed["counted"][0].uuid}"' in response.text


def test_inspectors_may_not_open_staff_pages(observed, client_as):
    inspector = client_as(Role.INSPECTOR, "inspector_two")
    assert page(inspector, observed["zhang"].id).status_code == 403


def test_a_person_not_observed_in_the_period_has_no_result(observed, client_as, staff_world):
    nobody = staff_world.staff["0003001"]
    reviewer = client_as(Role.REVIEWER, "reviewer_wu")
    response = page(reviewer, nobody.id)
    assert response.status_code == 200
    assert "No items observed of this person in 2026-11" in response.text
    assert "%" not in response.text.split("<main", 1)[-1].split("</main>", 1)[0]
    rows = staff_period_ratings(MONTH)
    assert nobody.id not in {r.staff_id for r in rows}
    # Nor does the October-only month of anyone make an empty November row.
    assert {(r.employee_no, r.store_code) for r in rows} == {
        ("0001001", "0101"),
        ("0001001", "0102"),
        ("0001002", "0101"),
    }


def test_a_moved_person_keeps_each_finding_with_the_hall_of_the_visit(
    observed, client_as, staff_world, db
):
    zhang = observed["zhang"]
    zhang.store = staff_world.halls[2]  # moved to 南一 after November's visits
    db.session.commit()
    rows = {r.store_code: r.rating.tally for r in staff_period_ratings(MONTH, staff_id=zhang.id)}
    assert {code: (t.visits, t.person_items) for code, t in rows.items()} == {
        "0101": (2, 11),
        "0102": (1, 2),
    }
    assert rows["0101"].earned == Decimal("21.75")
    # 北一's manager still sees his 北一 findings; 南一's, his hall now, sees none of them.
    old = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    assert set(sections(page(old, zhang.id).text)) == {"0101"}
    new = client_as(Role.MANAGER, "manager_south1", stores=[staff_world.halls[2]])
    response = page(new, zhang.id)
    assert response.status_code == 200 and sections(response.text) == {}


@pytest.mark.parametrize("period", ["2026-13", "abc", "2026-01-10..2025-01-01"])
def test_an_unreadable_period_is_a_400_that_says_so(observed, client_as, period):
    reviewer = client_as(Role.REVIEWER, "reviewer_wu")
    response = page(reviewer, observed["zhang"].id, period)
    assert response.status_code == 400
    assert "cannot be read" in response.text


def test_the_hall_dashboard_lists_staff_with_links_failures_and_vetoes(
    observed, client_as, staff_world
):
    manager = client_as(Role.MANAGER, "manager_north1", stores=[staff_world.halls[0]])
    response = manager.get(f"/stores/{staff_world.halls[0].id}", query_string={"period": MONTH.key})
    assert response.status_code == 200
    table = response.text.split('id="staff-results"', 1)[1].split("</section>", 1)[0]
    assert "Failed" in table and "Vetoes" in table
    zhang, li = observed["zhang"], observed["li"]
    assert f'href="/staff/{zhang.id}?period=2026-11"' in table
    assert f'href="/staff/{li.id}?period=2026-11"' in table
    assert "0.0%" in table and "No. 1" in table  # 张伟's 65.9 % capped by his veto
    assert "Too few" in table  # 李娜: one item observed
    assert '<td class="num vetoes danger" data-label="Vetoes">1</td>' in table  # 张伟's veto
    # The roster list links to the staff pages too.
    roster = response.text.split("<h2>Staff</h2>", 1)[1]
    assert f'href="/staff/{zhang.id}?period=2026-11"' in roster


def test_an_id_too_large_for_any_column_is_a_404_not_an_overflow(observed, client_as):
    reviewer = client_as(Role.REVIEWER, "reviewer_wu")
    for staff_id in (2**31, 2**40, 10**30):
        assert page(reviewer, staff_id).status_code == 404, staff_id
