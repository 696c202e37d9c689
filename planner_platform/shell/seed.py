"""`flask seed-demo`: an idempotent demo city with accounts for every role."""
import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from planner_platform.accounts import consents
from planner_platform.accounts.demo import DEMO_TOTP_SECRET, confirm_demo_authenticators
from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.accounts.passwords import hash_password
from planner_platform.activities.demo import count_activities, seed_activities
from planner_platform.activities.demo_history import seed_activity_history
from planner_platform.activities.demo_recent import seed_recent_activities
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.areas.services import create_place, found_city
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.monitoring.refresh import rebuild
from planner_platform.proposals import clusters
from planner_platform.planners.demo import count_terms, seed_roster
from planner_platform.projects.demo import seed_projects
from planner_platform.proposals.demo import seed_proposals
from planner_platform.proposals.demo_history import seed_proposal_history
from planner_platform.reports.team_demo import seed_team_reports
from planner_platform.reports.demo import seed_place_reports

#: Shared by every demo account. Demo data only: never seed a real deployment.
DEMO_PASSWORD = "Demo-Planner-2026"

CITY = ("420100", "江城市")
DISTRICTS = {
    ("420102", "东湖区"): {
        ("420102001", "水果湖街道"): ["东亭社区", "翠柳社区", "茶港社区", "路局社区", "梨园社区"],
        ("420102002", "中南路街道"): ["宝通社区", "珞珈社区", "紫阳社区", "民主社区", "首义社区"],
        ("420102003", "积玉桥街道"): ["临江社区", "和平社区", "粮道社区", "长春社区", "得胜社区"],
    },
    ("420103", "西山区"): {
        ("420103001", "汉正街道"): ["大夹社区", "万安社区", "利济社区", "永宁社区", "存仁社区"],
        ("420103002", "花桥街道"): ["花桥社区", "百步社区", "新村社区", "工农社区", "黄浦社区"],
        ("420103003", "古田街道"): ["古一社区", "古二社区", "古三社区", "田园社区", "新华社区"],
    },
}
#: The demo resident's optional consents (the other demo accounts give only the account's).
DEMO_RESIDENT_CONSENTS = (consents.SMS, consents.NAME_PUBLICATION)
#: (login phone, name, role, place code, email); the resident last.
DEMO_ACCOUNTS = [
    ("13900000001", "系统管理员", Role.admin, "420100", "admin@demo.example"),
    ("13900000002", "市级观察员", Role.city_observer, "420100", None),
    ("13900000003", "东湖区主管", Role.district_staff, "420102", "district@demo.example"),
    ("13900000004", "水果湖街道干部", Role.subdistrict_staff, "420102001", None),
    ("13900000005", "李规划师", Role.planner, "420102", None),
    ("13900000006", "东亭社区工作者", Role.community_worker, "420102001001", None),
    ("13900000008", "西山区主管", Role.district_staff, "420103", None),
    ("13900000009", "汉正街道干部", Role.subdistrict_staff, "420103001", None),
    ("13900000007", "张阿姨", Role.resident, "420102001001", None),
]
ORIGIN_LNG, ORIGIN_LAT = 114.30, 30.55
#: Size of one community cell in degrees (~0.5 km); communities tile their sub-district in a row.
CELL = 0.005


def _square(lng: float, lat: float, width: float, height: float) -> dict:
    # A slightly irregular pentagon so boundaries look like real ones rather than a chessboard.
    return {"type": "Polygon", "coordinates": [[
        [lng, lat], [lng + width, lat], [lng + width, lat + height * 0.55],
        [lng + width * 0.9, lat + height], [lng, lat + height], [lng, lat]]]}


def _ensure_place(admin, parent, level, code, name, boundary, population=None, households=None) -> Place:
    place = db.session.scalar(select(Place).where(Place.code == code))
    if place is None:
        place = create_place(admin, parent=parent, level=level, code=code, name=name, boundary=boundary,
                             population=population, households=households)
    return place


def _ensure_user(phone: str, name: str, email: str | None) -> User:
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, display_name=name, email=email, password_hash=hash_password(DEMO_PASSWORD),
                    password_changed_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def _ensure_admin() -> User:
    phone, name, _role, _place, email = DEMO_ACCOUNTS[0]
    return _ensure_user(phone, name, email)


def _ensure_city(admin: User) -> Place:
    """The city, and the administrator's grant over it: every other place is added by that administrator."""
    city = db.session.scalar(select(Place).where(Place.code == CITY[0]))
    if city is None:
        city = found_city(code=CITY[0], name=CITY[1], boundary=_square(ORIGIN_LNG, ORIGIN_LAT, CELL * 10, CELL * 3),
                          population=1_200_000, households=450_000)
    _ensure_grant(admin, Role.admin, city, granted_by=admin)
    db.session.flush()
    db.session.expire(admin, ["grants"])
    return city


def _build_places(admin: User) -> None:
    width = CELL * 5
    city = _ensure_city(admin)
    for d_index, ((d_code, d_name), subdistricts) in enumerate(DISTRICTS.items()):
        d_lng = ORIGIN_LNG + d_index * width
        district = _ensure_place(admin, city, PlaceLevel.district, d_code, d_name,
                                 _square(d_lng, ORIGIN_LAT, width, CELL * 3), 420_000, 160_000)
        for s_index, ((s_code, s_name), communities) in enumerate(subdistricts.items()):
            s_lat = ORIGIN_LAT + s_index * CELL
            subdistrict = _ensure_place(admin, district, PlaceLevel.subdistrict, s_code, s_name,
                                        _square(d_lng, s_lat, width, CELL), 60_000, 23_000)
            for c_index, c_name in enumerate(communities):
                population = 4_000 + 731 * ((d_index * 15 + s_index * 5 + c_index) % 9)
                _ensure_place(admin, subdistrict, PlaceLevel.community, f"{s_code}{c_index + 1:03d}", c_name,
                              _square(d_lng + c_index * CELL, s_lat, CELL, CELL), population, population * 2 // 5)


def _ensure_grant(user: User, role: Role, place: Place, *, granted_by: User) -> None:
    if not db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == user.id, RoleGrant.role == role,
                                                        RoleGrant.revoked_at.is_(None))):
        db.session.add(RoleGrant(user_id=user.id, role=role, place_id=place.id, granted_by_id=granted_by.id))


def _build_accounts(admin: User) -> None:
    for phone, name, role, place_code, email in DEMO_ACCOUNTS:
        user = _ensure_user(phone, name, email)
        _ensure_grant(user, role, db.session.scalar(select(Place).where(Place.code == place_code)), granted_by=admin)
        if role is Role.resident:
            live = consents.live_purposes(user.id)
            for purpose in DEMO_RESIDENT_CONSENTS:
                if purpose not in live:
                    consents.record(user, purpose, "seed")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create (or complete) the demo city: 2 districts, 6 sub-districts, 30 communities and demo accounts."""
    if not current_app.config["DEMO_SEED_ALLOWED"]:
        raise click.ClickException("The demo seed creates an administrator with the published demo password, so it "
                                   "refuses to run under the production configuration. Seed a development database "
                                   "(APP_CONFIG=development) instead.")
    admin = _ensure_admin()
    _build_places(admin)
    _build_accounts(admin)
    db.session.flush()
    db.session.expire(admin, ["grants"])  # the admin grant was just added: reload it for the permission checks
    seed_roster(admin)
    proposals = seed_proposals(admin)
    seed_activities()
    projects = seed_projects(admin)
    past_proposals = seed_proposal_history(admin)
    past_activities, past_logs = seed_activity_history(admin)
    recent_activities, registrations, recent_logs = seed_recent_activities(admin)
    consents.record_missing_account_consents("seed")  # every seeded account, the generated residents too
    confirm_demo_authenticators()
    db.session.commit()
    # The year of history is written in bulk, which leaves no dirty marks: recompute the summaries from scratch
    # (after the commit above, so that the marks the services left are written, and then cleared here), and the
    # map's cells, which the bulk insert bypassed too.
    rebuild()
    clusters.rebuild(db.session)
    db.session.commit()
    team_reports = seed_team_reports()  # from the summaries just rebuilt
    db.session.commit()
    reports = seed_place_reports()  # last, from everything above (it commits as it builds)
    click.echo(f"Demo city ready: {db.session.query(Place).count()} places, {db.session.query(User).count()} "
               f"accounts, {count_terms()} planner terms, {proposals} proposals, {count_activities()} activities, "
               f"{projects} projects; a year of history added {past_proposals} proposals, {past_activities} "
               f"activities and {past_logs} work logs; the recent and coming weeks added {recent_activities} "
               f"activities, {registrations} registrations and {recent_logs} work logs across both districts; "
               f"{team_reports} team monthly reports, {reports} monthly "
               f"reports of last month. "
               f"Demo password for every account: {DEMO_PASSWORD}; two-step verification key of every staff "
               f"account: {DEMO_TOTP_SECRET}")
