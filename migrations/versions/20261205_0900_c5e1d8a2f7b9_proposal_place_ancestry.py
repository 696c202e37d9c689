"""Proposals carry their community's sub-district and district, kept true by composite foreign keys onto
places (id, parent_id); the public list's orders get partial indexes over the public rows, per area.

The lists filtered an area by `community_id IN (SELECT id FROM places WHERE path LIKE …)`, which no index on
proposals can serve together with the order: at a million proposals a community's page walked the citywide
index. Drafts (no submission date) sorted first in the descending index and were skipped on every page.

Revision ID: c5e1d8a2f7b9
Revises: b7e3f19a0c42
Create Date: 2026-12-05 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e1d8a2f7b9'
down_revision = 'b7e3f19a0c42'
branch_labels = None
depends_on = None

PUBLIC_ROWS = sa.text("state <> 'draft' AND hidden_at IS NULL")
PUBLIC_INDEXES = {
    'ix_proposals_public_supported': ['support_count', 'id'],
    'ix_proposals_public_commented': ['comment_count', 'id'],
    'ix_proposals_public_newest': ['submitted_at', 'id'],
    'ix_proposals_district_newest': ['district_id', 'submitted_at', 'id'],
    'ix_proposals_subdistrict_newest': ['subdistrict_id', 'submitted_at', 'id'],
    'ix_proposals_community_newest': ['community_id', 'submitted_at', 'id'],
}


def upgrade():
    op.create_index('uq_places_id_parent', 'places', ['id', 'parent_id'], unique=True)
    op.add_column('proposals', sa.Column('subdistrict_id', sa.Integer(), nullable=True))
    op.add_column('proposals', sa.Column('district_id', sa.Integer(), nullable=True))
    op.execute("UPDATE proposals SET subdistrict_id = (SELECT c.parent_id FROM places c "
               "WHERE c.id = proposals.community_id)")
    op.execute("UPDATE proposals SET district_id = (SELECT s.parent_id FROM places s "
               "WHERE s.id = proposals.subdistrict_id)")
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.alter_column('subdistrict_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_proposals_subdistrict_id_places'), 'places',
                                    ['subdistrict_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_proposals_district_id_places'), 'places',
                                    ['district_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key('fk_proposals_community_in_subdistrict', 'places',
                                    ['community_id', 'subdistrict_id'], ['id', 'parent_id'])
        batch_op.create_foreign_key('fk_proposals_subdistrict_in_district', 'places',
                                    ['subdistrict_id', 'district_id'], ['id', 'parent_id'])
        batch_op.drop_index('ix_proposals_support_order')
        batch_op.drop_index('ix_proposals_comment_order')
    for name, columns in PUBLIC_INDEXES.items():
        op.create_index(name, 'proposals', columns, postgresql_where=PUBLIC_ROWS, sqlite_where=PUBLIC_ROWS)


def downgrade():
    for name in PUBLIC_INDEXES:
        op.drop_index(name, table_name='proposals')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_comment_order', ['comment_count', 'id'])
        batch_op.create_index('ix_proposals_support_order', ['support_count', 'id'])
        batch_op.drop_constraint('fk_proposals_subdistrict_in_district', type_='foreignkey')
        batch_op.drop_constraint('fk_proposals_community_in_subdistrict', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposals_district_id_places'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposals_subdistrict_id_places'), type_='foreignkey')
        batch_op.drop_column('district_id')
        batch_op.drop_column('subdistrict_id')
    op.drop_index('uq_places_id_parent', table_name='places')
