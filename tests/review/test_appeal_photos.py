"""Appeals and corrective actions: a refused photo or reason never loses what was typed."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import select

from inspect_app.inspections.models import Answer, Inspection
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.review.models import ActionStatus, Appeal, AppealStatus, CorrectiveActionItem
from tests.fixtures.review import FAILED_HALL_ITEM, FAILED_STAFF_ITEM, post
from tests.fixtures.visits import PHOTO_LIMIT, VISIT_UUID, jpeg_bytes
from tests.inspections.test_nojs_photos import closed, noise_jpeg, translated

REASON = "检查时该员工正在协助老年客户办理业务，工牌放在柜台上，附现场照片为证。"
NOTE = "已清理洗手台积水，安排专人每小时巡检并登记。"


def _answer_id(db, item_id: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Answer.id).where(Answer.item_id == item_id))


def _action(db, item_id: str = FAILED_HALL_ITEM) -> CorrectiveActionItem:
    """The corrective-action item of a failed answer."""
    db.session.expire_all()
    return db.session.scalar(
        select(CorrectiveActionItem).join(Answer).where(Answer.item_id == item_id)
    )


def _photos(*files: tuple[bytes, str]) -> list:
    return [(io.BytesIO(data), name) for data, name in files]


def _appeal(client, db, reason: str = REASON, photos=(), item_id: str = FAILED_STAFF_ITEM):
    data = {"answer_id": _answer_id(db, item_id), "reason": reason, "photos": _photos(*photos)}
    return closed(
        post(client, f"/results/{VISIT_UUID}/appeals", data, content_type="multipart/form-data")
    )


def _record(client, item_id: int, note: str = NOTE, photos=()):
    data = {"description": note, "photos": _photos(*photos)}
    return closed(
        post(client, f"/results/actions/items/{item_id}", data, content_type="multipart/form-data")
    )


def _stored_files(app) -> int:
    return sum(1 for path in Path(app.config["PHOTO_DIR"]).rglob("*") if path.is_file())


def _too_large(app) -> str:
    return translated(
        app,
        "The photo is larger than %(limit)s MB. Please choose a smaller one.",
        limit=f"{PHOTO_LIMIT / 1024 / 1024:.3g}",
    )


def _kept(html: str, text: str) -> bool:
    """The text is back in its textarea (after the newline HTML drops there)."""
    return f">\n{escape(text)}</textarea>" in html


def test_an_oversized_appeal_photo_keeps_the_reason_and_names_the_photo(
    app, db, approved, manager, small_limits
):
    files_before = _stored_files(app)
    photos = [(jpeg_bytes(30), "工牌.jpg"), (noise_jpeg(PHOTO_LIMIT + 1, 1), "现场全景.jpg")]
    assert sum(len(data) for data, _ in photos) > app.config["MAX_CONTENT_LENGTH"]
    response = _appeal(manager, db, photos=photos)
    assert response.status_code == 422
    assert _kept(response.text, REASON)
    assert "现场全景.jpg" in response.text and _too_large(app) in response.text
    assert "autofocus" in response.text  # the phone scrolls to the refused form
    assert db.session.query(Appeal).count() == 0
    assert db.session.query(Photo).filter_by(purpose=PhotoPurpose.APPEAL).count() == 0
    assert _stored_files(app) == files_before  # the accepted photo's files were removed again

    again = _appeal(manager, db, photos=[(jpeg_bytes(30), "工牌.jpg"), (jpeg_bytes(31), "b.jpg")])
    assert again.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert appeal.reason == REASON
    assert db.session.query(Photo).filter_by(appeal_id=appeal.id).count() == 2


def test_every_refused_appeal_keeps_the_reason(app, db, approved, manager):
    missing = _appeal(manager, db, reason="   ")
    assert missing.status_code == 422 and 'class="field-error"' in missing.text
    too_many = _appeal(manager, db, photos=[(jpeg_bytes(n), f"{n}.jpg") for n in range(6)])
    assert too_many.status_code == 422 and _kept(too_many.text, REASON)
    assert translated(app, "Attach at most %(n)s photos.", n=5) in too_many.text
    assert _appeal(manager, db).status_code == 302
    duplicate = _appeal(manager, db, reason="补充说明：当班经理可作证。")
    assert duplicate.status_code == 422 and _kept(duplicate.text, "补充说明：当班经理可作证。")
    assert translated(app, "This item already has an open appeal.") in duplicate.text

    inspection = db.session.scalar(select(Inspection))
    inspection.approved_at -= timedelta(days=app.config["APPEAL_WINDOW_DAYS"] + 1)
    db.session.commit()
    late = _appeal(manager, db, item_id=FAILED_HALL_ITEM)
    assert late.status_code == 422 and _kept(late.text, REASON)
    assert "申诉期已于" in late.text
    assert db.session.query(Appeal).count() == 1


def test_an_oversized_action_photo_keeps_the_note(app, db, approved, manager, small_limits):
    action = _action(db)
    files_before = _stored_files(app)
    response = _record(
        manager,
        action.id,
        photos=[(jpeg_bytes(40), "a.jpg"), (noise_jpeg(PHOTO_LIMIT + 1, 2), "整改后.jpg")],
    )
    assert response.status_code == 422
    assert _kept(response.text, NOTE)
    assert "整改后.jpg" in response.text and _too_large(app) in response.text
    action = _action(db)
    assert action.status == ActionStatus.OPEN and action.description is None
    assert _stored_files(app) == files_before

    empty = _record(manager, action.id, note="")
    assert empty.status_code == 422 and 'class="field-error"' in empty.text
    assert _record(manager, action.id, photos=[(jpeg_bytes(41), "a.jpg")]).status_code == 302
    assert _action(db).status == ActionStatus.RECORDED


def test_reviewer_texts_are_kept_when_the_decision_is_refused(app, db, approved, manager, reviewer):
    assert _appeal(manager, db).status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert post(reviewer, f"/review/appeals/{appeal.id}", {"decision": "uphold"}).status_code == 302
    late = "照片显示员工当时未佩戴工牌，维持原判。"
    again = post(reviewer, f"/review/appeals/{appeal.id}", {"decision": "reject", "reason": late})
    assert again.status_code == 422 and _kept(again.text, late)
    assert db.session.get(Appeal, appeal.id).status == AppealStatus.UPHELD

    action = _action(db)
    comment = "照片看不到洗手台，请补拍。"
    refused = post(
        reviewer,
        f"/review/actions/items/{action.id}",
        {"decision": "not_verified", "comment": comment},
    )
    assert refused.status_code == 422 and _kept(refused.text, comment)  # nothing recorded yet
    assert _action(db).status == ActionStatus.OPEN


@pytest.mark.parametrize("form", ["appeal", "action", "action-note-only"])
def test_photos_above_the_form_limit_get_a_clear_413(app, db, approved, manager, form):
    """Photos or a long note: the message names both, since the body is refused unread."""
    saved = app.config["MAX_FORM_BYTES"]
    app.config["MAX_FORM_BYTES"] = 100_000
    try:
        photos = [(noise_jpeg(150_000, 3), "big.jpg")]
        if form == "appeal":
            response = _appeal(manager, db, photos=photos)
        elif form == "action":
            response = _record(manager, _action(db).id, photos=photos)
        else:  # no photo at all: only the text is too long
            response = _record(manager, _action(db).id, note="已整改。" * 40_000)
    finally:
        app.config["MAX_FORM_BYTES"] = saved
    assert response.status_code == 413
    message = (
        "What was sent (text and photos together) is larger than %(limit)s MB, so nothing on "
        "this page was saved. Go back, shorten the text or remove some photos, and send again; "
        "add the other photos afterwards."
    )
    assert translated(app, message, limit=f"{100_000 / 1024 / 1024:.3g}") in response.text
