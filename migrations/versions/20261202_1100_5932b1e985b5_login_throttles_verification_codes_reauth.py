"""Failed logins counted per login identifier (login_throttles) instead of on the user row, codes that prove a
phone number or email address (verification_codes), and the time the password was last entered in a session.

Both new tables hold HMACs only, never a phone number, an email address or a code. The users' old lockout
columns go: the counter on the row lost increments under concurrency and existed only for accounts (which told
attackers which numbers have one). Sessions open before the upgrade count their creation as the password entry.

Revision ID: 5932b1e985b5
Revises: 5b1e9c7d2a40
Create Date: 2026-12-02 11:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5932b1e985b5'
down_revision = '5b1e9c7d2a40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failure_count', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failure_count >= 0', name=op.f('ck_login_throttles_failure_count_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('key', name=op.f('uq_login_throttles_key'))
    )

    op.create_table('verification_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('register', 'phone', 'email', name='code_purpose', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('target_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sends', sa.Integer(), nullable=False),
    sa.Column('sends_since', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_verification_codes_attempts_not_negative')),
    sa.CheckConstraint('sends > 0', name=op.f('ck_verification_codes_sends_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_codes')),
    sa.UniqueConstraint('purpose', 'target_hash', name='uq_verification_codes_target')
    )

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_verified_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE user_sessions SET password_verified_at = created_at')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.alter_column('password_verified_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_failed_login_count_not_negative'), type_='check')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('first_failed_login_at')
        batch_op.drop_column('failed_login_count')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_login_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('first_failed_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_users_failed_login_count_not_negative'),
                                         'failed_login_count >= 0')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('failed_login_count', existing_type=sa.Integer(), server_default=None)

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('password_verified_at')

    op.drop_table('verification_codes')

    op.drop_table('login_throttles')
