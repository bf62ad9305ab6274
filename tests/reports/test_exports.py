"""The HR workbook export: built in the background, downloadable only by the person who asked."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta
from urllib.parse import unquote

from python_calamine import CalamineWorkbook
from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.config import PROJECT_ROOT
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.reports.models import ExportJob, ExportStatus
from inspect_app.stores.models import Region
from tests.conftest import csrf_from
from tests.fixtures.review import FAILED_HALL_ITEM, role_client


def _start(client, **form):
    token = csrf_from(client.get("/exports").text)
    return client.post("/exports", data={"csrf_token": token, **form})


def _wait(client, job_id: int) -> dict:
    for _ in range(200):
        status = client.get(f"/exports/{job_id}/status").json
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError("export did not finish")


def test_hr_builds_downloads_and_reads_back_the_workbook(app, db, approved, make_user, tmp_path):
    answer = db.session.scalar(select(Answer).where(Answer.item_id == FAILED_HALL_ITEM))
    answer.comment = '=HYPERLINK("http://x","点我")'  # a comment that looks like a formula
    db.session.commit()
    hr = role_client(app, make_user, Role.HR, "hr1")
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    assert _start(hr, period=period).status_code == 302
    job = db.session.scalar(select(ExportJob))
    status = _wait(hr, job.id)
    assert status["status"] == "done", status
    response = hr.get(status["download"])
    assert response.status_code == 200
    path = tmp_path / "hr.xlsx"
    path.write_bytes(response.data)
    response.close()
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["门店星级", "员工考核", "检查明细", "说明"]
    detail = workbook.get_sheet_by_name("检查明细").to_python()
    header, rows = detail[0], detail[1:]
    assert len(rows) == len(db.session.scalar(select(Inspection)).answers)
    comment_col = header.index("备注")
    assert '=HYPERLINK("http://x","点我")' in [r[comment_col] for r in rows]
    staff = workbook.get_sheet_by_name("员工考核").to_python()
    assert staff[1][0] == "00001"  # 工号 as text, leading zeros kept
    assert status["rows_done"] == len(rows)


def test_exports_are_for_hr_and_admins_and_each_file_for_its_requester(
    app, db, approved, make_user, manager
):
    assert manager.get("/exports").status_code == 403
    hr = role_client(app, make_user, Role.HR, "hr1")
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    _start(hr, period=period)
    job = db.session.scalar(select(ExportJob))
    _wait(hr, job.id)
    other_hr = role_client(app, make_user, Role.HR, "hr2")
    assert other_hr.get(f"/exports/{job.id}/download").status_code == 404
    assert other_hr.get(f"/exports/{job.id}/status").status_code == 404
    assert manager.get(f"/exports/{job.id}/download").status_code == 403
    admin = role_client(app, make_user, Role.ADMIN, "admin1")
    admin_download = admin.get(f"/exports/{job.id}/download")
    assert admin_download.status_code == 200
    admin_download.close()


def test_bad_periods_and_expired_files_get_clear_messages(app, db, approved, make_user):
    hr = role_client(app, make_user, Role.HR, "hr1")
    bad = _start(hr, period="2026-13")
    assert bad.status_code == 303
    assert "请选择周期" in hr.get("/exports").text
    assert db.session.query(ExportJob).count() == 0
    assert _start(hr, period="2026-01", region="99999").status_code == 404
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    _start(hr, period=period)
    job = db.session.scalar(select(ExportJob))
    _wait(hr, job.id)

    db.session.expire_all()
    job = db.session.get(ExportJob, job.id)
    assert job.status == ExportStatus.DONE
    job.expires_at = job.finished_at - timedelta(hours=1)
    db.session.commit()
    expired = hr.get(f"/exports/{job.id}/download")
    assert expired.status_code == 303
    assert "已过期" in hr.get("/exports").text


def test_the_export_page_refreshes_while_a_job_runs(app, db, make_user):

    hr = role_client(app, make_user, Role.HR, "hr1")
    user = db.session.scalar(select(User).where(User.username == "hr1"))
    assert 'http-equiv="refresh"' not in hr.get("/exports").text
    db.session.add(
        ExportJob(
            requested_by_id=user.id,
            kind="xlsx",
            period_key="2026-01",
            status=ExportStatus.RUNNING,
            rows_total=10,
            rows_done=3,
        )
    )
    db.session.commit()
    page = hr.get("/exports").text
    assert 'http-equiv="refresh"' in page and "<progress" in page


def test_csv_tables_stream_with_a_bom_and_guard_formulas(app, db, approved, make_user):

    answer = db.session.scalar(select(Answer).where(Answer.item_id == FAILED_HALL_ITEM))
    answer.comment = "=1+1"
    db.session.commit()
    hr = role_client(app, make_user, Role.HR, "hr1")
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    for table in ("stores", "staff", "detail"):
        response = hr.get(f"/exports/{table}.csv", query_string={"period": period})
        assert response.status_code == 200, table
        assert response.data.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert len(rows) >= 2
        if table == "detail":
            assert "'=1+1" in [cell for row in rows for cell in row]
        if table == "staff":
            assert rows[1][0] == "00001"
    assert hr.get("/exports/secrets.csv", query_string={"period": period}).status_code == 404
    assert hr.get("/exports/detail.csv", query_string={"period": "nope"}).status_code == 400


def test_a_third_export_while_two_are_running_is_refused(app, db, make_user):

    hr = role_client(app, make_user, Role.HR, "hr1")
    user = db.session.scalar(select(User).where(User.username == "hr1"))
    for _ in range(2):
        db.session.add(
            ExportJob(
                requested_by_id=user.id,
                kind="xlsx",
                period_key="2026-01",
                status=ExportStatus.RUNNING,
            )
        )
    db.session.commit()
    response = _start(hr, period="2026-01")
    assert response.status_code == 303
    assert "已有两个导出正在生成" in hr.get("/exports").text
    assert db.session.query(ExportJob).count() == 2


def _selected(page: str, name: str) -> list[str]:
    """The values chosen in every <select name=…> of the page."""
    selects = re.findall(rf'<select name="{name}">(.*?)</select>', page, re.S)
    return [
        (re.search(r'<option value="([^"]*)" selected>', s) or [None, None])[1] for s in selects
    ]


def test_after_building_the_forms_show_the_chosen_period_and_region(app, db, approved, make_user):
    hr = role_client(app, make_user, Role.HR, "hr1")
    region = db.session.scalar(select(Region))
    month = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    fresh = hr.get("/exports").text
    assert _selected(fresh, "period") == [None, None]  # nothing built yet: the defaults
    built = _start(hr, period=month, region=str(region.id))
    assert built.status_code == 302
    page = hr.get(built.headers["Location"]).text
    assert _selected(page, "period") == [month, month]  # the workbook's form and the CSV's
    assert _selected(page, "region") == [str(region.id), str(region.id)]
    # Coming back later, the forms still show the last export's choice, not the first quarter.
    assert _selected(hr.get("/exports").text, "period") == [month, month]
    # A range is not among the offered periods: it is offered, chosen, first.
    _wait(hr, db.session.scalar(select(ExportJob.id)))
    ranged = _start(hr, period=f"{month}-01..{month}-02")
    page = hr.get(ranged.headers["Location"]).text
    assert _selected(page, "period") == [f"{month}-01..{month}-02"] * 2
    assert _selected(page, "region") == [None, None]  # all regions, as chosen
    _wait(hr, db.session.scalar(select(ExportJob.id).order_by(ExportJob.id.desc())))


def _download_name(response) -> str:
    """The exact file name a download carries (RFC 5987 filename*)."""
    name = unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1])
    response.close()
    return name


def test_docs_name_every_download_as_it_is_named(app, db, approved, make_user):
    """Every file name docs/exports.md gives (`appraisal-<period>.xlsx` …) is the name a download
    really carries, and every download's name is documented; its CSV addresses answer."""
    docs = (PROJECT_ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`\s]+\.(?:csv|xlsx))`", docs))
    addresses = {n for n in named if n.startswith("/")}
    patterns = named - addresses
    hr = role_client(app, make_user, Role.HR, "hr1")
    period = f"{db.session.scalar(select(Inspection.visit_date)):%Y-%m}"
    region = db.session.scalar(select(Region))
    real = set()
    for address in addresses:
        response = hr.get(address, query_string={"period": period})
        assert response.status_code == 200, address
        real.add(_download_name(response))
    for table in ("stores", "staff", "detail"):
        query = {"period": period, "region": region.id}
        real.add(_download_name(hr.get(f"/exports/{table}.csv", query_string=query)))
    for region_value in ("", str(region.id)):
        assert _start(hr, period=period, region=region_value).status_code == 302
        job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
        real.add(_download_name(hr.get(_wait(hr, job.id)["download"])))
    documented = {
        p.replace("<period>", period).replace("<region>", str(region.id)) for p in patterns
    }
    assert documented == real
    assert {"stores.csv", "staff.csv", "detail.csv"} <= {a.rsplit("/", 1)[1] for a in addresses}
