"""Place reports: the monthly reports of sub-districts and districts (scheduled, one per place and month: a partial
unique index) and the reports asked for a custom period, with their progress, their PDF and XLSX files' names,
sizes and SHA-256, and their retries.

Revision ID: b7e3f19a0c42
Revises: a4d2c8e61f05
Create Date: 2026-12-04 09:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e3f19a0c42'
down_revision = 'a4d2c8e61f05'
branch_labels = None
depends_on = None

SCHEDULED = "scheduled"


def upgrade():
    op.create_table('place_reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('scheduled', sa.Boolean(), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('last_month', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'ready', 'failed', 'expired', name='place_report_state',
                               native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('pdf_name', sa.String(length=64), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_bytes', sa.BigInteger(), nullable=True),
    sa.Column('xlsx_name', sa.String(length=64), nullable=True),
    sa.Column('xlsx_sha256', sa.String(length=64), nullable=True),
    sa.Column('xlsx_bytes', sa.BigInteger(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_month >= first_month', name=op.f('ck_place_reports_period_order')),
    sa.CheckConstraint("NOT scheduled OR (period_kind = 'month' AND first_month = last_month)",
                       name=op.f('ck_place_reports_scheduled_is_monthly')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_place_reports_progress_range')),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_reports_place_id_places'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_place_reports_requested_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_reports'))
    )
    with op.batch_alter_table('place_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_reports_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index('ix_place_reports_place_month', ['place_id', 'first_month'], unique=False)
        batch_op.create_index('uq_place_reports_monthly', ['place_id', 'first_month'], unique=True,
                              postgresql_where=sa.text(SCHEDULED), sqlite_where=sa.text(SCHEDULED))


def downgrade():
    with op.batch_alter_table('place_reports', schema=None) as batch_op:
        batch_op.drop_index('uq_place_reports_monthly', postgresql_where=sa.text(SCHEDULED),
                            sqlite_where=sa.text(SCHEDULED))
        batch_op.drop_index('ix_place_reports_place_month')
        batch_op.drop_index(batch_op.f('ix_place_reports_requested_by_id'))
    op.drop_table('place_reports')
