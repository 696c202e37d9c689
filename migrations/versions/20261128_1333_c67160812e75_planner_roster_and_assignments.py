"""Planner roster: organisations, planner profiles, teams, district policy profiles and assignments.

At most one lead per community at any moment: lead terms of one community may not overlap. PostgreSQL enforces
it with an exclusion constraint (btree_gist), SQLite with triggers; both refuse even raw SQL.

Revision ID: c67160812e75
Revises: eb4adefc722f
Create Date: 2026-11-28 13:33:49.705184

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c67160812e75'
down_revision = 'eb4adefc722f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('org_type', sa.Enum('design_institute', 'university', 'firm', 'social_org', name='organisation_type', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['places.id'], name=op.f('fk_organisations_district_id_places'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_district_id'), ['district_id'], unique=False)

    op.create_table('policy_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('term_months', sa.Integer(), nullable=False),
    sa.Column('appointing_level', sa.Enum('subdistrict', 'district', name='appointing_level', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('allowed_planner_types', sa.JSON(), nullable=False),
    sa.Column('max_communities_per_lead', sa.Integer(), nullable=False),
    sa.Column('proposal_categories', sa.JSON(), nullable=False),
    sa.Column('activity_types', sa.JSON(), nullable=False),
    sa.Column('response_deadlines', sa.JSON(), nullable=False),
    sa.Column('project_stage_rules', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('max_communities_per_lead >= 1', name=op.f('ck_policy_profiles_max_communities_positive')),
    sa.CheckConstraint('term_months BETWEEN 1 AND 120', name=op.f('ck_policy_profiles_term_months_range')),
    sa.ForeignKeyConstraint(['district_id'], ['places.id'], name=op.f('fk_policy_profiles_district_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_policy_profiles_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_profiles')),
    sa.UniqueConstraint('district_id', name=op.f('uq_policy_profiles_district_id'))
    )
    op.create_table('planner_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('planner_type', sa.Enum('institute', 'university', 'firm', 'social_org', 'volunteer', 'resident', 'expert', name='planner_type', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('qualifications', sa.Text(), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('full_time', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['places.id'], name=op.f('fk_planner_profiles_district_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_planner_profiles_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_planner_profiles_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planner_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_planner_profiles_user_id'))
    )
    with op.batch_alter_table('planner_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planner_profiles_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planner_profiles_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planner_profiles_planner_type'), ['planner_type'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['places.id'], name=op.f('fk_teams_district_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lead_id'], ['planner_profiles.id'], name=op.f('fk_teams_lead_id_planner_profiles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_teams_organisation_id_organisations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('district_id', 'name', name='uq_teams_district_name')
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_lead_id'), ['lead_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('planner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('lead', 'assistant', name='assignment_role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('state', sa.Enum('appointed', 'active', 'suspended', 'expired', 'renewed', 'terminated', name='assignment_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('occupied_until', sa.Date(), nullable=False),
    sa.Column('appointing_body', sa.String(length=120), nullable=False),
    sa.Column('contract_ref', sa.String(length=64), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rectify_by', sa.Date(), nullable=True),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_90_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_30_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(planner_id IS NULL) <> (team_id IS NULL)', name=op.f('ck_assignments_planner_or_team')),
    sa.CheckConstraint('end_on > start_on', name=op.f('ck_assignments_term_ends_after_start')),
    sa.CheckConstraint('occupied_until >= start_on AND occupied_until <= end_on', name=op.f('ck_assignments_occupied_within_term')),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['users.id'], name=op.f('fk_assignments_appointed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['places.id'], name=op.f('fk_assignments_community_id_places'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['planner_id'], ['planner_profiles.id'], name=op.f('fk_assignments_planner_id_planner_profiles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['previous_id'], ['assignments.id'], name=op.f('fk_assignments_previous_id_assignments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_assignments_team_id_teams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('previous_id', name=op.f('uq_assignments_previous_id'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_planner_id'), ['planner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_team_id'), ['team_id'], unique=False)
    _one_lead_per_community()

    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('planner_id', sa.Integer(), nullable=False),
    sa.Column('member_role', sa.Enum('lead', 'core', 'assistant', 'mentor', 'student', name='team_member_role', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.ForeignKeyConstraint(['planner_id'], ['planner_profiles.id'], name=op.f('fk_team_members_planner_id_planner_profiles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('team_id', 'planner_id', name='uq_team_members_once')
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_planner_id'), ['planner_id'], unique=False)

    op.create_table('assignment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum('appointed', 'active', 'suspended', 'expired', 'renewed', 'terminated', name='from_state', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('to_state', sa.Enum('appointed', 'active', 'suspended', 'expired', 'renewed', 'terminated', name='to_state', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_assignment_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_assignment_events_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_events'))
    )
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_events_assignment_id'), ['assignment_id'], unique=False)


ONE_LEAD_MESSAGE = "one lead planner per community at a time"
_OVERLAP = ("SELECT RAISE(ABORT, '" + ONE_LEAD_MESSAGE + "') WHERE EXISTS (SELECT 1 FROM assignments a "
            "WHERE a.community_id = NEW.community_id AND a.role = 'lead' AND a.id IS NOT NEW.id "
            "AND a.start_on < NEW.occupied_until AND NEW.start_on < a.occupied_until)")


def _one_lead_per_community():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute("ALTER TABLE assignments ADD CONSTRAINT ex_assignments_one_lead_per_community "
                   "EXCLUDE USING gist (community_id WITH =, daterange(start_on, occupied_until, '[)') WITH &&) "
                   "WHERE (role = 'lead')")
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(f"CREATE TRIGGER assignments_one_lead_{event.lower()} BEFORE {event} ON assignments "
                       f"WHEN NEW.role = 'lead' BEGIN {_OVERLAP}; END")


def downgrade():
    with op.batch_alter_table('assignment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_events_assignment_id'))

    op.drop_table('assignment_events')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_planner_id'))

    op.drop_table('team_members')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_team_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_state'))
        batch_op.drop_index(batch_op.f('ix_assignments_planner_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_community_id'))

    if op.get_bind().dialect.name != "postgresql":  # the PostgreSQL constraint goes with the table
        op.execute("DROP TRIGGER IF EXISTS assignments_one_lead_insert")
        op.execute("DROP TRIGGER IF EXISTS assignments_one_lead_update")
    op.drop_table('assignments')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_lead_id'))
        batch_op.drop_index(batch_op.f('ix_teams_district_id'))

    op.drop_table('teams')
    with op.batch_alter_table('planner_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planner_profiles_planner_type'))
        batch_op.drop_index(batch_op.f('ix_planner_profiles_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_planner_profiles_district_id'))

    op.drop_table('planner_profiles')
    op.drop_table('policy_profiles')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_district_id'))

    op.drop_table('organisations')
