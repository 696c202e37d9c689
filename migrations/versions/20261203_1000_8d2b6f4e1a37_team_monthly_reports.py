"""Reports: the planner team's monthly report, one per holder (a team, or a planner holding a term in their own
name), sub-district and month (UNIQUE, so the monthly drafting job may run twice), with its figures as read, the
team's text, its deadline and a version for optimistic locking; and the history of its steps.

Revision ID: 8d2b6f4e1a37
Revises: 3f9a7c21d4e8
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8d2b6f4e1a37'
down_revision = '3f9a7c21d4e8'
branch_labels = None
depends_on = None

STATES = ('draft', 'submitted', 'returned', 'accepted')


def upgrade():
    op.create_table('team_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('planner_id', sa.Integer(), nullable=True),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='report_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('figures_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('escalations', sa.Text(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(team_id IS NULL) <> (planner_id IS NULL)', name=op.f('ck_team_reports_team_or_planner')),
    sa.ForeignKeyConstraint(['planner_id'], ['planner_profiles.id'], name=op.f('fk_team_reports_planner_id_planner_profiles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['places.id'], name=op.f('fk_team_reports_subdistrict_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_reports_team_id_teams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_reports')),
    sa.UniqueConstraint('planner_id', 'subdistrict_id', 'month', name='uq_team_reports_planner_month'),
    sa.UniqueConstraint('team_id', 'subdistrict_id', 'month', name='uq_team_reports_team_month')
    )
    with op.batch_alter_table('team_reports', schema=None) as batch_op:
        for column in ('month', 'planner_id', 'subdistrict_id', 'team_id'):
            batch_op.create_index(batch_op.f(f'ix_team_reports_{column}'), [column], unique=False)

    op.create_table('team_report_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum(*STATES, name='report_from_state', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('to_state', sa.Enum(*STATES, name='report_to_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_team_report_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['team_reports.id'], name=op.f('fk_team_report_events_report_id_team_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_report_events'))
    )
    with op.batch_alter_table('team_report_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_report_events_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('team_report_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_report_events_report_id'))
    op.drop_table('team_report_events')
    with op.batch_alter_table('team_reports', schema=None) as batch_op:
        for column in ('month', 'planner_id', 'subdistrict_id', 'team_id'):
            batch_op.drop_index(batch_op.f(f'ix_team_reports_{column}'))
    op.drop_table('team_reports')
