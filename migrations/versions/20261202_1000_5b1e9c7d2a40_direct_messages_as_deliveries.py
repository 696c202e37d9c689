"""Direct messages (reset links, invitations) become delivery rows, and a delivery can have an unknown outcome.

A delivery goes either to a user (recipient_id) or to an address (a direct message), never both, never neither;
a direct message has at most one row per event (partial unique index: NULL recipients are distinct in the
(event, recipient, channel) key). The delivery state gains `unknown`: a worker stopped while sending an email
that cannot safely be sent twice.

Revision ID: 5b1e9c7d2a40
Revises: b3a7c5809fe3
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b1e9c7d2a40'
down_revision = 'b3a7c5809fe3'
branch_labels = None
depends_on = None

STATES = ['pending', 'digest', 'sending', 'sent', 'retry', 'failed', 'skipped']


def _state_type(states):
    return sa.Enum(*states, name='delivery_state', native_enum=False, create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=254), nullable=True))
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f('ck_notifications_delivery_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notifications_delivery_state'),
                                         sa.column('state').in_(STATES + ['unknown']))
        batch_op.create_check_constraint(op.f('ck_notifications_recipient_or_address'),
                                         '(recipient_id IS NULL) <> (address IS NULL)')
        batch_op.create_index('uq_notifications_direct_message', ['event_id'], unique=True,
                              postgresql_where=sa.text('recipient_id IS NULL'),
                              sqlite_where=sa.text('recipient_id IS NULL'))


def downgrade():
    op.execute("DELETE FROM notifications WHERE recipient_id IS NULL")
    op.execute("UPDATE notifications SET state = 'failed' WHERE state = 'unknown'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('uq_notifications_direct_message', postgresql_where=sa.text('recipient_id IS NULL'),
                            sqlite_where=sa.text('recipient_id IS NULL'))
        batch_op.drop_constraint(op.f('ck_notifications_recipient_or_address'), type_='check')
        batch_op.drop_constraint(op.f('ck_notifications_delivery_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_notifications_delivery_state'), sa.column('state').in_(STATES))
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('address')
