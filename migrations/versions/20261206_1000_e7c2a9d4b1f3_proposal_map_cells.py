"""The map's clusters counted ahead: public proposals with a point, summed per grid square and zoom level 0–15
(proposal_map_totals), and per sub-district, state and category for the filters (proposal_map_cells);
proposals.clusters keeps them with every change.

The city's map grouped every proposal in the box on each request: at a million proposals, 12 s.

Revision ID: e7c2a9d4b1f3
Revises: d3a9f4b7e2c1
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e7c2a9d4b1f3'
down_revision = 'd3a9f4b7e2c1'
branch_labels = None
depends_on = None

STATES = ('draft', 'submitted', 'accepted', 'assessing', 'consulting', 'not_accepted', 'adopted', 'merged',
          'referred', 'declined', 'withdrawn', 'closed')
MAX_ZOOM = 15


def _grid(column: str, offset: int, zoom: int, dialect: str) -> str:
    """As proposals.clusters.grid_sql: floor on PostgreSQL (its CAST rounds), CAST on SQLite (positive values)."""
    scaled = f"(CAST({column} AS DOUBLE PRECISION) + {offset}) / {90 / 2 ** zoom!r}"
    return f"CAST(floor({scaled}) AS INTEGER)" if dialect == 'postgresql' else f"CAST({scaled} AS INTEGER)"


def _sums():
    return [sa.Column('n', sa.Integer(), nullable=False), sa.Column('sum_lat', sa.Float(), nullable=False),
            sa.Column('sum_lng', sa.Float(), nullable=False), sa.Column('sum_id', sa.BigInteger(), nullable=False)]


def _square():
    return [sa.Column('zoom', sa.SmallInteger(), nullable=False), sa.Column('col', sa.Integer(), nullable=False),
            sa.Column('row', sa.Integer(), nullable=False)]


def upgrade():
    op.create_table(
        'proposal_map_totals', *_square(), *_sums(),
        sa.PrimaryKeyConstraint('zoom', 'col', 'row', name=op.f('pk_proposal_map_totals')),
    )
    op.create_table(
        'proposal_map_cells', *_square(),
        sa.Column('subdistrict_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum(*STATES, name='map_cell_state', native_enum=False, create_constraint=True,
                                   length=24), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        *_sums(),
        sa.ForeignKeyConstraint(['subdistrict_id'], ['places.id'],
                                name=op.f('fk_proposal_map_cells_subdistrict_id_places'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('zoom', 'col', 'row', 'subdistrict_id', 'state', 'category',
                                name=op.f('pk_proposal_map_cells')),
    )
    dialect = op.get_bind().dialect.name
    for table, extra in (('proposal_map_totals', ''), ('proposal_map_cells', ', subdistrict_id, state, category')):
        for zoom in range(MAX_ZOOM + 1):
            col, row = _grid('lng', 180, zoom, dialect), _grid('lat', 90, zoom, dialect)
            op.execute(
                f"INSERT INTO {table} (zoom, col, row{extra}, n, sum_lat, sum_lng, sum_id) "
                f"SELECT {zoom}, {col}, {row}{extra}, count(*), sum(lat), sum(lng), sum(id) FROM proposals "
                f"WHERE state <> 'draft' AND hidden_at IS NULL AND lat IS NOT NULL GROUP BY {col}, {row}{extra}")


def downgrade():
    op.drop_table('proposal_map_cells')
    op.drop_table('proposal_map_totals')
