"""staff postings: which hall's roster each person was on, and when

Every existing staff member gets one posting at their current hall, with no start (there since
before the records began) and, for those who left, ended on the halls' date of `left_at`. That
date is read in the app's TIMEZONE (Asia/Shanghai when the migration runs without the app's
config). Someone marked as left without a date gets no posting: the app never placed them on a
roster, and no date says when they were there. Downgrading drops the history; `staff` keeps
each person's current hall and leaving time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:26:39.532341

"""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

import inspect_app.db

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: The halls' zone when the app's config is not at hand.
DEFAULT_TIMEZONE = "Asia/Shanghai"
BATCH = 5000


def _halls_tz() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def upgrade():
    postings = op.create_table(
        "staff_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "started_on IS NULL OR ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_staff_postings_ended_after_started"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_postings_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_staff_postings_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_postings")),
    )
    with op.batch_alter_table("staff_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_postings_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(
            "ix_staff_postings_store_dates", ["store_id", "started_on", "ended_on"], unique=False
        )
        batch_op.create_index(
            "uq_staff_postings_open_per_staff",
            ["staff_id"],
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )

    staff = sa.table(
        "staff",
        sa.column("id", sa.Integer()),
        sa.column("store_id", sa.Integer()),
        sa.column("is_active", sa.Boolean()),
        sa.column("left_at", inspect_app.db.UTCDateTime(timezone=True)),
    )
    tz = _halls_tz()
    bind = op.get_bind()
    rows = []
    for person in bind.execute(sa.select(staff).order_by(staff.c.id)):
        ended_on = None
        if not person.is_active:
            if person.left_at is None:
                continue
            ended_on = person.left_at.astimezone(tz).date()
        rows.append(
            {
                "staff_id": person.id,
                "store_id": person.store_id,
                "started_on": None,
                "ended_on": ended_on,
            }
        )
    for start in range(0, len(rows), BATCH):
        bind.execute(postings.insert(), rows[start : start + BATCH])


def downgrade():
    with op.batch_alter_table("staff_postings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_staff_postings_open_per_staff",
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        )
        batch_op.drop_index("ix_staff_postings_store_dates")
        batch_op.drop_index(batch_op.f("ix_staff_postings_staff_id"))

    op.drop_table("staff_postings")
