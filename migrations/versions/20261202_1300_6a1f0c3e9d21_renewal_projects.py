"""Renewal projects: the project with its stage (the line of stages is the district's data, see projects.stages),
its stage history, the adopted proposals it grew from (a proposal grows into one project at most: UNIQUE), signed
review opinions (each answers one review round), photos (cover, before, after, progress), progress updates and the
activities held for it.

CHECKs: a non-negative estimate (integer fen, never floats), a suspended project knows the stage it resumes, only a
progress photo belongs to an update.

Revision ID: 6a1f0c3e9d21
Revises: 322fc385e461
Create Date: 2026-12-02 13:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6a1f0c3e9d21'
down_revision = '322fc385e461'
branch_labels = None
depends_on = None

STAGES = ('need_collection', 'diagnosis', 'listed', 'co_design', 'public_notice', 'review', 'approved_funded',
          'construction', 'completed', 'operation', 'post_evaluation', 'suspended', 'cancelled')


def upgrade():
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('site', sa.String(length=100), nullable=False),
    sa.Column('lead_planner_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('implementer', sa.String(length=120), nullable=False),
    sa.Column('implementer_account_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum(*STAGES, name='project_stage', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('stage_since', sa.Date(), nullable=False),
    sa.Column('resume_state', sa.Enum(*STAGES, name='project_resume_stage', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('evaluation_due_on', sa.Date(), nullable=True),
    sa.Column('evaluation_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('budget_estimate_fen', sa.BigInteger(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state <> 'suspended' OR resume_state IS NOT NULL", name=op.f('ck_projects_suspended_knows_where_it_was')),
    sa.CheckConstraint('budget_estimate_fen >= 0', name=op.f('ck_projects_estimate_non_negative')),
    sa.CheckConstraint('comment_count >= 0', name=op.f('ck_projects_comment_count_non_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f('fk_projects_community_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_projects_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['implementer_account_id'], ['users.id'], name=op.f('fk_projects_implementer_account_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_planner_id'], ['users.id'], name=op.f('fk_projects_lead_planner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_id'], ['places.id'], name=op.f('fk_projects_owner_id_places'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_community_state', ['community_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_evaluation_due_on'), ['evaluation_due_on'], unique=False)
        batch_op.create_index('ix_projects_lead_state', ['lead_planner_id', 'state'], unique=False)
        batch_op.create_index('ix_projects_owner_state', ['owner_id', 'state', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_state'), ['state'], unique=False)

    op.create_table('project_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_project_activities_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_activities_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_activities')),
    sa.UniqueConstraint('project_id', 'activity_id', name='uq_project_activities_once')
    )
    with op.batch_alter_table('project_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_activities_activity_id'), ['activity_id'], unique=False)

    op.create_table('project_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum(*STAGES, name='project_from_stage', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('to_state', sa.Enum(*STAGES, name='project_to_stage', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_project_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_events_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_events'))
    )
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_events_project_id'), ['project_id'], unique=False)

    op.create_table('project_origins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_origins_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_project_origins_proposal_id_proposals'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_origins')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_project_origins_proposal_id'))
    )
    with op.batch_alter_table('project_origins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_origins_project_id'), ['project_id'], unique=False)

    op.create_table('project_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_project_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_updates_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_updates'))
    )
    with op.batch_alter_table('project_updates', schema=None) as batch_op:
        batch_op.create_index('ix_project_updates_project', ['project_id', 'id'], unique=False)

    op.create_table('project_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('cover', 'before', 'after', 'update', name='project_photo_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'update') = (update_id IS NOT NULL)", name=op.f('ck_project_photos_update_photo_has_update')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_photos_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['update_id'], ['project_updates.id'], name=op.f('fk_project_photos_update_id_project_updates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_project_photos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_photos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_project_photos_storage_key'))
    )
    with op.batch_alter_table('project_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_photos_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_photos_update_id'), ['update_id'], unique=False)

    op.create_table('project_review_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('agree', 'agree_with_changes', 'disagree', name='review_verdict', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('review_event_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_project_review_opinions_opinion_has_text')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_review_opinions_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_event_id'], ['project_events.id'], name=op.f('fk_project_review_opinions_review_event_id_project_events'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_project_review_opinions_signer_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_review_opinions'))
    )
    with op.batch_alter_table('project_review_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_review_opinions_project_id'), ['project_id'], unique=False)



def downgrade():
    with op.batch_alter_table('project_review_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_review_opinions_project_id'))

    op.drop_table('project_review_opinions')
    with op.batch_alter_table('project_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_photos_update_id'))
        batch_op.drop_index(batch_op.f('ix_project_photos_project_id'))

    op.drop_table('project_photos')
    with op.batch_alter_table('project_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_project_updates_project')

    op.drop_table('project_updates')
    with op.batch_alter_table('project_origins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_origins_project_id'))

    op.drop_table('project_origins')
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_events_project_id'))

    op.drop_table('project_events')
    with op.batch_alter_table('project_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_activities_activity_id'))

    op.drop_table('project_activities')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_state'))
        batch_op.drop_index('ix_projects_owner_state')
        batch_op.drop_index('ix_projects_lead_state')
        batch_op.drop_index(batch_op.f('ix_projects_evaluation_due_on'))
        batch_op.drop_index('ix_projects_community_state')

    op.drop_table('projects')
