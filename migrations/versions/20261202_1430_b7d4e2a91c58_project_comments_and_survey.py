"""Residents on a project: public-notice comments with their reports (the same columns and constraints as the
proposals' comments: one report per resident, UNIQUE), and the post-evaluation survey, answered once per resident
(UNIQUE), satisfaction 1–5 and a short comment checked by the database.

Revision ID: b7d4e2a91c58
Revises: 8c4d2e7f1a90
Create Date: 2026-12-02 14:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d4e2a91c58'
down_revision = '8c4d2e7f1a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.String(length=500), nullable=False),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_project_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_project_comments_moderated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_comments_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_comments'))
    )
    with op.batch_alter_table('project_comments', schema=None) as batch_op:
        batch_op.create_index('ix_project_comments_thread', ['project_id', 'id'], unique=False)

    op.create_table('project_comment_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['project_comments.id'], name=op.f('fk_project_comment_reports_comment_id_project_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_project_comment_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_comment_reports')),
    sa.UniqueConstraint('comment_id', 'reporter_id', name='uq_project_comment_reports_once')
    )
    with op.batch_alter_table('project_comment_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_comment_reports_reporter_id'), ['reporter_id'], unique=False)

    op.create_table('project_survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('need_met', sa.Enum('yes', 'partly', 'no', name='survey_need_met', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('satisfaction BETWEEN 1 AND 5', name=op.f('ck_project_survey_responses_satisfaction_range')),
    sa.CheckConstraint('length(comment) <= 500', name=op.f('ck_project_survey_responses_comment_length')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_survey_responses_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_survey_responses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_survey_responses')),
    sa.UniqueConstraint('project_id', 'user_id', name='uq_project_survey_responses_once')
    )
    with op.batch_alter_table('project_survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_survey_responses_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_survey_responses_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('project_survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_survey_responses_user_id'))
        batch_op.drop_index(batch_op.f('ix_project_survey_responses_project_id'))
    op.drop_table('project_survey_responses')
    with op.batch_alter_table('project_comment_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_comment_reports_reporter_id'))
    op.drop_table('project_comment_reports')
    with op.batch_alter_table('project_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_project_comments_thread')
    op.drop_table('project_comments')
