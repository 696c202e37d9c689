"""The PII-access log: each time a staff member asks to see a masked phone number or email in full, one row says
who (and through which role), whose record, which fields, for what purpose, from which address and when. Staff
pages show contact details masked; the reveal is the only way past the mask. Append-only, like the audit log.

Revision ID: d3a9f4b7e2c1
Revises: c5e1d8a2f7b9
Create Date: 2026-12-06 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3a9f4b7e2c1'
down_revision = 'c5e1d8a2f7b9'
branch_labels = None
depends_on = None

ROLES = ('resident', 'community_worker', 'planner', 'subdistrict_staff', 'district_staff', 'city_observer', 'admin')
PURPOSES = ('handle_case', 'verify_identity', 'roster_upkeep', 'other')


def upgrade():
    op.create_table('pii_accesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_role', sa.Enum(*ROLES, name='actor_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('subject_name', sa.String(length=50), nullable=False),
    sa.Column('subject_user_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.Enum(*PURPOSES, name='purpose', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.CheckConstraint("purpose <> 'other' OR length(note) > 0", name=op.f('ck_pii_accesses_other_purpose_explained')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_pii_accesses_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subject_user_id'], ['users.id'], name=op.f('fk_pii_accesses_subject_user_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_pii_accesses_place_id_places'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pii_accesses'))
    )
    with op.batch_alter_table('pii_accesses', schema=None) as batch_op:
        for column in ('occurred_at', 'actor_id', 'subject_user_id', 'place_id'):
            batch_op.create_index(batch_op.f(f'ix_pii_accesses_{column}'), [column], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION pii_accesses_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'pii_accesses is append-only';
            END $$;
        """)
        op.execute("CREATE TRIGGER pii_accesses_append_only BEFORE UPDATE OR DELETE ON pii_accesses "
                   "FOR EACH ROW EXECUTE FUNCTION pii_accesses_refuse_change()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER pii_accesses_no_{event.lower()} BEFORE {event} ON pii_accesses "
                       "BEGIN SELECT RAISE(ABORT, 'pii_accesses is append-only'); END")


def downgrade():
    op.drop_table('pii_accesses')  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS pii_accesses_refuse_change()")
