"""Activity history: one row for every state change of an activity (planned, closed, returned, verified), with
who made it, when, and the office's comment when it returned the closing record.

Activities planned before this revision get no invented rows: their history starts with their next step, and
their closed_at and verified_at columns still date the steps they took before.

Revision ID: b3a7c5809fe3
Revises: ce7ddb2c97b2
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3a7c5809fe3'
down_revision = 'ce7ddb2c97b2'
branch_labels = None
depends_on = None

STATES = ('planned', 'closed', 'returned', 'verified')


def upgrade():
    op.create_table('activity_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum(*STATES, name='activity_from_state', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('to_state', sa.Enum(*STATES, name='activity_to_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_events_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_activity_events_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_events'))
    )
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_events_activity_id'), ['activity_id'], unique=False)


def downgrade():
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_events_activity_id'))

    op.drop_table('activity_events')
