"""Publishing a month's plan while another admin proposes it again: one comes first, whole."""

from __future__ import annotations

from sqlalchemy import select

from inspect_app.audit.models import AuditEvent
from inspect_app.inspections.models import Assignment, AssignmentStatus
from tests.concurrency.conftest import at_once, clones
from tests.conftest import csrf_from
from tests.planning.test_planning import NEXT, _inspectors


def test_a_publish_racing_a_new_proposal_publishes_what_it_checked_or_nothing(
    app, db, admin_client, make_user, org, default_checklist_version
):
    _inspectors(db, make_user, org)
    south = org["regions"][1]
    for _round in range(5):
        token = csrf_from(admin_client.get("/admin/plan", query_string={"month": NEXT.key}).text)
        propose = {"csrf_token": token, "checklist_id": default_checklist_version.checklist_id}
        assert admin_client.post(
            f"/admin/plan/propose?month={NEXT.key}", data={**propose, "visits": "2"}
        ).status_code == 302  # fmt: skip
        db.session.commit()
        proposed = len(db.session.scalars(select(Assignment)).all())
        # The new proposal leaves the south's hall without a visit; the publish confirms none.
        requests = (
            (f"/admin/plan/publish?month={NEXT.key}", {"csrf_token": token}),
            (f"/admin/plan/propose?month={NEXT.key}",
             {**propose, "visits": "1", f"visits_{south.id}": "0"}),
        )  # fmt: skip
        copies = clones(app, admin_client, 2)
        publish, repropose = at_once(
            2, lambda i, c=copies, r=requests: c[i].post(r[i][0], data=r[i][1])
        )
        assert repropose.status_code == 302
        db.session.commit()
        published = db.session.scalars(
            select(Assignment).where(Assignment.status == AssignmentStatus.PUBLISHED)
        ).all()
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "plan.publish")
        ).all()
        if publish.status_code == 302:  # it came first: the whole first proposal went out
            assert len(published) == proposed == events[-1].details["visits"]
            assert events[-1].details["halls_without_visits"] == []
        else:  # the new proposal came first: it leaves a hall unvisited, so nothing went out
            assert publish.status_code == 422
            assert published == [] and events == []
        for row in db.session.scalars(select(Assignment)):
            db.session.delete(row)
        db.session.execute(AuditEvent.__table__.delete())
        db.session.commit()
