"""Monitoring: budget and milestones. The month rows gain the spending of the month (fen), a row per community
holds the money approved and spent to date, and undone milestones are counted per community and due day. Every
community is marked dirty so that the refresh (or `flask stats rebuild`) fills the new columns.

Revision ID: e5b81f3c6a27
Revises: 7c4e2a91b5d3
Create Date: 2026-12-02 16:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b81f3c6a27'
down_revision = '7c4e2a91b5d3'
branch_labels = None
depends_on = None


def _community(table):
    return [sa.Column('community_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f(f'fk_{table}_community_id_places'),
                                    ondelete='CASCADE')]


def upgrade():
    with op.batch_alter_table('stats_community_month') as batch:
        batch.add_column(sa.Column('spent_fen', sa.BigInteger(), server_default='0', nullable=False))
    op.create_table('stats_budget',
    *_community('stats_budget'),
    sa.Column('approved_fen', sa.BigInteger(), nullable=False),
    sa.Column('spent_fen', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_stats_budget'))
    )
    op.create_table('stats_milestone_due',
    *_community('stats_milestone_due'),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('milestones', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('community_id', 'due_on', name=op.f('pk_stats_milestone_due'))
    )
    # Existing summaries lack the new numbers: every community is recomputed by the next refresh.
    op.execute("DELETE FROM stats_dirty_communities")
    op.execute("INSERT INTO stats_dirty_communities (community_id, version) "
               "SELECT id, 1 FROM places WHERE level = 'community'")


def downgrade():
    op.drop_table('stats_milestone_due')
    op.drop_table('stats_budget')
    with op.batch_alter_table('stats_community_month') as batch:
        batch.drop_column('spent_fen')
