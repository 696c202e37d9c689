"""Policy profiles: report rules. The day of the month the sub-district and district reports of the previous month
are made, and the team reports' due day and reminder ({"report_day": 3, "team_due_day": 5,
"remind_days_before": 2}); an empty object keeps the platform's defaults (planners.services.report_rules_for).

Revision ID: a4d2c8e61f05
Revises: 8d2b6f4e1a37
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4d2c8e61f05'
down_revision = '8d2b6f4e1a37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policy_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_rules', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('policy_profiles', schema=None) as batch_op:
        batch_op.drop_column('report_rules')
