"""A veto finding caps a person's score, as it caps an inspection's: on the staff page, in the
ranks, in the HR sheet 员工考核 and in the staff CSV (the user trial's 谢婷, 92.5 % with a veto,
ranked 2nd in her hall)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from inspect_app.auth.models import Role
from inspect_app.ratings.staff_queries import staff_period_ratings
from inspect_app.reports.export_rows import staff_rows
from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from tests.fixtures.staff_results import MONTH, add_visit

#: Fourteen 3-point items and one 4-point item: 46 points, all passed.
PASSED = ["uniform.worn", "uniform.clean", "phrasing.counter_greeting", "phrasing.polite_words",
          "phrasing.no_guessing", "phrasing.farewell", "behaviour.both_hands",
          "process.queue_guidance", "process.special_groups", "process.explain_procedure",
          "process.fees", "process.handover", "appearance.badge_worn", "process.wait_care",
          "phrasing.confirm_terms"]  # fmt: skip


@pytest.fixture
def vetoed(db, staff_world):
    """北区's November: 张伟 46 of 51 points with a veto (90.2 %), 李娜 at the same hall 27 of 30
    (90.0 %), 王芳 at 北二 30 of 30 (100 %). Each visit served by the person observed."""
    zhang, li, wang = (staff_world.staff[n] for n in ("0001001", "0001002", "0002001"))
    north1, north2 = staff_world.halls[0], staff_world.halls[1]
    add_visit(
        db, staff_world, north1, date(2026, 11, 4),
        {**{i: "pass" for i in PASSED}, "behaviour.no_quarrel": "fail"}, served=[zhang],
    )  # fmt: skip
    ten = PASSED[:10]
    add_visit(db, staff_world, north1, date(2026, 11, 5),
              {**{i: "pass" for i in ten}, ten[0]: "fail"}, served=[li])  # fmt: skip
    add_visit(db, staff_world, north2, date(2026, 11, 6), {i: "pass" for i in ten}, served=[wang])
    return {"zhang": zhang, "li": li, "wang": wang}


def test_a_veto_caps_the_score_and_puts_the_person_below_everyone_above_the_cap(vetoed):
    rows = {r.employee_no: r.rating for r in staff_period_ratings(MONTH)}
    zhang, li, wang = rows["0001001"], rows["0001002"], rows["0002001"]
    assert zhang.tally.veto_findings == 1 and zhang.tally.earned == 46
    assert (zhang.percent, zhang.percent_before_cap) == (Decimal("0.000"), Decimal("90.196"))
    assert zhang.is_capped_by_veto
    assert (li.percent, li.percent_before_cap) == (Decimal("90.000"), Decimal("90.000"))
    # Without the cap 张伟 (90.2 %) would be first in 北一 and second in 北区.
    assert (li.rank_in_hall, zhang.rank_in_hall, zhang.ranked_in_hall) == (1, 2, 2)
    assert [r.rank_in_region for r in (wang, li, zhang)] == [1, 2, 3]


def test_the_staff_page_says_the_score_was_capped_and_from_what(vetoed, client_as):
    reviewer = client_as(Role.REVIEWER, "reviewer_wu")
    page = reviewer.get(f"/staff/{vetoed['zhang'].id}", query_string={"period": MONTH.key}).text
    assert '<span class="num">0.0%</span><span>Score rate</span>' in page
    assert "Veto: by the rule, the score rate is capped at 0.0% (90.2% before the cap)." in page
    assert "46 / 51" in page  # the points observed stay as they were
    assert "2 / 2" in page and "3 / 3" in page  # last in the hall and in the region
    other = reviewer.get(f"/staff/{vetoed['li'].id}", query_string={"period": MONTH.key}).text
    assert "90.0%" in other and "before the cap" not in other


def test_the_staff_csv_has_the_capped_score_and_the_score_before_the_cap_last(vetoed, client_as):
    hr = client_as(Role.HR, "hr_zhou")
    response = hr.get("/exports/staff.csv", query_string={"period": MONTH.key})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert header[10] == "得分率" and header[-1] == "封顶前得分率" and len(header) == 17
    by_no = {row[0]: row for row in rows[1:]}
    zhang = by_no["0001001"]
    assert (zhang[10], zhang[12], zhang[-1]) == ("0", "1", "90.196")
    assert (zhang[14], zhang[15]) == ("2", "3")  # ranked by the capped score
    assert (by_no["0001002"][10], by_no["0001002"][-1]) == ("90", "90")


def test_the_hr_sheet_holds_the_capped_score_as_a_number_and_the_uncapped_one_at_the_end(
    vetoed, tmp_path
):
    path = tmp_path / "hr.xlsx"
    meta = WorkbookMeta(MONTH.key, "全部区域", datetime(2026, 12, 1, 8, 0), "v1", "—")
    write_hr_workbook(path, meta, [], staff_rows(MONTH, None), iter(()))
    wb = load_workbook(path, read_only=True)
    try:
        header, *rows = list(wb["员工考核"].iter_rows(values_only=True))
    finally:
        wb.close()
    assert header[10] == "得分率" and header[16] == "封顶前得分率"
    zhang = next(row for row in rows if row[0] == "0001001")
    assert (zhang[10], zhang[12], zhang[16]) == (0, 1, pytest.approx(90.196))
