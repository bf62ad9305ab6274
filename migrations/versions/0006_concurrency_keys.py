"""concurrency keys: one visit per assignment, login throttle keyed by client

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import inspect_app.db


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _create_login_throttles(keyed_by_client: bool):
    columns = [sa.Column('username', sa.String(length=64), nullable=False)]
    if keyed_by_client:
        columns.append(sa.Column('client', sa.String(length=64), nullable=False))
    op.create_table('login_throttles',
    *columns,
    sa.Column('failure_count', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint(
        *(['username', 'client'] if keyed_by_client else ['username']),
        name=op.f('pk_login_throttles'),
    ),
    )
    if keyed_by_client:
        with op.batch_alter_table('login_throttles', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)


def upgrade():
    # Throttle rows are transient (failed sign-ins of the last day): rebuilt keyed by client.
    op.drop_table('login_throttles')
    _create_login_throttles(keyed_by_client=True)
    # One visit per assignment. Earlier versions could open a second visit for an assignment
    # whose first was already submitted; such later visits keep their data but lose the link.
    op.execute(
        "UPDATE inspections SET assignment_id = NULL WHERE assignment_id IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM inspections WHERE assignment_id IS NOT NULL GROUP BY assignment_id)"
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspections_assignment_id'), ['assignment_id'], unique=True)


def downgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspections_assignment_id'))
    op.drop_table('login_throttles')
    _create_login_throttles(keyed_by_client=False)
