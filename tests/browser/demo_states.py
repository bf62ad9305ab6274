"""States the demo lacks that the page walks need, written into a live server's database: a
visit waiting for review, an open (overdue) corrective action, an open appeal."""

from __future__ import annotations

from sqlalchemy import create_engine, text

#: The reason of the appeal file_an_appeal files (long: the widest line of the appeal lists).
APPEAL_REASON = "检查当时该员工正在协助一位行动不便的老年客户办理业务，已补充现场照片，请复核。"


def _run(db_url: str, steps) -> dict:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            return steps(conn)
    finally:
        engine.dispose()


def open_an_action(db_url: str) -> dict:
    """Reopen the newest corrective action at the manager's first hall, overdue (a tag more on
    its row of /actions); the demo's own actions are all verified."""

    def steps(conn) -> dict:
        action_id = conn.execute(
            text(
                "SELECT a.id FROM corrective_actions a JOIN inspections i ON i.id = a.inspection_id "
                "WHERE i.store_id = 1 ORDER BY i.visit_date DESC LIMIT 1"
            )
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE corrective_actions SET status = 'open', due_date = '2020-01-31' "
                "WHERE id = :id"
            ),
            {"id": action_id},
        )
        conn.execute(
            text("UPDATE corrective_action_items SET status = 'open' WHERE action_id = :id"),
            {"id": action_id},
        )
        return {"action_id": action_id}

    return _run(db_url, steps)


def file_an_appeal(db_url: str, uuid: str) -> dict:
    """The manager appeals the first failed item of the visit (uuid)."""

    def steps(conn) -> dict:
        inspection_id, answer_id = conn.execute(
            text(
                "SELECT i.id, a.id FROM answers a JOIN inspections i ON i.id = a.inspection_id "
                "WHERE i.uuid = :u AND a.is_failed ORDER BY a.id LIMIT 1"
            ),
            {"u": uuid},
        ).one()
        manager = conn.execute(text("SELECT id FROM users WHERE username = 'manager'")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO appeals (inspection_id, answer_id, filed_by_id, reason, status, "
                "created_at) VALUES (:i, :a, :m, :r, 'open', CURRENT_TIMESTAMP)"
            ),
            {"i": inspection_id, "a": answer_id, "m": manager, "r": APPEAL_REASON},
        )
        return {"appealed_answer": answer_id}

    return _run(db_url, steps)


def submit_a_visit(db_url: str) -> dict:
    """Put the newest approved visit of a hall the manager does not run back in the queue."""

    def steps(conn) -> dict:
        uuid = conn.execute(
            text(
                "SELECT uuid FROM inspections WHERE status = 'approved' AND store_id > 2 "
                "ORDER BY visit_date DESC LIMIT 1"
            )
        ).scalar_one()
        conn.execute(
            text("UPDATE inspections SET status = 'submitted', approved_at = NULL WHERE uuid = :u"),
            {"u": uuid},
        )
        return {"submitted": uuid}

    return _run(db_url, steps)


def photo_dashboard(db_url: str) -> dict:
    """The dashboard of the hall and month of the newest failed item with a photo."""

    def steps(conn) -> dict:
        store_id, day = conn.execute(
            text(
                "SELECT i.store_id, i.visit_date FROM photos p "
                "JOIN inspections i ON i.id = p.inspection_id "
                "JOIN answers a ON a.inspection_id = i.id AND a.item_id = p.item_id "
                "WHERE a.is_failed AND i.status = 'approved' ORDER BY i.visit_date DESC LIMIT 1"
            )
        ).one()
        return {"photo_dashboard": f"/stores/{store_id}?period={str(day)[:7]}"}

    return _run(db_url, steps)
