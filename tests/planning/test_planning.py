"""Planning a month of visits: propose, check the rules, publish, reassign, follow progress."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspect_app.auth.models import Role, User
from inspect_app.inspections.models import Assignment, AssignmentStatus
from inspect_app.periods import month_of
from tests.conftest import csrf_from, halls_today, post_form

NEXT = month_of(month_of(halls_today()).end)


def _inspectors(db, make_user, org):
    north, south = org["regions"]
    people = []
    for name, region in (("n1", north), ("n2", north), ("s1", south)):
        user = make_user(Role.INSPECTOR, username=name)
        user = db.session.get(User, user.id)
        user.region_id = region.id
        people.append(user)
    db.session.commit()
    return people


def _post(client, url, data=None):
    token = csrf_from(client.get("/admin/plan", query_string={"month": NEXT.key}).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_propose_meets_quotas_with_different_inspectors_then_publish(
    admin_client, db, make_user, org, default_checklist_version
):
    _inspectors(db, make_user, org)
    response = _post(
        admin_client,
        f"/admin/plan/propose?month={NEXT.key}",
        {"checklist_id": default_checklist_version.checklist_id, "visits": "2"},
    )
    assert response.status_code == 302
    rows = db.session.scalars(select(Assignment)).all()
    assert len(rows) == 3 * 2 and all(r.status == AssignmentStatus.PLANNED for r in rows)
    for store in org["stores"]:
        visits = sorted((r for r in rows if r.store_id == store.id), key=lambda r: r.window_start)
        assert len(visits) == 2
        assert visits[0].window_end < visits[1].window_start  # spread over the month
        assert all(NEXT.start <= v.window_start and v.window_end < NEXT.end for v in visits)
        if store.region_id == org["regions"][0].id:
            assert visits[0].inspector_id != visits[1].inspector_id  # never twice in a row
    assert _post(admin_client, f"/admin/plan/publish?month={NEXT.key}").status_code == 302
    db.session.expire_all()
    assert all(
        r.status == AssignmentStatus.PUBLISHED for r in db.session.scalars(select(Assignment))
    )


def test_reassign_only_within_the_region_and_before_the_visit(
    admin_client, db, make_user, org, default_checklist_version
):
    n1, n2, s1 = _inspectors(db, make_user, org)
    _post(
        admin_client,
        f"/admin/plan/propose?month={NEXT.key}",
        {"checklist_id": default_checklist_version.checklist_id, "visits": "1"},
    )
    north_visit = db.session.scalar(
        select(Assignment).where(Assignment.store_id == org["stores"][0].id)
    )
    other = n2 if north_visit.inspector_id == n1.id else n1
    wrong_region = _post(
        admin_client, f"/admin/assignments/{north_visit.id}/reassign", {"inspector_id": s1.id}
    )
    assert wrong_region.status_code == 303
    right = _post(
        admin_client, f"/admin/assignments/{north_visit.id}/reassign", {"inspector_id": other.id}
    )
    assert right.status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, north_visit.id).inspector_id == other.id


def test_progress_counts_done_due_and_overdue(
    admin_client, db, make_user, org, default_checklist_version
):
    n1, _, _ = _inspectors(db, make_user, org)
    this_month = month_of(halls_today())
    today = halls_today()
    for status, end in (
        (AssignmentStatus.DONE, today),
        (AssignmentStatus.PUBLISHED, today + timedelta(days=3)),
        (AssignmentStatus.PUBLISHED, this_month.start),
    ):
        db.session.add(Assignment(inspector_id=n1.id, store_id=org["stores"][0].id, checklist_id=default_checklist_version.checklist_id,
                                  window_start=this_month.start, window_end=max(end, this_month.start), status=status))  # fmt: skip
    db.session.commit()
    page = admin_client.get("/admin/plan", query_string={"month": this_month.key}).text
    assert "北区" in page and "n1" in page
    overdue_expected = 1 if this_month.start < today else 0
    assert f'<td class="num">{overdue_expected}</td>' in page


def test_bad_plans_get_clear_answers(
    admin_client, reviewer_client, db, make_user, org, default_checklist_version
):
    _inspectors(db, make_user, org)
    too_many = _post(
        admin_client,
        f"/admin/plan/propose?month={NEXT.key}",
        {"checklist_id": default_checklist_version.checklist_id, "visits": "99"},
    )
    assert too_many.status_code == 303
    assert db.session.scalar(select(Assignment)) is None
    assert admin_client.get("/admin/plan", query_string={"month": "2026-Q1"}).status_code == 400
    assert reviewer_client.get("/admin/plan", query_string={"month": NEXT.key}).status_code == 200
    token = csrf_from(reviewer_client.get("/admin/plan").text)
    assert (
        reviewer_client.post(
            f"/admin/plan/propose?month={NEXT.key}", data={"csrf_token": token}
        ).status_code
        == 403
    )


def test_a_region_without_inspectors_is_reported(
    app, admin_client, db, make_user, org, default_checklist_version
):
    north_only = make_user(Role.INSPECTOR, username="lonely")
    db.session.get(User, north_only.id).region_id = org["regions"][0].id
    db.session.commit()
    response = _post(
        admin_client,
        f"/admin/plan/propose?month={NEXT.key}",
        {"checklist_id": default_checklist_version.checklist_id, "visits": "1"},
    )
    page = admin_client.get(response.headers["Location"]).text
    assert "flash-error" in page  # the south region has no inspector; the north has only one


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_plan_problems_name_regions_halls_and_inspectors_never_their_ids(
    lang, admin_client, db, make_user, org, default_checklist_version
):
    lonely = make_user(Role.INSPECTOR, username="lonely")
    db.session.get(User, lonely.id).region_id = org["regions"][0].id
    db.session.commit()
    post_form(admin_client, "/language", {"lang": lang, "next": "/admin/plan"})
    response = _post(
        admin_client,
        f"/admin/plan/propose?month={NEXT.key}",
        {"checklist_id": default_checklist_version.checklist_id, "visits": "3"},
    )
    page = admin_client.get(response.headers["Location"]).text
    problems = re.findall(r'<p class="flash flash-error"[^>]*>([^<]*)</p>', page)
    # The north's lone inspector repeats at both its halls; the south has no inspector.
    assert len(problems) == 2
    assert "北区" in problems[0] and "北一营业厅" in problems[0] and "北二营业厅" in problems[0]
    assert "lonely" in problems[0] and "南区" in problems[1]
    assert all(set(re.findall(r"\d+", text)) <= {"3"} for text in problems)  # no id, only counts
    if lang == "en":
        assert problems == [
            "北区 has only one inspector, so lonely visits 北一营业厅 and 北二营业厅 twice in a row.",
            "南区 has halls needing 3 visits but no inspectors.",
        ]


def test_a_plan_with_more_visits_than_inspectors_can_make_says_so(
    app, admin_client, db, make_user, org, default_checklist_version
):
    _inspectors(db, make_user, org)
    app.config["INSPECTOR_MONTHLY_VISITS"] = 1
    try:
        response = _post(
            admin_client,
            f"/admin/plan/propose?month={NEXT.key}",
            {"checklist_id": default_checklist_version.checklist_id, "visits": "3"},
        )
    finally:
        app.config["INSPECTOR_MONTHLY_VISITS"] = 80
    page = admin_client.get(response.headers["Location"]).text
    assert "flash-error" in page
    assert (
        len(db.session.scalars(select(Assignment)).all()) <= 3
    )  # three inspectors, one visit each


def test_a_visit_already_done_cannot_be_reassigned(
    admin_client, db, make_user, org, default_checklist_version
):
    n1, n2, _ = _inspectors(db, make_user, org)
    done = Assignment(inspector_id=n1.id, store_id=org["stores"][0].id, checklist_id=default_checklist_version.checklist_id,
                      window_start=NEXT.start, window_end=NEXT.start, status=AssignmentStatus.DONE)  # fmt: skip
    db.session.add(done)
    db.session.commit()
    response = _post(
        admin_client, f"/admin/assignments/{done.id}/reassign", {"inspector_id": n2.id}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Assignment, done.id).inspector_id == n1.id
    assert (
        _post(
            admin_client, "/admin/assignments/999999/reassign", {"inspector_id": n2.id}
        ).status_code
        == 404
    )
