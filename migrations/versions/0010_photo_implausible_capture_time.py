"""photo capture times checked: implausible ones are kept aside

A photo keeps its capture time only when it is plausible for its visit (issue 13, item 5):
from a day before the arrival, until a day after the departure (evidence photos only) and no
later than ten minutes after the upload. Existing times outside that window move to the new
column `implausible_captured_at`, which the reviewer sees; the rule is copied here as it stood
at this revision, so later changes to it do not change what this migration did. Downgrading
moves them back into `captured_at` (nothing is lost) and drops the column.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:55:00.000000

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import inspect_app.db

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 5000
CLOCK_SKEW = timedelta(minutes=10)
CAPTURE_MARGIN = timedelta(days=1)
EARLIEST_CAPTURE = datetime(2000, 1, 1, tzinfo=UTC)
ONE_CAPTURE_TIME = "captured_at IS NULL OR implausible_captured_at IS NULL"


def _plausible(taken, uploaded, started, ended, purpose) -> bool:
    earliest = (
        EARLIEST_CAPTURE if started is None else max(EARLIEST_CAPTURE, started - CAPTURE_MARGIN)
    )
    latest = uploaded + CLOCK_SKEW
    if ended is not None and purpose == "evidence":
        latest = min(latest, ended + CAPTURE_MARGIN)
    return earliest <= taken <= latest


def upgrade():
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "implausible_captured_at",
                inspect_app.db.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(op.f("ck_photos_one_capture_time"), ONE_CAPTURE_TIME)

    moment = inspect_app.db.UTCDateTime(timezone=True)
    photos = sa.table(
        "photos",
        sa.column("id", sa.Integer()),
        sa.column("inspection_id", sa.Integer()),
        sa.column("purpose", sa.String()),
        sa.column("captured_at", moment),
        sa.column("created_at", moment),
    )
    inspections = sa.table(
        "inspections",
        sa.column("id", sa.Integer()),
        sa.column("visit_started_at", moment),
        sa.column("visit_ended_at", moment),
    )
    query = (
        sa.select(
            photos.c.id,
            photos.c.purpose,
            photos.c.captured_at,
            photos.c.created_at,
            inspections.c.visit_started_at,
            inspections.c.visit_ended_at,
        )
        .select_from(photos.join(inspections, inspections.c.id == photos.c.inspection_id))
        .where(photos.c.captured_at.is_not(None))
        .execution_options(yield_per=BATCH)
    )
    bind = op.get_bind()
    implausible = [
        row.id
        for row in bind.execute(query)
        if not _plausible(
            row.captured_at,
            row.created_at,
            row.visit_started_at,
            row.visit_ended_at,
            row.purpose,
        )
    ]
    for start in range(0, len(implausible), BATCH):
        op.execute(
            sa.text(
                "UPDATE photos SET implausible_captured_at = captured_at, captured_at = NULL "
                "WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", implausible[start : start + BATCH], expanding=True))
        )


def downgrade():
    op.execute(
        "UPDATE photos SET captured_at = implausible_captured_at, implausible_captured_at = NULL "
        "WHERE implausible_captured_at IS NOT NULL"
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_photos_one_capture_time"), type_="check")
        batch_op.drop_column("implausible_captured_at")
