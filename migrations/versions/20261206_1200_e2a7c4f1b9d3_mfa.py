"""Accounts: second factors. A user's authenticator (TOTP secret, confirmation, last accepted time step, grace
logins of staff before enrolling) and their one-time recovery codes, stored as HMACs.

Revision ID: e2a7c4f1b9d3
Revises: d8f2a6c41b93
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2a7c4f1b9d3'
down_revision = 'd8f2a6c41b93'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mfa_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_counter', sa.BigInteger(), nullable=True),
    sa.Column('grace_logins_used', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('confirmed_at IS NULL OR secret IS NOT NULL', name=op.f('ck_mfa_settings_confirmed_has_secret')),
    sa.CheckConstraint('grace_logins_used >= 0', name=op.f('ck_mfa_settings_grace_logins_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mfa_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_settings')),
    sa.UniqueConstraint('user_id', name=op.f('uq_mfa_settings_user_id'))
    )
    op.create_table('mfa_recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mfa_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_mfa_recovery_codes_code_hash'))
    )
    with op.batch_alter_table('mfa_recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mfa_recovery_codes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('mfa_recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mfa_recovery_codes_user_id'))
    op.drop_table('mfa_recovery_codes')
    op.drop_table('mfa_settings')
