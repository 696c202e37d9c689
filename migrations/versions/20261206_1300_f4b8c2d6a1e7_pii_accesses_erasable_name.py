"""The PII-access log stays append-only, with one exception: when an account is deleted, the name stored with the
looks at it is blanked (the row, its ids, actor, purpose, address and time stay, as a security log). Nothing else
of a row may change, and no row may be deleted.

Revision ID: f4b8c2d6a1e7
Revises: e2a7c4f1b9d3
Create Date: 2026-12-06 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4b8c2d6a1e7'
down_revision = 'e2a7c4f1b9d3'
branch_labels = None
depends_on = None

#: Every column but subject_name: an update must leave them as they were (SQLite's trigger lists them).
KEPT = ('id', 'occurred_at', 'actor_id', 'actor_role', 'subject_type', 'subject_id', 'subject_user_id', 'place_id',
        'fields', 'purpose', 'note', 'ip', 'request_id')
REFUSE = "SELECT RAISE(ABORT, 'pii_accesses is append-only')"


def _postgresql(allow_blanking: bool) -> None:
    blanking = """
                IF TG_OP = 'UPDATE' AND NEW.subject_name = '' AND NEW.subject_user_id IS NOT NULL
                        AND to_jsonb(NEW) - 'subject_name' = to_jsonb(OLD) - 'subject_name' THEN
                    RETURN NEW;
                END IF;""" if allow_blanking else ""
    op.execute(f"""
        CREATE OR REPLACE FUNCTION pii_accesses_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN{blanking}
            RAISE EXCEPTION 'pii_accesses is append-only';
        END $$;
    """)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(allow_blanking=True)
        return
    unchanged = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in KEPT)
    op.execute("DROP TRIGGER pii_accesses_no_update")
    op.execute("CREATE TRIGGER pii_accesses_no_update BEFORE UPDATE ON pii_accesses WHEN NOT ("
               f"NEW.subject_name = '' AND NEW.subject_user_id IS NOT NULL AND {unchanged}) BEGIN {REFUSE}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql(allow_blanking=False)
        return
    op.execute("DROP TRIGGER pii_accesses_no_update")
    op.execute(f"CREATE TRIGGER pii_accesses_no_update BEFORE UPDATE ON pii_accesses BEGIN {REFUSE}; END")
