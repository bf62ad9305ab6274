"""request attempts (replayed phone requests) and refused submissions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:40:00

"""
from alembic import op
import sqlalchemy as sa

import inspect_app.db


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('request_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_request_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_attempts')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_request_attempts_user_id_key'))
    )
    with op.batch_alter_table('request_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_attempts_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submit_refused_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('submit_errors', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('submit_errors')
        batch_op.drop_column('submit_refused_at')

    with op.batch_alter_table('request_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_attempts_created_at'))

    op.drop_table('request_attempts')
