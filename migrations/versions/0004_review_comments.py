"""inspections.review_comments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:01:13.693738

"""
from alembic import op
import sqlalchemy as sa

import inspect_app.db


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_comments', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('review_comments')

