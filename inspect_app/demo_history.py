"""Three months of approved demo inspections, so every page shows real figures."""

from __future__ import annotations

import io
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, Photo, PhotoPurpose
from inspect_app.inspections.operations import store_scores
from inspect_app.inspections.photos import PhotoLimits, process_photo
from inspect_app.inspections.storage import PhotoStorage
from inspect_app.stores.models import Staff, Store

VISITS_PER_MONTH = 2
#: (store index, month offset, visit index) of the one visit where customer data leaked.
VETO_VISIT = (4, 1, 0)
VETO_ITEM = "process.data_confidential"


def _photo(rng: random.Random) -> bytes:
    image = Image.new(
        "RGB", (960, 720), (rng.randint(150, 230), rng.randint(150, 230), rng.randint(150, 230))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randint(0, 900), rng.randint(0, 660)
        draw.rectangle(
            [x, y, x + rng.randint(40, 200), y + rng.randint(30, 150)],
            fill=tuple(rng.randint(0, 255) for _ in range(3)),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _answer_value(item, rng: random.Random, fail: bool):
    if item.type == "pass_fail":
        return "fail" if fail else "pass"
    if item.type == "scale":
        return item.config["max"] - (rng.randint(1, 2) if fail else 0)
    if item.type == "stars":
        return rng.choice([3, 4]) if fail else 5
    if item.type == "choice":
        options = sorted(item.config["options"], key=lambda o: -o["points"])
        return options[1]["value"] if fail else options[0]["value"]
    if item.type == "number":
        return 18 if fail else rng.randint(1, 4)
    return "服务整体规范，个别细节待改进。" if fail else None


def load_demo_history(
    storage: PhotoStorage,
    tz: ZoneInfo,
    today: date,
    seed: int = 2026,
    *,
    store_ids: list[int] | None = None,
    visits_per_month: int = VISITS_PER_MONTH,
) -> int:
    """Create approved inspections for the last three months; return how many."""
    rng = random.Random(seed)
    checklist = db.session.scalar(
        select(Checklist).where(Checklist.key == "business-hall-mystery-shop")
    )
    inspector = db.session.scalar(select(User).where(User.username == "inspector"))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    if checklist is None or inspector is None or reviewer is None:
        return 0
    version = checklist.active_version
    definition = definition_of(version)
    query = select(Store).order_by(Store.code)
    if store_ids is not None:
        query = query.where(Store.id.in_(store_ids))
    stores = list(db.session.scalars(query))
    created = 0
    for store_index, store in enumerate(stores):
        roster = list(db.session.scalars(select(Staff).where(Staff.store_id == store.id)))
        # Each hall has its own level, so ratings and ranks differ.
        fail_rate = 0.03 + 0.035 * store_index
        for month_offset in range(3):
            month_index = today.year * 12 + today.month - 1 - month_offset
            month_start = date(month_index // 12, month_index % 12 + 1, 1)
            last_day = (
                today
                if month_offset == 0
                else (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            )
            for visit_index in range(visits_per_month):
                day = month_start + timedelta(
                    days=rng.randint(0, max(0, (last_day - month_start).days))
                )
                start = datetime.combine(
                    day, time(rng.choice([9, 10, 14, 16]), rng.randint(0, 59)), tz
                )
                inspection = Inspection(
                    uuid=str(uuid.uuid4()),
                    store_id=store.id,
                    checklist_version_id=version.id,
                    inspector_id=inspector.id,
                    status=InspectionStatus.APPROVED,
                    visit_started_at=start.astimezone(UTC),
                    visit_ended_at=(start + timedelta(minutes=rng.randint(25, 50))).astimezone(UTC),
                    visit_date=day,
                    waiting_minutes=rng.randint(1, 18),
                    counter_no=str(rng.randint(1, 6)),
                    submitted_at=(start + timedelta(hours=1)).astimezone(UTC),
                    approved_at=(start + timedelta(days=1)).astimezone(UTC),
                    approved_by_id=reviewer.id,
                )
                db.session.add(inspection)
                db.session.flush()
                vetoed = (store_index, month_offset, visit_index) == VETO_VISIT
                for item in definition.items:
                    fail = (not item.veto and rng.random() < fail_rate) or (
                        vetoed and item.id == VETO_ITEM
                    )
                    value = _answer_value(item, rng, fail)
                    if value is None:
                        continue
                    answer = Answer(item_id=item.id, value=value)
                    if fail and item.staff and roster:
                        answer.employee_no = rng.choice(roster).employee_no
                        answer.staff_id = next(
                            s.id for s in roster if s.employee_no == answer.employee_no
                        )
                    if fail and item.type in ("pass_fail", "scale"):
                        answer.comment = (
                            "现场发现未达标，已拍照留存。"
                            if item.photo != "never"
                            else "现场观察未达标。"
                        )
                    inspection.answers.append(answer)
                    if item.photo == "always" or (item.photo == "on_fail" and fail):
                        _add_photo(inspection, item.id, _photo(rng), inspector, storage, tz)
                store_scores(inspection, definition)
                created += 1
    db.session.flush()
    return created


def _add_photo(inspection, item_id, data, uploader, storage, tz) -> None:
    processed = process_photo(data, PhotoLimits(), tz)
    db.session.add(
        Photo(
            uuid=str(uuid.uuid4()),
            inspection_id=inspection.id,
            item_id=item_id,
            purpose=PhotoPurpose.EVIDENCE,
            storage_key=storage.put(processed.jpeg),
            thumbnail_key=storage.put(processed.thumbnail),
            byte_size=len(processed.jpeg),
            width=processed.width,
            height=processed.height,
            sha256=processed.sha256,
            source_sha256=processed.source_sha256,
            perceptual_hash=processed.perceptual_hash,
            captured_at=inspection.visit_started_at,
            uploaded_by_id=uploader.id,
        )
    )
