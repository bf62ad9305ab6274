"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 21:17:18.471033

"""
from alembic import op
import sqlalchemy as sa

import inspect_app.db


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # checklists and checklist_versions refer to each other. SQLite takes the
    # forward reference inline; PostgreSQL gets it with ALTER TABLE once both exist.
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    active_version_fk = (
        [sa.ForeignKeyConstraint(['active_version_id'], ['checklist_versions.id'], name=op.f('fk_checklists_active_version_id_checklist_versions'))]
        if is_sqlite
        else []
    )
    op.create_table('checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('active_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    *active_version_fk,
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklists')),
    sa.UniqueConstraint('key', name=op.f('uq_checklists_key'))
    )
    op.create_table('login_throttles',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('failure_count', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttles'))
    )
    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('code', name=op.f('uq_regions_code'))
    )
    op.create_table('stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_stores_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stores')),
    sa.UniqueConstraint('code', name=op.f('uq_stores_code'))
    )
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stores_region_id'), ['region_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'reviewer', 'inspector', 'manager', 'hr', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('username = lower(username)', name=op.f('ck_users_username_lowercase')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_users_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('time_slot', sa.Enum('peak', 'off_peak', name='time_slot', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('status', sa.Enum('planned', 'published', 'in_progress', 'done', 'cancelled', name='assignment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('window_end >= window_start', name=op.f('ck_assignments_window_ordered')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_assignments_checklist_id_checklists')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assignments_created_by_id_users')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_assignments_inspector_id_users')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_assignments_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignments_inspector_status', ['inspector_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_store_id'), ['store_id'], unique=False)

    op.create_table('checklist_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklists.id'], name=op.f('fk_checklist_versions_checklist_id_checklists')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_checklist_versions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_versions')),
    sa.UniqueConstraint('checklist_id', 'content_hash', name=op.f('uq_checklist_versions_checklist_id_content_hash')),
    sa.UniqueConstraint('checklist_id', 'number', name=op.f('uq_checklist_versions_checklist_id_number'))
    )
    if not is_sqlite:
        op.create_foreign_key(op.f('fk_checklists_active_version_id_checklist_versions'), 'checklists', 'checklist_versions', ['active_version_id'], ['id'])
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=100), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('left_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_staff_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('employee_no', name=op.f('uq_staff_employee_no'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_store_id'), ['store_id'], unique=False)

    op.create_table('user_regions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_user_regions_region_id_regions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_regions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_id', name=op.f('pk_user_regions'))
    )
    op.create_table('user_stores',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_user_stores_store_id_stores'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_stores_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'store_id', name=op.f('pk_user_stores'))
    )
    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('checklist_version_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'approved', name='inspection_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('visit_started_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('visit_ended_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('visit_date', sa.Date(), nullable=True),
    sa.Column('waiting_minutes', sa.Integer(), nullable=True),
    sa.Column('counter_no', sa.String(length=32), nullable=True),
    sa.Column('score_percent', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.Column('points_earned', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.Column('points_possible', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.Column('is_vetoed', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score_percent IS NULL OR (score_percent >= 0 AND score_percent <= 100)', name=op.f('ck_inspections_score_percent_range')),
    sa.CheckConstraint('visit_ended_at IS NULL OR visit_started_at IS NULL OR visit_ended_at >= visit_started_at', name=op.f('ck_inspections_visit_times_ordered')),
    sa.CheckConstraint('waiting_minutes IS NULL OR waiting_minutes >= 0', name=op.f('ck_inspections_waiting_nonneg')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_inspections_approved_by_id_users')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_inspections_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['checklist_version_id'], ['checklist_versions.id'], name=op.f('fk_inspections_checklist_version_id_checklist_versions')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_inspections_inspector_id_users')),
    sa.ForeignKeyConstraint(['store_id'], ['stores.id'], name=op.f('fk_inspections_store_id_stores')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections')),
    sa.UniqueConstraint('uuid', name=op.f('uq_inspections_uuid'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_inspector_status', ['inspector_id', 'status'], unique=False)
        batch_op.create_index('ix_inspections_status_visit_date_store', ['status', 'visit_date', 'store_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspections_store_id'), ['store_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('points_earned', sa.Numeric(precision=9, scale=3), nullable=False),
    sa.Column('points_possible', sa.Numeric(precision=9, scale=3), nullable=False),
    sa.Column('is_not_applicable', sa.Boolean(), nullable=False),
    sa.Column('is_failed', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('employee_no', sa.String(length=32), nullable=True),
    sa.Column('updated_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('NOT is_not_applicable OR (points_possible = 0 AND points_earned = 0)', name=op.f('ck_answers_na_scores_nothing')),
    sa.CheckConstraint('points_earned >= 0 AND points_earned <= points_possible', name=op.f('ck_answers_earned_in_range')),
    sa.CheckConstraint('points_possible >= 0', name=op.f('ck_answers_possible_nonneg')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_answers_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_answers_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sa.UniqueConstraint('inspection_id', 'item_id', name=op.f('uq_answers_inspection_id_item_id'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_employee_no', ['employee_no'], unique=False)
        batch_op.create_index('ix_answers_staff_id', ['staff_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_audit_events_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('section_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.String(length=64), nullable=False),
    sa.Column('points_earned', sa.Numeric(precision=9, scale=3), nullable=False),
    sa.Column('points_possible', sa.Numeric(precision=9, scale=3), nullable=False),
    sa.Column('percent', sa.Numeric(precision=6, scale=3), nullable=True),
    sa.CheckConstraint('points_earned >= 0 AND points_earned <= points_possible', name=op.f('ck_section_scores_earned_in_range')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_section_scores_inspection_id_inspections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section_scores')),
    sa.UniqueConstraint('inspection_id', 'section_id', name=op.f('uq_section_scores_inspection_id_section_id'))
    )
    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'upheld', 'rejected', name='appeal_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'open') = (decided_at IS NULL)", name=op.f('ck_appeals_decided_iff_closed')),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_appeals_answer_id_answers')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_appeals_filed_by_id_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_appeals_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('uq_appeals_open_per_answer', ['answer_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('corrective_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'recorded', 'verified', 'not_verified', name='action_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verification_comment', sa.Text(), nullable=True),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_corrective_actions_answer_id_answers')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_corrective_actions_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_corrective_actions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_corrective_actions_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrective_actions')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_corrective_actions_answer_id'))
    )
    with op.batch_alter_table('corrective_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrective_actions_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_corrective_actions_status_due', ['status', 'due_date'], unique=False)

    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=True),
    sa.Column('purpose', sa.Enum('evidence', 'appeal', 'corrective_action', name='photo_purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=True),
    sa.Column('corrective_action_id', sa.Integer(), nullable=True),
    sa.Column('storage_key', sa.String(length=128), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=128), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('perceptual_hash', sa.String(length=16), nullable=False),
    sa.Column('captured_at', inspect_app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', inspect_app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('byte_size > 0', name=op.f('ck_photos_byte_size_positive')),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeals.id'], name=op.f('fk_photos_appeal_id_appeals')),
    sa.ForeignKeyConstraint(['corrective_action_id'], ['corrective_actions.id'], name=op.f('fk_photos_corrective_action_id_corrective_actions')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_photos_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_photos_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_photos_storage_key')),
    sa.UniqueConstraint('thumbnail_key', name=op.f('uq_photos_thumbnail_key')),
    sa.UniqueConstraint('uuid', name=op.f('uq_photos_uuid'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index('ix_photos_inspection_item', ['inspection_id', 'item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_perceptual_hash'), ['perceptual_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_sha256'), ['sha256'], unique=False)



def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_sha256'))
        batch_op.drop_index(batch_op.f('ix_photos_perceptual_hash'))
        batch_op.drop_index('ix_photos_inspection_item')

    op.drop_table('photos')
    with op.batch_alter_table('corrective_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_corrective_actions_status_due')
        batch_op.drop_index(batch_op.f('ix_corrective_actions_inspection_id'))

    op.drop_table('corrective_actions')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index('uq_appeals_open_per_answer', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_appeals_inspection_id'))

    op.drop_table('appeals')
    op.drop_table('section_scores')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index('ix_audit_events_object')
        batch_op.drop_index(batch_op.f('ix_audit_events_inspection_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_staff_id')
        batch_op.drop_index('ix_answers_employee_no')

    op.drop_table('answers')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspections_store_id'))
        batch_op.drop_index('ix_inspections_status_visit_date_store')
        batch_op.drop_index('ix_inspections_inspector_status')

    op.drop_table('inspections')
    op.drop_table('user_stores')
    op.drop_table('user_regions')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_store_id'))

    op.drop_table('staff')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('fk_checklists_active_version_id_checklist_versions'), 'checklists', type_='foreignkey')
    op.drop_table('checklist_versions')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_store_id'))
        batch_op.drop_index('ix_assignments_inspector_status')

    op.drop_table('assignments')
    op.drop_table('users')
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stores_region_id'))

    op.drop_table('stores')
    op.drop_table('regions')
    op.drop_table('login_throttles')
    op.drop_table('checklists')
