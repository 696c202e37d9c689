"""The larger-text switch: the text size a person chose for the interface, kept on their account (NULL until they
choose; a browser's choice before signing in is a cookie).

Revision ID: a9e3c5d7f2b4
Revises: a3c7e9b5d1f2
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9e3c5d7f2b4'
down_revision = 'a3c7e9b5d1f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_size', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_users_text_size_known'),
                                         "text_size IN ('standard', 'large')")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_text_size_known'), type_='check')
        batch_op.drop_column('text_size')
