"""inspections.hall_note: what the reviewer writes to the hall when approving

The reviewer's notes to the inspector (`return_comment`, `review_comments`) stay internal; the
note to the hall is a column of its own, the only reviewer text a store manager reads
(issue 15, item 2).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 01:50:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hall_note", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_column("hall_note")
