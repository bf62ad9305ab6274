"""Download names built from user text: every file route answers 200 with a header that parses.

A hall whose code and name hold Chinese, a double quote, a semicolon and CR/LF is downloaded
through the test client and through a real HTTP server (Werkzeug's, on 127.0.0.1), so an
encoding error surfaces as it would in production rather than inside the test client.
"""

from __future__ import annotations

import email.message
import email.utils
import http.client
import re

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from inspect_app.config import PROJECT_ROOT
from inspect_app.downloads import ascii_fallback, attachment, download_name
from inspect_app.inspections.models import Inspection
from inspect_app.reports.models import ExportJob
from tests.conftest import csrf_from
from tests.fixtures.visits import VISIT_UUID
from tests.reports.test_exports import _wait

HOSTILE_CODE = '杭州"0101;\r\nX'
HOSTILE_NAME = '杭州"一厅"; filename=evil.exe\r\nSet-Cookie: x=1'
BAD = ("\r", "\n", "\x00")


def _names(value: str) -> tuple[str, str]:
    """(the exact name from filename*, the ASCII fallback from filename), parsed by email."""
    message = email.message.Message()
    message["Content-Disposition"] = value
    params = message.get_params(header="content-disposition")
    assert params[0] == ("attachment", "")
    plain = [v for k, v in params[1:] if k == "filename" and isinstance(v, str)]
    encoded = [v for k, v in params[1:] if k == "filename" and isinstance(v, tuple)]
    assert len(plain) == 1 and len(encoded) == 1, params
    assert encoded[0][0].upper() == "UTF-8"
    return email.utils.collapse_rfc2231_value(encoded[0]), plain[0]


def check_header(value: str | None, expected: str) -> None:
    assert value is not None
    assert not any(c in value for c in BAD)
    assert value.isascii()
    exact, fallback = _names(value)
    assert exact == expected
    assert fallback.isascii() and fallback == ascii_fallback(expected)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", fallback)
    assert fallback.rsplit(".", 1)[1] == expected.rsplit(".", 1)[1]  # the extension kept
    kind, options = parse_options_header(value)
    assert kind == "attachment" and options["filename"] == expected
    # Exactly one filename and one filename* parameter: nothing was injected.
    assert value.count("filename=") == 1 and value.count("filename*=") == 1
    for char in '"\\\r\n':
        assert char not in exact


def test_the_helper_never_lets_a_separator_or_control_reach_the_header():
    for name in [
        'a"b\\c/d;e\r\nf\x00g\x1bh\u2028i\u200bj\ttab.pdf',
        "杭州0101.pdf",
        "   ..",
        "x" * 500 + ".xlsx",
    ]:
        value = attachment(name)
        assert value.isascii() and not any(c in value for c in BAD)
        exact, fallback = _names(value)
        assert exact == download_name(name) and fallback == ascii_fallback(name)
        assert not any(c in exact for c in '"\\/\r\n\x00\x1b\u2028\u200b\t')
        assert exact and len(exact) <= 180
    assert download_name("杭州0101.pdf") == "杭州0101.pdf"
    assert ascii_fallback("杭州0101.pdf") == "__0101.pdf"
    assert download_name("x" * 500 + ".xlsx").endswith(".xlsx")
    assert attachment("roster-template.xlsx") == (
        "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''roster-template.xlsx"
    )


@pytest.fixture
def hostile(db, approved):
    inspection = db.session.scalar(select(Inspection))
    inspection.store.code = HOSTILE_CODE
    inspection.store.name = HOSTILE_NAME
    db.session.commit()
    return inspection


def _http_get(address: str, path: str, cookie: str) -> tuple[int, str | None, bytes]:
    connection = http.client.HTTPConnection(address, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": f"inspect_session={cookie}"})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Disposition"), response.read()
    finally:
        connection.close()


def test_every_download_names_a_hostile_hall_safely(app, db, hostile, admin_client, live_app):
    inspection = hostile
    client = admin_client
    period = f"{inspection.visit_date:%Y-%m}"
    token = csrf_from(client.get("/exports").text)
    assert client.post("/exports", data={"csrf_token": token, "period": period}).status_code == 302
    job = db.session.scalar(select(ExportJob))
    assert _wait(client, job.id)["status"] == "done"
    version = db.session.scalar(select(Inspection)).checklist_version
    key, number = version.checklist.key, version.number

    routes = {
        f"/stores/{inspection.store_id}/report.pdf?period={period}": (
            f"store-{HOSTILE_CODE}-{period}.pdf"
        ),
        f"/results/{VISIT_UUID}/report.pdf": f"inspection-{HOSTILE_CODE}-{inspection.visit_date}.pdf",
        f"/exports/{job.id}/download": f"appraisal-{period}.xlsx",
        f"/checklists/{key}/v{number}.xlsx": f"{key}-v{number}.xlsx",
        "/roster/template.xlsx": "roster-template.xlsx",
    }
    for table in ("stores", "staff", "detail"):
        routes[f"/exports/{table}.csv?period={period}"] = f"{table}-{period}.csv"

    cookie = client.get_cookie("inspect_session")
    assert cookie is not None
    for path, raw_name in routes.items():
        expected = download_name(raw_name)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        check_header(response.headers.get("Content-Disposition"), expected)
        response.close()

        status, header, body = _http_get(live_app, path, cookie.value)
        assert status == 200, (path, status, body[:200])
        check_header(header, expected)
        assert body

    store_name = download_name(f"store-{HOSTILE_CODE}-{period}.pdf")
    assert store_name.startswith("store-杭州_0101;__X-") and store_name.endswith(".pdf")


def test_every_content_disposition_in_the_package_goes_through_the_helper():
    """No view writes a download name by hand or through send_file's download_name."""

    offenders = []
    for path in (PROJECT_ROOT / "inspect_app").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "download_name=" in line and path.name != "downloads.py":
                offenders.append(f"{path.name}:{number}: {line.strip()}")
            if 'headers["Content-Disposition"]' in line and not re.search(
                r'= (attachment\(|"inline"$)', line
            ):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, offenders
