"""Monitoring: summary tables per community and month (counts and sums only, so every level above is a SUM), the
activity-type, response-time histogram, open-deadline, project-stage and coverage tables, planners' on-site time
per month, the answered proposals' response facts, and the dirty marks the refresh works from.

Revision ID: 7c4e2a91b5d3
Revises: b7d4e2a91c58
Create Date: 2026-12-02 14:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c4e2a91b5d3'
down_revision = 'b7d4e2a91c58'
branch_labels = None
depends_on = None

STAGES = ('need_collection', 'diagnosis', 'listed', 'co_design', 'public_notice', 'review', 'approved_funded',
          'construction', 'completed', 'operation', 'post_evaluation', 'suspended', 'cancelled')
MONTH_COUNTS = ('received', 'accepted', 'decided', 'adopted', 'resolved', 'rated', 'satisfied', 'responded_in_time',
                'responded_late', 'activities_held', 'att_residents', 'att_committee', 'att_property', 'att_business',
                'att_social_org', 'att_government', 'att_experts', 'reviews_signed')


def _community(table):
    return [sa.Column('community_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f(f'fk_{table}_community_id_places'),
                                    ondelete='CASCADE')]


def upgrade():
    op.create_table('stats_community_month',
    *_community('stats_community_month'),
    sa.Column('month', sa.Date(), nullable=False),
    *[sa.Column(name, sa.Integer(), nullable=False) for name in MONTH_COUNTS],
    sa.Column('review_seconds', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', 'month', name=op.f('pk_stats_community_month'))
    )
    op.create_table('stats_activity_type_month',
    *_community('stats_activity_type_month'),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('activity_type', sa.String(length=40), nullable=False),
    sa.Column('activities', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', 'month', 'activity_type', name=op.f('pk_stats_activity_type_month'))
    )
    op.create_table('stats_response_days',
    *_community('stats_response_days'),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('proposals', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', 'month', 'working_days', name=op.f('pk_stats_response_days'))
    )
    op.create_table('stats_open_due',
    *_community('stats_open_due'),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('step', sa.String(length=8), nullable=False),
    sa.Column('proposals', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', 'due_on', 'step', name=op.f('pk_stats_open_due'))
    )
    op.create_table('stats_project_stage',
    *_community('stats_project_stage'),
    sa.Column('stage', sa.Enum(*STAGES, name='stats_project_stage', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('since_day_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', 'stage', name=op.f('pk_stats_project_stage'))
    )
    op.create_table('stats_coverage',
    *_community('stats_coverage'),
    sa.Column('has_lead', sa.Integer(), nullable=False),
    sa.Column('assistants', sa.Integer(), nullable=False),
    sa.Column('pending_appointments', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_stats_coverage'))
    )
    op.create_table('stats_planner_month',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('onsite_days', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stats_planner_month_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'month', name=op.f('pk_stats_planner_month'))
    )
    op.create_table('stats_proposal_response',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    *_community('stats_proposal_response'),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('responded_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_stats_proposal_response_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_stats_proposal_response'))
    )
    op.create_index(op.f('ix_stats_proposal_response_community_id'), 'stats_proposal_response', ['community_id'], unique=False)
    op.create_table('stats_dirty_communities',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_stats_dirty_communities'))
    )
    op.create_table('stats_dirty_planner_months',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'month', name=op.f('pk_stats_dirty_planner_months'))
    )
    op.create_table('stats_state',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stats_state'))
    )
    # Every existing record counts from the start: the first refresh recomputes every community.
    op.execute("INSERT INTO stats_dirty_communities (community_id, version) "
               "SELECT id, 1 FROM places WHERE level = 'community'")


def downgrade():
    op.drop_table('stats_state')
    op.drop_table('stats_dirty_planner_months')
    op.drop_table('stats_dirty_communities')
    op.drop_index(op.f('ix_stats_proposal_response_community_id'), table_name='stats_proposal_response')
    op.drop_table('stats_proposal_response')
    op.drop_table('stats_planner_month')
    op.drop_table('stats_coverage')
    op.drop_table('stats_project_stage')
    op.drop_table('stats_open_due')
    op.drop_table('stats_response_days')
    op.drop_table('stats_activity_type_month')
    op.drop_table('stats_community_month')
