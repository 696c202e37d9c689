"""Residents report proposals as they report comments: one report per resident (UNIQUE), a counter that may not
go below zero, and the proposal's hidden/moderated stamps for the moderation queue.

Revision ID: 322fc385e461
Revises: 5932b1e985b5
Create Date: 2026-11-29 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '322fc385e461'
down_revision = '5932b1e985b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposal_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_reports_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_proposal_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_reports')),
    sa.UniqueConstraint('proposal_id', 'reporter_id', name='uq_proposal_reports_once')
    )
    with op.batch_alter_table('proposal_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_reports_reporter_id'), ['reporter_id'], unique=False)

    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moderated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposals_moderated_by_id_users'), 'users', ['moderated_by_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_proposals_report_count_non_negative'), 'report_count >= 0')


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_proposals_report_count_non_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_proposals_moderated_by_id_users'), type_='foreignkey')
        batch_op.drop_column('moderated_by_id')
        batch_op.drop_column('moderated_at')
        batch_op.drop_column('hidden_at')
        batch_op.drop_column('report_count')

    with op.batch_alter_table('proposal_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_reports_reporter_id'))
    op.drop_table('proposal_reports')
