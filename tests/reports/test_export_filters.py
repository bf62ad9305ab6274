"""An export's region is one region the user may export, or none for all: anything else is
refused with a message, never read as "all regions" (the user trial's /exports/staff.csv?region=…
gave everything). Also: the period as the cells hold it is the period the legend describes."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from inspect_app.auth import permissions
from inspect_app.auth.models import Role
from inspect_app.reports.export_rows import staff_rows, store_rating_rows
from inspect_app.reports.models import ExportJob
from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from inspect_app.reports.workbook_tables import STAFF_COLUMNS, STORE_COLUMNS
from tests.conftest import PROJECT_ROOT, csrf_from
from tests.fixtures.staff_results import MONTH

TABLES = ["stores", "staff", "detail"]
#: (region value, status, what the message says), English UI.
REFUSED = [
    ("99999", 404, "There is no region 99999 that you may export."),
    ("0", 404, "There is no region 0 that you may export."),
    ("-1", 400, "“-1” is not a region of the list."),
    ("abc", 400, "“abc” is not a region of the list."),
    ("1.5", 400, "“1.5” is not a region of the list."),
    ("１", 400, "“１” is not a region of the list."),  # a full-width digit
    ("99999999999999999999", 404, "There is no region 99999999999999999999 that you may export."),
]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def hr(observed, client_as):
    return client_as(Role.HR, "hr_zhou")


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(("region", "status", "message"), REFUSED)
def test_a_region_that_is_not_one_is_refused_with_a_message(hr, table, region, status, message):
    response = hr.get(f"/exports/{table}.csv", query_string={"period": MONTH.key, "region": region})
    assert response.status_code == status
    assert message in response.text
    assert "text/csv" not in response.content_type


def test_two_regions_are_refused_and_json_callers_get_the_message(hr, staff_world):
    north, south = staff_world.regions
    both = hr.get(f"/exports/staff.csv?period={MONTH.key}&region={north.id}&region={south.id}")
    assert both.status_code == 400 and "Choose one region" in both.text
    response = hr.get(
        "/exports/staff.csv",
        query_string={"period": MONTH.key, "region": "99999"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 404
    assert response.json["message"] == "There is no region 99999 that you may export."


def test_a_known_region_gives_its_rows_and_none_gives_all(hr, staff_world):
    north, south = staff_world.regions
    everyone = csv_rows(hr.get("/exports/staff.csv", query_string={"period": MONTH.key}))
    empty = csv_rows(hr.get("/exports/staff.csv", query_string={"period": MONTH.key, "region": ""}))
    assert len(everyone) == len(empty) == 4  # the header and 张伟 ×2, 李娜
    north_rows = csv_rows(
        hr.get("/exports/staff.csv", query_string={"period": MONTH.key, "region": str(north.id)})
    )
    assert [row[4] for row in north_rows[1:]] == ["北区"] * 3
    south_rows = csv_rows(
        hr.get("/exports/staff.csv", query_string={"period": MONTH.key, "region": south.id})
    )
    assert south_rows == everyone[:1]  # nobody observed there: the header only, never everyone


def test_an_unreadable_period_on_a_csv_says_what_to_give(hr):
    response = hr.get("/exports/staff.csv", query_string={"period": "2026-13"})
    assert response.status_code == 400
    assert "Choose a period: a month such as 2026-03" in response.text


@pytest.mark.parametrize(("region", "status", "message"), REFUSED)
def test_the_workbook_is_not_queued_for_a_region_that_is_not_one(hr, db, region, status, message):
    token = csrf_from(hr.get("/exports").text)
    response = hr.post(
        "/exports", data={"csrf_token": token, "period": MONTH.key, "region": region}
    )
    assert response.status_code == status
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def test_an_export_role_limited_to_some_halls_exports_only_whole_regions_of_its_own(
    observed, client_as, staff_world, monkeypatch
):
    # No role that exports is limited to halls today; if a manager ever may export, they get
    # only a region whose every hall they see, never all regions nor a region they half see.
    granted = permissions.ROLE_PERMISSIONS[Role.MANAGER] | {permissions.Permission.EXPORT_HR}
    monkeypatch.setitem(permissions.ROLE_PERMISSIONS, Role.MANAGER, granted)
    north, _south = staff_world.regions
    north1, north2, _south1 = staff_world.halls
    half = client_as(Role.MANAGER, "manager_north1", stores=[north1])
    refused = half.get("/exports/staff.csv", query_string={"period": MONTH.key, "region": north.id})
    assert refused.status_code == 404
    assert f"There is no region {north.id} that you may export." in refused.text
    everything = half.get("/exports/staff.csv", query_string={"period": MONTH.key})
    assert everything.status_code == 403
    assert "Your exports cover only your own regions" in everything.text
    whole = client_as(Role.MANAGER, "manager_north", stores=[north1, north2])
    allowed = whole.get(
        "/exports/staff.csv", query_string={"period": MONTH.key, "region": north.id}
    )
    assert allowed.status_code == 200 and len(csv_rows(allowed)) == 4


def test_the_period_cells_and_the_legend_and_docs_describe_it_alike(observed, db, tmp_path):
    path = tmp_path / "hr.xlsx"
    meta = WorkbookMeta(MONTH.key, "全部区域", datetime(2026, 12, 1, 8, 0), "v1", "—")
    write_hr_workbook(path, meta, store_rating_rows(MONTH, None), staff_rows(MONTH, None), [])
    book = CalamineWorkbook.from_path(str(path))
    legend = book.get_sheet_by_name("说明").to_python()
    meanings = {(row[0], row[1]): row[3] for row in legend[8:]}
    assert legend[0] == ["期间", "2026-11", "", ""]
    for sheet in ("门店星级", "员工考核"):
        rows = book.get_sheet_by_name(sheet).to_python()
        column = rows[0].index("期间")
        assert {row[column] for row in rows[1:]} == {"2026-11"}, sheet
        # The example in the legend is written the way the cell is.
        assert "2026-11" in meanings[(sheet, "期间")] and "年" not in meanings[(sheet, "期间")]
    for column in (*STORE_COLUMNS, *STAFF_COLUMNS):
        assert "年" not in column.meaning
    docs = (PROJECT_ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    assert "2026年" not in docs
    assert docs.count("`2026-11`, `2026-Q4` or `2026-10-01..2026-10-31`") >= 2
