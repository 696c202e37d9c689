"""Project work and ledger: milestones (due date, owner, done date, a once-only overdue reminder), documents (a new
upload of the same kind and title is the next version: UNIQUE (project, kind, title, version); contracts are never
public), funding sources (one row per source and project) and spending entries.

The database keeps the ledger's totals: `project_fundings.spent_fen` is the sum of its spending entries, maintained by
triggers on project_spendings (INSERT, UPDATE, DELETE) and CHECKed to stay between 0 and the approved amount, so even
raw SQL cannot spend more than a source approved. A guard trigger refuses any other write of spent_fen. A spending
entry's project is its funding row's project: a composite foreign key (funding_id, project_id).

PostgreSQL adds to the tally (spent_fen = spent_fen + amount: concurrent entries queue on the funding row's lock
and each sees the other's sum); SQLite, whose writers are serialized, recomputes the sum.

Revision ID: 8c4d2e7f1a90
Revises: 6a1f0c3e9d21
Create Date: 2026-12-02 14:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8c4d2e7f1a90'
down_revision = '6a1f0c3e9d21'
branch_labels = None
depends_on = None

SOURCES = ('self_governance_fund', 'special_renewal_fund', 'district_budget', 'subdistrict_budget', 'social_capital',
           'other')
DOCUMENT_KINDS = ('design_scheme', 'review_opinion', 'contract', 'other')
SPENT_GUARD_MESSAGE = "project_fundings.spent_fen is kept by the spending entries"


def upgrade():
    op.create_table('project_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_project_milestones_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones'))
    )
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.create_index('ix_project_milestones_project', ['project_id', 'due_on'], unique=False)
        batch_op.create_index('ix_project_milestones_due', ['due_on'], unique=False)

    op.create_table('project_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum(*DOCUMENT_KINDS, name='project_document_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('extension', sa.String(length=8), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_project_documents_version_positive')),
    sa.CheckConstraint("kind <> 'contract' OR NOT public", name=op.f('ck_project_documents_contract_never_public')),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_project_documents_size_positive')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_documents_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_project_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_documents')),
    sa.UniqueConstraint('project_id', 'kind', 'title', 'version', name='uq_project_documents_version'),
    sa.UniqueConstraint('storage_key', name=op.f('uq_project_documents_storage_key'))
    )
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.create_index('ix_project_documents_project', ['project_id', 'kind', 'title'], unique=False)

    op.create_table('project_fundings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum(*SOURCES, name='funding_source', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('approved_fen', sa.BigInteger(), nullable=False),
    sa.Column('spent_fen', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('approved_fen >= 0', name=op.f('ck_project_fundings_approved_non_negative')),
    sa.CheckConstraint('spent_fen >= 0 AND spent_fen <= approved_fen', name=op.f('ck_project_fundings_spent_within_approved')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_fundings_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_fundings')),
    sa.UniqueConstraint('id', 'project_id', name='uq_project_fundings_id_project'),
    sa.UniqueConstraint('project_id', 'source', name='uq_project_fundings_source')
    )

    op.create_table('project_spendings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('funding_id', sa.Integer(), nullable=False),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_project_spendings_amount_positive')),
    sa.ForeignKeyConstraint(['funding_id', 'project_id'], ['project_fundings.id', 'project_fundings.project_id'], name='fk_project_spendings_funding', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_project_spendings_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_spendings'))
    )
    with op.batch_alter_table('project_spendings', schema=None) as batch_op:
        batch_op.create_index('ix_project_spendings_project', ['project_id', 'spent_on'], unique=False)
        batch_op.create_index('ix_project_spendings_funding', ['funding_id'], unique=False)

    _ledger_triggers()


def _sqlite_sum(funding):
    return (f"UPDATE project_fundings SET spent_fen = (SELECT COALESCE(SUM(amount_fen), 0) FROM project_spendings "
            f"WHERE funding_id = {funding}) WHERE id = {funding};")


def _ledger_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION project_spendings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    UPDATE project_fundings SET spent_fen = spent_fen - OLD.amount_fen WHERE id = OLD.funding_id;
                END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    UPDATE project_fundings SET spent_fen = spent_fen + NEW.amount_fen WHERE id = NEW.funding_id;
                END IF;
                RETURN NULL;
            END $$""")
        op.execute("CREATE TRIGGER project_spendings_tally AFTER INSERT OR UPDATE OR DELETE ON project_spendings "
                   "FOR EACH ROW EXECUTE FUNCTION project_spendings_tally()")
        # Only the tally (a trigger one level down) may write spent_fen.
        op.execute(f"""
            CREATE FUNCTION project_fundings_guard_spent() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF (TG_OP = 'INSERT' AND NEW.spent_fen <> 0)
                   OR (TG_OP = 'UPDATE' AND NEW.spent_fen <> OLD.spent_fen AND pg_trigger_depth() < 2) THEN
                    RAISE EXCEPTION '{SPENT_GUARD_MESSAGE}' USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END $$""")
        op.execute("CREATE TRIGGER project_fundings_guard_spent BEFORE INSERT OR UPDATE ON project_fundings "
                   "FOR EACH ROW EXECUTE FUNCTION project_fundings_guard_spent()")
    else:
        op.execute(f"CREATE TRIGGER project_spendings_tally_insert AFTER INSERT ON project_spendings "
                   f"BEGIN {_sqlite_sum('NEW.funding_id')} END")
        op.execute(f"CREATE TRIGGER project_spendings_tally_update AFTER UPDATE ON project_spendings "
                   f"BEGIN {_sqlite_sum('OLD.funding_id')} {_sqlite_sum('NEW.funding_id')} END")
        op.execute(f"CREATE TRIGGER project_spendings_tally_delete AFTER DELETE ON project_spendings "
                   f"BEGIN {_sqlite_sum('OLD.funding_id')} END")
        op.execute(f"CREATE TRIGGER project_fundings_guard_spent_insert BEFORE INSERT ON project_fundings "
                   f"WHEN NEW.spent_fen <> 0 BEGIN SELECT RAISE(ABORT, '{SPENT_GUARD_MESSAGE}'); END")
        op.execute(f"CREATE TRIGGER project_fundings_guard_spent_update BEFORE UPDATE OF spent_fen ON project_fundings "
                   f"WHEN NEW.spent_fen <> (SELECT COALESCE(SUM(amount_fen), 0) FROM project_spendings "
                   f"WHERE funding_id = NEW.id) BEGIN SELECT RAISE(ABORT, '{SPENT_GUARD_MESSAGE}'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS project_spendings_tally ON project_spendings")
        op.execute("DROP TRIGGER IF EXISTS project_fundings_guard_spent ON project_fundings")
        op.execute("DROP FUNCTION IF EXISTS project_spendings_tally()")
        op.execute("DROP FUNCTION IF EXISTS project_fundings_guard_spent()")
    else:
        for name in ("project_spendings_tally_insert", "project_spendings_tally_update",
                     "project_spendings_tally_delete", "project_fundings_guard_spent_insert",
                     "project_fundings_guard_spent_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('project_spendings', schema=None) as batch_op:
        batch_op.drop_index('ix_project_spendings_funding')
        batch_op.drop_index('ix_project_spendings_project')

    op.drop_table('project_spendings')
    op.drop_table('project_fundings')
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_project_documents_project')

    op.drop_table('project_documents')
    with op.batch_alter_table('project_milestones', schema=None) as batch_op:
        batch_op.drop_index('ix_project_milestones_due')
        batch_op.drop_index('ix_project_milestones_project')

    op.drop_table('project_milestones')
