"""A plan that leaves halls without a visit is published only once the admin confirms the list;
the progress page offers every month with unfinished visits, overdue visits first."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.auth.models import Role, User
from inspect_app.inspections.models import Assignment, AssignmentStatus
from inspect_app.periods import month_of
from tests.conftest import csrf_from, halls_today

NEXT = month_of(month_of(halls_today()).end)
HIDDEN_HALL = re.compile(r'<input type="hidden" name="halls" value="(\d+)">')


def _north_inspectors_only(db, make_user, org):
    """Two inspectors in the north; the south's hall has nobody to visit it."""
    for name in ("n1", "n2"):
        user = db.session.get(User, make_user(Role.INSPECTOR, username=name).id)
        user.region_id = org["regions"][0].id
    db.session.commit()


def _propose(client, checklist_id):
    page = client.get("/admin/plan", query_string={"month": NEXT.key}).text
    response = client.post(
        f"/admin/plan/propose?month={NEXT.key}",
        data={"csrf_token": csrf_from(page), "checklist_id": checklist_id, "visits": "1"},
    )
    assert response.status_code == 302
    return client.get("/admin/plan", query_string={"month": NEXT.key}).text


def _statuses(db):
    db.session.expire_all()
    return {row.status for row in db.session.scalars(select(Assignment))}


def _publish_events(db):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.publish")).all()


def test_halls_left_without_visits_are_listed_and_publishing_needs_the_confirmation(
    admin_client, db, make_user, org, default_checklist_version
):
    _north_inspectors_only(db, make_user, org)
    page = _propose(admin_client, default_checklist_version.checklist_id)
    south_hall = org["stores"][2]
    listed = re.search(r'id="halls-without-visits">(.*?)</div>', page, re.S).group(1)
    assert "南一营业厅" in listed and "南区" in listed
    assert "北一营业厅" not in listed and "北二营业厅" not in listed
    assert HIDDEN_HALL.findall(page) == [str(south_hall.id)]
    assert 'name="confirm"' in listed

    token = csrf_from(page)
    refused = admin_client.post(
        f"/admin/plan/publish?month={NEXT.key}",
        data={"csrf_token": token, "halls": str(south_hall.id)},
    )
    assert refused.status_code == 422
    assert "flash-error" in refused.text and "南一营业厅" in refused.text
    assert _statuses(db) == {AssignmentStatus.PLANNED}
    assert _publish_events(db) == []

    published = admin_client.post(
        f"/admin/plan/publish?month={NEXT.key}",
        data={"csrf_token": token, "halls": str(south_hall.id), "confirm": "y"},
    )
    assert published.status_code == 302
    assert _statuses(db) == {AssignmentStatus.PUBLISHED}
    (event,) = _publish_events(db)
    assert event.details["halls_without_visits"] == [
        {"id": south_hall.id, "name": "南一营业厅", "region": "南区"}
    ]


def test_a_confirmation_covers_only_the_halls_it_listed(
    admin_client, db, make_user, org, default_checklist_version
):
    _north_inspectors_only(db, make_user, org)
    page = _propose(admin_client, default_checklist_version.checklist_id)
    # Meanwhile a north hall's visit is cancelled: the list the admin confirmed is out of date.
    north_visit = db.session.scalar(
        select(Assignment).where(Assignment.store_id == org["stores"][0].id)
    )
    north_visit.status = AssignmentStatus.CANCELLED
    db.session.commit()
    refused = admin_client.post(
        f"/admin/plan/publish?month={NEXT.key}",
        data={"csrf_token": csrf_from(page), "halls": HIDDEN_HALL.findall(page), "confirm": "y"},
    )
    assert refused.status_code == 422
    assert set(HIDDEN_HALL.findall(refused.text)) == {
        str(org["stores"][0].id),
        str(org["stores"][2].id),
    }
    assert AssignmentStatus.PUBLISHED not in _statuses(db)


def test_a_plan_visiting_every_hall_publishes_without_a_confirmation(
    admin_client, db, make_user, org, default_checklist_version
):
    _north_inspectors_only(db, make_user, org)
    south = db.session.get(User, make_user(Role.INSPECTOR, username="s1").id)
    south.region_id = org["regions"][1].id
    db.session.commit()
    page = _propose(admin_client, default_checklist_version.checklist_id)
    assert 'id="halls-without-visits"' not in page
    response = admin_client.post(
        f"/admin/plan/publish?month={NEXT.key}", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    assert _statuses(db) == {AssignmentStatus.PUBLISHED}
    assert _publish_events(db)[0].details["halls_without_visits"] == []


def test_every_month_with_unfinished_visits_is_offered_and_overdue_visits_come_first(
    admin_client, db, make_user, org, default_checklist_version
):
    _north_inspectors_only(db, make_user, org)
    inspector = db.session.scalar(select(User).where(User.username == "n1"))
    old = month_of(month_of(halls_today()).start - timedelta(days=70))
    older = month_of(old.start - timedelta(days=40))
    north1, north2, south = org["stores"]

    def visit(store, status, start, end):
        db.session.add(Assignment(inspector_id=inspector.id, store_id=store.id, status=status,
                                  checklist_id=default_checklist_version.checklist_id,
                                  window_start=start, window_end=end))  # fmt: skip

    visit(north1, AssignmentStatus.DONE, old.start, old.start)
    visit(north2, AssignmentStatus.PUBLISHED, old.start + timedelta(days=3), old.end)  # overdue
    visit(south, AssignmentStatus.DONE, older.start, older.start)  # finished: not offered
    db.session.commit()

    page = admin_client.get("/admin/plan").text
    options = re.findall(r'<option value="(\d{4}-\d{2})"[^>]*>([^<]*)</option>', page)
    offered = dict(options)
    assert old.key in offered and "1" in offered[old.key].replace(old.key, "")
    assert older.key not in offered

    month_page = admin_client.get("/admin/plan", query_string={"month": old.key}).text
    visits = month_page.split("<h2>", 3)[-1]
    # The overdue (published) visit is listed before the done one, although "done" sorts first.
    assert visits.index("北二营业厅") < visits.index("北一营业厅")
