"""answers.is_veto_failed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:50:22.935017

"""
from alembic import op
import sqlalchemy as sa

import inspect_app.db


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_veto_failed', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Scores are recomputed from the checklist whenever an answer changes; until then
    # existing answers count as no veto finding.
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.alter_column('is_veto_failed', server_default=None)



def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('is_veto_failed')

