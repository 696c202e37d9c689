"""The TOTP secrets of authenticators are encrypted at rest (DATA_ENCRYPTION_KEYS, planner_platform/core/crypto.py):
the column widens to hold a Fernet token, and the secrets already stored are encrypted under the app's first key,
read from the configuration as the app reads it. Downgrade decrypts them (with any of the keys) and narrows the
column again.

Revision ID: a3c7e9b5d1f2
Revises: f4b8c2d6a1e7
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa

from planner_platform.core.crypto import decrypt, encrypt


# revision identifiers, used by Alembic.
revision = 'a3c7e9b5d1f2'
down_revision = 'f4b8c2d6a1e7'
branch_labels = None
depends_on = None

#: A base32 secret of up to 64 characters, and the length of its Fernet token (core.crypto.token_length(64)).
PLAIN, TOKEN = 64, 184
settings = sa.table('mfa_settings', sa.column('id', sa.Integer), sa.column('secret', sa.String))


def _recode(change) -> None:
    """Replace every stored secret by change(secret), in one statement per row on the migration's transaction."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(settings.c.id, settings.c.secret).where(settings.c.secret.is_not(None))).all()
    if rows:
        bind.execute(settings.update().where(settings.c.id == sa.bindparam('row_id'))
                     .values(secret=sa.bindparam('new_secret')),
                     [{'row_id': row_id, 'new_secret': change(secret)} for row_id, secret in rows])


def upgrade():
    with op.batch_alter_table('mfa_settings', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=PLAIN), type_=sa.String(length=TOKEN),
                              existing_nullable=True)
    _recode(encrypt)


def downgrade():
    _recode(decrypt)
    with op.batch_alter_table('mfa_settings', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=TOKEN), type_=sa.String(length=PLAIN),
                              existing_nullable=True)
