"""Files say exactly what was typed, and show every moment in the halls' time.

The workbook keeps every text as a plain string cell: it reads back unchanged with openpyxl and
with calamine. The CSV guards a formula-like text with one single quote, as OWASP's CSV-injection
page asks, and docs/exports.md gives importers one rule to undo it: "if a cell starts with ', drop
exactly that one '". `recovered` below is that rule written out as an importer would; it is
applied to every cell read back, and must give back every original. The last tests go through
the real routes: comments typed on the phone, approved, exported as CSV and workbook.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from inspect_app.auth.models import Role
from inspect_app.config import PROJECT_ROOT
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.reports.csv_export import (
    FULL_WIDTH_FORMULA_STARTS,
    OWASP_FORMULA_STARTS,
    csv_line,
    csv_stream,
    csv_tables,
    csv_text,
    unguard,
    write_csv,
)
from inspect_app.reports.models import ExportJob
from inspect_app.reports.workbook import WorkbookMeta, write_hr_workbook
from inspect_app.reports.workbook_tables import (
    DETAIL_COLUMNS,
    STAFF_COLUMNS,
    STORE_COLUMNS,
    DetailRow,
    StaffRow,
    StoreRatingRow,
)
from tests.conftest import csrf_from
from tests.fixtures.review import post, role_client, submit_visit
from tests.fixtures.visits import complete_answers

#: Texts a user can type that a careless writer or reader changes: leading control characters,
#: formula starts (ASCII and full-width), the guard character itself, separators and quotes.
TEXTS = [
    pytest.param("\t制表符开头", id="tab"),
    pytest.param("\r回车开头", id="cr"),
    pytest.param("\r\n回车换行开头\r\n第二行", id="crlf"),
    pytest.param("\n换行开头", id="lf"),
    pytest.param("'=1+1", id="quote-then-formula"),
    pytest.param("=1+1", id="formula"),
    pytest.param("＝1+1", id="full-width-equals"),
    pytest.param(";", id="semicolon"),
    pytest.param(";=1+1", id="semicolon-then-formula"),
    pytest.param("@SUM(A1)", id="at"),
    pytest.param("-2+3", id="minus"),
    pytest.param("+1", id="plus"),
    pytest.param("＋1 ＠x －2", id="full-width-others"),
    pytest.param("'", id="lone-quote"),
    pytest.param("''x", id="two-quotes"),
    pytest.param('说 "你好", 然后 =1+1', id="quotes-and-comma"),
    pytest.param("a\tb;c,d", id="separators-inside"),
    pytest.param("  前后空格  ", id="spaces"),
]
TEXT_VALUES = [p.values[0] for p in TEXTS]
HALLS_MIDNIGHT_UTC = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # 00:30 on the 23rd in the halls
HALLS_00_30 = datetime(2026, 11, 23, 0, 30)


def recovered(cell: str) -> str:
    """docs/exports.md's recovery rule, as an importer writes it: drop one leading quote."""
    return cell[1:] if cell.startswith("'") else cell


def rows_with(text: str) -> tuple[StoreRatingRow, StaffRow, DetailRow]:
    """One row of each table with `text` in every text and code column."""
    samples = {"text": text, "code": text, "int": 2, "date": date(2026, 10, 1)}

    def row(cls, columns):
        return cls(**{c.field: samples.get(c.kind, Decimal("-1.5")) for c in columns})

    return (
        row(StoreRatingRow, STORE_COLUMNS),
        row(StaffRow, STAFF_COLUMNS),
        row(DetailRow, DETAIL_COLUMNS),
    )


def meta(**changes) -> WorkbookMeta:
    return replace(
        WorkbookMeta("2026-10", "杭州", datetime(2026, 11, 2, 9, 15, 30), "v1", "5★ ≥ 95"),
        **changes,
    )


def calamine_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def openpyxl_rows(path: Path, sheet: str) -> list[list]:
    wb = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def text_columns(columns) -> list[int]:
    return [n for n, column in enumerate(columns) if column.kind in ("text", "code")]


def read_csv(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.removeprefix("\ufeff"), newline="")))


# --- the workbook ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_every_text_reads_back_exactly_from_the_workbook(tmp_path, text):
    store, staff, detail = rows_with(text)
    path = tmp_path / "hr.xlsx"
    write_hr_workbook(path, meta(scope_label=text), [store], [staff], [detail])
    for read in (openpyxl_rows, calamine_rows):
        for sheet, columns in (("门店星级", STORE_COLUMNS), ("员工考核", STAFF_COLUMNS),
                               ("检查明细", DETAIL_COLUMNS)):  # fmt: skip
            row = read(path, sheet)[1]
            for n in text_columns(columns):
                assert row[n] == text, (read.__name__, sheet, columns[n].header)
        assert read(path, "说明")[1][1] == text, read.__name__


# --- the CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS)
def test_the_documented_rule_recovers_every_cell_of_the_csv(tmp_path, text):
    store, staff, detail = rows_with(text)
    for table, row in zip(csv_tables([store], [staff], [detail]), (store, staff, detail),
                          strict=True):  # fmt: skip
        path = tmp_path / f"{table.name}.csv"
        write_csv(path, table.headers, table.rows)
        header, cells = read_csv(path.read_bytes().decode("utf-8"))
        assert header == list(table.headers)
        originals = [getattr(row, f.name) for f in fields(row)]
        assert len(cells) == len(originals)
        for cell, original in zip(cells, originals, strict=True):
            # Texts come back exactly; numbers and dates are untouched by the rule.
            expected = original if isinstance(original, str) else csv_text(original)
            assert recovered(cell) == expected, (table.name, cell)
            assert unguard(cell) == recovered(cell)


@pytest.mark.parametrize("text", TEXTS)
def test_no_text_cell_of_the_csv_begins_with_a_formula_character(text):
    _, _, detail = rows_with(text)
    table = csv_tables([], [], [detail])[2]
    data = b"".join(csv_stream(table.headers, table.rows)).decode("utf-8")
    header, cells = read_csv(data)
    for n in text_columns(DETAIL_COLUMNS):
        assert not cells[n].startswith(OWASP_FORMULA_STARTS + FULL_WIDTH_FORMULA_STARTS), header[n]
    # Numbers are never guarded: a negative number stays a number.
    assert cells[header.index("得分")] == "-1.5"


def test_a_typed_quote_and_a_guarded_formula_stay_different():
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("'=1+1") == "''=1+1"
    assert csv_text("＝1+1") == "'＝1+1"
    assert csv_text("'") == "''"
    assert csv_text("a'b") == "a'b" and csv_text(";x") == ";x"  # only a leading one


def test_fields_holding_separators_or_quotes_are_enclosed_in_double_quotes():
    line = csv_line(["a;b", "a\tb", "a,b", 'say "hi"', "a\r\nb", "plain", Decimal("-1.5"), None])
    assert line == '"a;b","a\tb","a,b","say ""hi""","a\r\nb",plain,-1.5,\r\n'


def test_the_streamed_csv_is_the_written_csv():
    _, _, detail = rows_with("\r\n=1+1")
    out = io.StringIO(newline="")
    table = csv_tables([], [], [detail] * 3)[2]
    write_csv(out, table.headers, table.rows)
    table = csv_tables([], [], [detail] * 3)[2]
    streamed = b"".join(csv_stream(table.headers, table.rows, chunk_chars=10))
    assert streamed == out.getvalue().encode("utf-8")


def test_the_docs_state_the_guard_and_the_recovery_rule():
    docs = (PROJECT_ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    section = docs[docs.index("## The CSV variant") : docs.index("## Size, speed and memory")]
    for start in ("=", "+", "-", "@", *FULL_WIDTH_FORMULA_STARTS):
        assert f"`{start}`" in section, start
    for words in ("a tab, a carriage return or a line feed", "with a single quote `'`",
                  "drop exactly that one quote", "a comma, a semicolon, a tab, a double"):  # fmt: skip
        assert words in " ".join(section.split()), words


# --- moments -----------------------------------------------------------------------------------


def test_a_moment_is_the_halls_time_in_the_csv_and_the_workbook(app, tmp_path):
    path = tmp_path / "hr.xlsx"
    with app.app_context():
        out = io.StringIO(newline="")
        write_csv(out, ["时间"], [[HALLS_MIDNIGHT_UTC]])
        write_hr_workbook(path, meta(generated_at=HALLS_MIDNIGHT_UTC), [], [], [])
    assert out.getvalue() == "\ufeff时间\r\n2026-11-23 00:30\r\n"
    assert ["生成时间", HALLS_00_30] in [row[:2] for row in calamine_rows(path, "说明")]
    assert ["生成时间", HALLS_00_30] in [row[:2] for row in openpyxl_rows(path, "说明")]
    wb = load_workbook(path)
    cell = next(row[1] for row in wb["说明"].iter_rows() if row[0].value == "生成时间")
    assert cell.number_format == "yyyy-mm-dd hh:mm"  # the app's one display format


def test_a_naive_moment_is_taken_as_the_halls_time_already():
    assert csv_text(datetime(2026, 11, 2, 9, 15, 30)) == "2026-11-02 09:15"


# --- through the routes ------------------------------------------------------------------------


def _export_workbook(db, hr, period: str, path: Path) -> None:
    """Build the workbook through /exports, wait for it and save the download to `path`."""
    token = csrf_from(hr.get("/exports").text)
    assert hr.post("/exports", data={"csrf_token": token, "period": period}).status_code == 302
    job_id = db.session.scalar(select(ExportJob.id).order_by(ExportJob.id.desc()))
    for _ in range(400):
        status = hr.get(f"/exports/{job_id}/status").json
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert status["status"] == "done", status
    response = hr.get(status["download"])
    assert response.status_code == 200
    path.write_bytes(response.data)
    response.close()


def _detail_by_item(rows: list[list], column: str) -> dict[str, object]:
    header = rows[0]
    return {row[header.index("检查项编号")]: row[header.index(column)] for row in rows[1:]}


def test_comments_and_a_text_answer_read_back_exactly_through_every_export(
    app, db, visit, reviewer, make_user, tmp_path
):
    definition = visit.definition
    plain = [item for item in definition.items if item.type != "text" and not item.show_if]
    items = plain[: len(TEXT_VALUES)]
    assert len(items) == len(TEXT_VALUES)
    full = complete_answers(definition)
    comments = {item.id: text for item, text in zip(items, TEXT_VALUES, strict=True)}
    answers = {item_id: {**full[item_id], "comment": text} for item_id, text in comments.items()}
    remark = "\t总体良好\r\n=另见照片"
    answers["process.remark"] = {"value": remark}
    submit_visit(visit, **answers)
    assert post(reviewer, f"/review/{visit.uuid}/approve").status_code == 302
    stored = {a.item_id: a for a in db.session.scalars(select(Answer))}
    assert {item_id: stored[item_id].comment for item_id in comments} == comments
    assert stored["process.remark"].value == remark

    hr = role_client(app, make_user, Role.HR, "hr1")
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    response = hr.get("/exports/detail.csv", query_string={"period": period})
    assert response.status_code == 200
    rows = [[recovered(cell) for cell in row] for row in read_csv(response.data.decode("utf-8"))]
    assert {k: v for k, v in _detail_by_item(rows, "备注").items() if k in comments} == comments
    assert _detail_by_item(rows, "结果")["process.remark"] == remark

    path = tmp_path / "hr.xlsx"
    _export_workbook(db, hr, period, path)
    for read in (openpyxl_rows, calamine_rows):
        detail = read(path, "检查明细")
        by_item = _detail_by_item(detail, "备注")
        assert {k: v for k, v in by_item.items() if k in comments} == comments, read.__name__
        assert _detail_by_item(detail, "结果")["process.remark"] == remark, read.__name__


def test_a_workbook_made_at_16_30_utc_says_it_was_made_at_00_30_the_next_day(
    app, db, approved, make_user, tmp_path
):
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    path = tmp_path / "hr.xlsx"
    # 16:30 UTC on 31 March is 00:30 on 1 April in the halls (a later year than the visit's).
    with time_machine.travel(datetime(2027, 3, 31, 16, 30, tzinfo=UTC), tick=False):
        hr = role_client(app, make_user, Role.HR, "hr1")
        _export_workbook(db, hr, period, path)
    made = datetime(2027, 4, 1, 0, 30)
    assert ["生成时间", made] in [row[:2] for row in calamine_rows(path, "说明")]
    assert ["生成时间", made] in [row[:2] for row in openpyxl_rows(path, "说明")]
