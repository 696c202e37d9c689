"""Monitoring: export jobs. A list too long to download at once is built into a file by a worker; the row holds what
was asked, the progress and the file, which only the requester may download until it expires. A partial unique
index keeps one job per requester and list while it is being built.

Revision ID: 3f9a7c21d4e8
Revises: a4c9e1d07b3f
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f9a7c21d4e8'
down_revision = 'a4c9e1d07b3f'
branch_labels = None
depends_on = None

ACTIVE = "state IN ('queued', 'running')"


def upgrade():
    op.create_table('export_jobs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('list_kind', sa.String(length=40), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('last_month', sa.Date(), nullable=False),
    sa.Column('file_kind', sa.String(length=8), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'ready', 'failed', 'expired', name='export_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("file_kind IN ('csv', 'xlsx')", name=op.f('ck_export_jobs_file_kind')),
    sa.CheckConstraint('rows_done >= 0 AND rows_done <= rows_total', name=op.f('ck_export_jobs_progress_range')),
    sa.CheckConstraint('last_month >= first_month', name=op.f('ck_export_jobs_period_order')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_export_jobs_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_export_jobs_requester_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('uq_export_jobs_active', ['requester_id', 'fingerprint'], unique=True,
                              postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_export_jobs_active', postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
        batch_op.drop_index(batch_op.f('ix_export_jobs_requester_id'))
    op.drop_table('export_jobs')
