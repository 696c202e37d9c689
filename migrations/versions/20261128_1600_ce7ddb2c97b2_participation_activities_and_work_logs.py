"""Participation activities and work logs: activities with their attendance by stakeholder group, closing
record and verification; residents' registrations (one seat per resident, UNIQUE) with check-in times; photos and
sign-in sheet scans; proposals made or discussed at an activity; planners' work logs.

Invariants are CHECK constraints: an activity ends after it starts, its capacity and head counts stay within
0..5000, a map point is complete, a work log has more than 0 and at most 24 hours.

Revision ID: ce7ddb2c97b2
Revises: 29b0e6d03c35
Create Date: 2026-11-28 15:19:28.274169

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ce7ddb2c97b2'
down_revision = '29b0e6d03c35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('activity_type', sa.String(length=40), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('venue', sa.String(length=100), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=True),
    sa.Column('checkin_code', sa.String(length=8), nullable=False),
    sa.Column('state', sa.Enum('planned', 'closed', 'returned', 'verified', name='activity_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('att_residents', sa.Integer(), nullable=False),
    sa.Column('att_committee', sa.Integer(), nullable=False),
    sa.Column('att_property', sa.Integer(), nullable=False),
    sa.Column('att_business', sa.Integer(), nullable=False),
    sa.Column('att_social_org', sa.Integer(), nullable=False),
    sa.Column('att_government', sa.Integer(), nullable=False),
    sa.Column('att_experts', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('return_comment', sa.Text(), nullable=False),
    sa.Column('reminded_registrants_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_3_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_7_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(lat IS NULL) = (lng IS NULL)', name=op.f('ck_activities_point_complete')),
    sa.CheckConstraint('att_business >= 0 AND att_business <= 5000', name=op.f('ck_activities_att_business_range')),
    sa.CheckConstraint('att_committee >= 0 AND att_committee <= 5000', name=op.f('ck_activities_att_committee_range')),
    sa.CheckConstraint('att_experts >= 0 AND att_experts <= 5000', name=op.f('ck_activities_att_experts_range')),
    sa.CheckConstraint('att_government >= 0 AND att_government <= 5000', name=op.f('ck_activities_att_government_range')),
    sa.CheckConstraint('att_property >= 0 AND att_property <= 5000', name=op.f('ck_activities_att_property_range')),
    sa.CheckConstraint('att_residents >= 0 AND att_residents <= 5000', name=op.f('ck_activities_att_residents_range')),
    sa.CheckConstraint('att_social_org >= 0 AND att_social_org <= 5000', name=op.f('ck_activities_att_social_org_range')),
    sa.CheckConstraint('capacity > 0 AND capacity <= 5000', name=op.f('ck_activities_capacity_range')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_activities_ends_after_start')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_activities_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f('fk_activities_community_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organiser_id'], ['users.id'], name=op.f('fk_activities_organiser_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_activities_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_community_starts', ['community_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index('ix_activities_public_starts', ['public', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_state'), ['state'], unique=False)

    op.create_table('activity_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('photo', 'sign_in_sheet', name='activity_file_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_files_activity_id_activities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_activity_files_storage_key'))
    )
    with op.batch_alter_table('activity_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_files_activity_id'), ['activity_id'], unique=False)

    op.create_table('activity_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('created_here', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_proposals_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_activity_proposals_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_proposals')),
    sa.UniqueConstraint('activity_id', 'proposal_id', name='uq_activity_proposals_once')
    )
    with op.batch_alter_table('activity_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_proposals_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('activity_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_registrations_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_registrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_registrations')),
    sa.UniqueConstraint('activity_id', 'user_id', name='uq_activity_registrations_once')
    )
    with op.batch_alter_table('activity_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('work_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('kind', sa.Enum('on_site', 'survey', 'meeting', 'review', 'activity', name='work_log_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hours > 0 AND hours <= 24', name=op.f('ck_work_logs_hours_range')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_work_logs_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_work_logs_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f('fk_work_logs_community_id_places'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_logs'))
    )
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_logs_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index('ix_work_logs_author_day', ['author_id', 'work_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_logs_community_id'), ['community_id'], unique=False)


def downgrade():
    with op.batch_alter_table('work_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_logs_community_id'))
        batch_op.drop_index('ix_work_logs_author_day')
        batch_op.drop_index(batch_op.f('ix_work_logs_activity_id'))

    op.drop_table('work_logs')
    with op.batch_alter_table('activity_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_registrations_user_id'))

    op.drop_table('activity_registrations')
    with op.batch_alter_table('activity_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_proposals_proposal_id'))

    op.drop_table('activity_proposals')
    with op.batch_alter_table('activity_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_files_activity_id'))

    op.drop_table('activity_files')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_state'))
        batch_op.drop_index('ix_activities_public_starts')
        batch_op.drop_index(batch_op.f('ix_activities_organiser_id'))
        batch_op.drop_index(batch_op.f('ix_activities_ends_at'))
        batch_op.drop_index('ix_activities_community_starts')

    op.drop_table('activities')
