"""Personal data rights: consents by purpose (one live row per person and purpose), a person's own data exports
bound to the session that asked, and accounts scheduled for deletion or deleted (a deleted account keeps its row,
without contacts, so its phone and email are free for a new registration).

Revision ID: d8f2a6c41b93
Revises: e7c2a9d4b1f3
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd8f2a6c41b93'
down_revision = 'e7c2a9d4b1f3'
branch_labels = None
depends_on = None

ACTIVE = "state IN ('queued', 'running')"
LIVE = "withdrawn_at IS NULL"
PURPOSES = "purpose IN ('account', 'sms', 'name_publication', 'research')"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deletion_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_users_has_phone_or_email'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_has_phone_or_email'),
                                         'phone IS NOT NULL OR email IS NOT NULL OR deleted_at IS NOT NULL')
        batch_op.create_check_constraint(batch_op.f('ck_users_deleted_is_disabled'),
                                         'deleted_at IS NULL OR NOT is_enabled')

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_consents_known_purpose'), PURPOSES)
        batch_op.create_index('uq_consents_live', ['user_id', 'purpose'], unique=True,
                              postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))

    op.create_table('data_exports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('queued', 'running', 'ready', 'failed', 'expired', name='data_export_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('sections_total', sa.Integer(), nullable=False),
    sa.Column('sections_done', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('sections_done >= 0 AND sections_done <= sections_total', name=op.f('ck_data_exports_progress_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_data_exports_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['user_sessions.id'], name=op.f('fk_data_exports_session_id_user_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports'))
    )
    with op.batch_alter_table('data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_data_exports_active', ['user_id'], unique=True,
                              postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade():
    op.drop_table('data_exports')

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('uq_consents_live', postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))
        batch_op.drop_constraint(batch_op.f('ck_consents_known_purpose'), type_='check')

    # A database holding deleted accounts (no contacts) cannot go back: the old constraint refuses their rows.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_deleted_is_disabled'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_has_phone_or_email'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_has_phone_or_email'),
                                         'phone IS NOT NULL OR email IS NOT NULL')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('deletion_due_at')
