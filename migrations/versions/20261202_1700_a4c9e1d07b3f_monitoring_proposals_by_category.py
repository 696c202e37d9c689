"""Monitoring: proposals by category. Proposals received, decided and adopted per community, local month and
category, for the dashboard's "proposals by category" chart. Every community is marked dirty so that the refresh
(or `flask stats rebuild`) fills the new table.

Revision ID: a4c9e1d07b3f
Revises: e5b81f3c6a27
Create Date: 2026-12-02 17:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4c9e1d07b3f'
down_revision = 'e5b81f3c6a27'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_category_month',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('decided', sa.Integer(), nullable=False),
    sa.Column('adopted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f('fk_stats_category_month_community_id_places'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'month', 'category', name=op.f('pk_stats_category_month'))
    )
    # The new table starts empty: every community is recomputed by the next refresh.
    op.execute("DELETE FROM stats_dirty_communities")
    op.execute("INSERT INTO stats_dirty_communities (community_id, version) "
               "SELECT id, 1 FROM places WHERE level = 'community'")


def downgrade():
    op.drop_table('stats_category_month')
