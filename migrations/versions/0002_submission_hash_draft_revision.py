"""submission hash, draft revision, photo source hash

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:34:30.814782

"""
from alembic import op
import sqlalchemy as sa

import inspect_app.db


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_hash', sa.String(length=64), nullable=True))
        # Existing rows start at revision 0; the default is only for them.
        batch_op.add_column(sa.Column('draft_revision', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.alter_column('draft_revision', server_default=None)

    # Photos stored before this revision never had their upload hashed: their stored
    # hash is the best stand-in (a retry of such an old upload is vanishingly unlikely).
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))
    op.execute("UPDATE photos SET source_sha256 = sha256")
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.alter_column('source_sha256', existing_type=sa.String(length=64), nullable=False)



def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('source_sha256')

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('draft_revision')
        batch_op.drop_column('submission_hash')

