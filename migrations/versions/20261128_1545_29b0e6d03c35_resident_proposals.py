"""Resident proposals: proposals with their history, supports, comments and reports, internal notes, photos;
the working-day calendar; the districts' proposal rules.

Search: PostgreSQL indexes the stored bigrams (search_text) as a tsvector with GIN, so a search reads the index;
SQLite has no such index and scans (the embedded default serves one office).

Revision ID: 29b0e6d03c35
Revises: c67160812e75
Create Date: 2026-11-28 15:13:27.094342

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '29b0e6d03c35'
down_revision = 'c67160812e75'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('working_calendar',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_working_calendar'))
    )
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=100), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('channel', sa.Enum('online', 'offline', 'hotline', 'council', 'activity', name='proposal_channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'accepted', 'assessing', 'consulting', 'not_accepted', 'adopted', 'merged', 'referred', 'declined', 'withdrawn', 'closed', name='proposal_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_name', sa.String(length=50), nullable=True),
    sa.Column('on_behalf_phone', sa.String(length=20), nullable=True),
    sa.Column('consent_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('satisfaction_comment', sa.String(length=500), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state <> 'merged' OR merged_into_id IS NOT NULL", name=op.f('ck_proposals_merged_has_target')),
    sa.CheckConstraint('(lat IS NULL) = (lng IS NULL)', name=op.f('ck_proposals_point_complete')),
    sa.CheckConstraint('author_id IS NOT NULL OR on_behalf_name IS NOT NULL', name=op.f('ck_proposals_has_a_proposer')),
    sa.CheckConstraint('on_behalf_name IS NULL OR consent_recorded_at IS NOT NULL', name=op.f('ck_proposals_offline_has_consent')),
    sa.CheckConstraint('satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5', name=op.f('ck_proposals_satisfaction_range')),
    sa.CheckConstraint('support_count >= 0 AND comment_count >= 0', name=op.f('ck_proposals_counters_non_negative')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_proposals_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposals_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f('fk_proposals_community_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_proposals_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['proposals.id'], name=op.f('fk_proposals_merged_into_id_proposals'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_proposals_comment_order', ['comment_count', 'id'], unique=False)
        batch_op.create_index('ix_proposals_community_state', ['community_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_proposals_point', ['lat', 'lng'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_state'), ['state'], unique=False)
        batch_op.create_index('ix_proposals_submitted_order', ['submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_proposals_support_order', ['support_count', 'id'], unique=False)

    op.create_table('proposal_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.String(length=500), nullable=False),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_proposal_comments_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_comments_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comments'))
    )
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.create_index('ix_proposal_comments_thread', ['proposal_id', 'id'], unique=False)

    op.create_table('proposal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum('draft', 'submitted', 'accepted', 'assessing', 'consulting', 'not_accepted', 'adopted', 'merged', 'referred', 'declined', 'withdrawn', 'closed', name='proposal_from_state', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('to_state', sa.Enum('draft', 'submitted', 'accepted', 'assessing', 'consulting', 'not_accepted', 'adopted', 'merged', 'referred', 'declined', 'withdrawn', 'closed', name='proposal_to_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_proposal_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_events_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_events'))
    )
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_events_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_proposal_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_notes_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_notes'))
    )
    with op.batch_alter_table('proposal_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_notes_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_photos_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_photos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_proposal_photos_storage_key'))
    )
    with op.batch_alter_table('proposal_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_photos_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_supports_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proposal_supports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_supports')),
    sa.UniqueConstraint('proposal_id', 'user_id', name='uq_proposal_supports_once')
    )
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_supports_user_id'), ['user_id'], unique=False)

    op.create_table('proposal_comment_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['proposal_comments.id'], name=op.f('fk_proposal_comment_reports_comment_id_proposal_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_proposal_comment_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_comment_reports')),
    sa.UniqueConstraint('comment_id', 'reporter_id', name='uq_proposal_comment_reports_once')
    )
    with op.batch_alter_table('proposal_comment_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_comment_reports_reporter_id'), ['reporter_id'], unique=False)

    with op.batch_alter_table('policy_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal_rules', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_proposals_search ON proposals USING gin ((search_text::tsvector))")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_proposals_search")
    with op.batch_alter_table('policy_profiles', schema=None) as batch_op:
        batch_op.drop_column('proposal_rules')

    with op.batch_alter_table('proposal_comment_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_comment_reports_reporter_id'))

    op.drop_table('proposal_comment_reports')
    with op.batch_alter_table('proposal_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_supports_user_id'))

    op.drop_table('proposal_supports')
    with op.batch_alter_table('proposal_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_photos_proposal_id'))

    op.drop_table('proposal_photos')
    with op.batch_alter_table('proposal_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_notes_proposal_id'))

    op.drop_table('proposal_notes')
    with op.batch_alter_table('proposal_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_events_proposal_id'))

    op.drop_table('proposal_events')
    with op.batch_alter_table('proposal_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_proposal_comments_thread')

    op.drop_table('proposal_comments')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index('ix_proposals_support_order')
        batch_op.drop_index('ix_proposals_submitted_order')
        batch_op.drop_index(batch_op.f('ix_proposals_state'))
        batch_op.drop_index('ix_proposals_point')
        batch_op.drop_index(batch_op.f('ix_proposals_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_due_on'))
        batch_op.drop_index('ix_proposals_community_state')
        batch_op.drop_index('ix_proposals_comment_order')
        batch_op.drop_index(batch_op.f('ix_proposals_author_id'))
        batch_op.drop_index(batch_op.f('ix_proposals_assignee_id'))

    op.drop_table('proposals')
    op.drop_table('working_calendar')
