"""The workloads of issue #15, their targets picked from the database (a busy community, the most commented
proposal, …) so that they suit whichever data set was seeded."""
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import psycopg

from benchmarks.harness.load import Request

PUBLIC = "state <> 'draft' AND hidden_at IS NULL"
PARTICIPATING = ("submitted", "accepted", "assessing", "consulting", "adopted", "referred", "declined", "not_accepted")


@dataclass
class Case:
    name: str
    role: str  # "resident" or "observer": which accounts the clients log in as (or: those `specs` is keyed by)
    specs: list[Request] | dict[str, list[Request]]  # by login: each account sends its own (load.run)
    writes: bool = False

    @property
    def accounts(self) -> list[str] | None:
        return list(self.specs) if isinstance(self.specs, dict) else None

    @property
    def size(self) -> int:
        return sum(map(len, self.specs.values())) if isinstance(self.specs, dict) else len(self.specs)


@dataclass
class Workload:
    key: str
    title: str
    cases: list[Case]
    seconds: float | None = None  # a timed run (W9) instead of a number of requests
    extra: dict = field(default_factory=dict)


def _one(conn, query, params=()):
    return conn.execute(query, params).fetchone()


def _all(conn, query, params=()):
    return conn.execute(query, params).fetchall()


def _cursor(value, row_id) -> str:
    return f"{value.isoformat() if hasattr(value, 'isoformat') else value}~{row_id}"


def accounts(conn, observer_login: str | None, resident_login: str | None, residents: int = 8) -> dict:
    """Logins per role: the given ones if they exist, else found by their grants (a city observer, else an
    administrator; residents: enabled accounts with no role grant but "resident")."""
    def exists(login):
        return login and _one(conn, "SELECT 1 FROM users WHERE phone = %s OR email = %s", (login, login))
    observer = observer_login if exists(observer_login) else None
    if observer is None:
        row = _one(conn, "SELECT coalesce(u.phone, u.email) FROM users u JOIN role_grants g ON g.user_id = u.id "
                         "WHERE g.revoked_at IS NULL AND g.role IN ('city_observer', 'admin') "
                         "ORDER BY g.role = 'city_observer' DESC, u.id LIMIT 1")
        observer = row[0] if row else None
    found = [r[0] for r in _all(conn, "SELECT coalesce(u.phone, u.email) FROM users u WHERE u.is_enabled AND NOT "
                                      "EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.revoked_at "
                                      "IS NULL AND g.role <> 'resident') ORDER BY u.id LIMIT %s", (residents * 4,))]
    chosen = [resident_login] if exists(resident_login) else []
    chosen += [login for login in found if login != resident_login]
    return {"observer": [observer] if observer else [], "resident": chosen[:residents * 4]}


def w1_cases(conn, rng: random.Random) -> list[Case]:
    city = _one(conn, "SELECT id FROM places WHERE level = 'city' ORDER BY id LIMIT 1")
    community = _one(conn, f"SELECT community_id FROM proposals WHERE {PUBLIC} GROUP BY 1 ORDER BY count(*) DESC, 1 "
                           "LIMIT 1")[0]
    subdistrict = _one(conn, "SELECT parent_id FROM places WHERE id = %s", (community,))[0]
    category = _one(conn, f"SELECT category FROM proposals WHERE {PUBLIC} GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")[0]
    total = _one(conn, f"SELECT count(*) FROM proposals WHERE {PUBLIC}")[0]
    deep = max(0, min(total - 1, total * 3 // 4))
    newest = _one(conn, f"SELECT submitted_at, id FROM proposals WHERE {PUBLIC} ORDER BY submitted_at DESC, id DESC "
                        "OFFSET %s LIMIT 1", (deep,))
    supported = _one(conn, f"SELECT support_count, id FROM proposals WHERE {PUBLIC} ORDER BY support_count DESC, "
                           "id DESC OFFSET %s LIMIT 1", (deep,))
    titles = [r[0] for r in _all(conn, f"SELECT title FROM proposals WHERE {PUBLIC} ORDER BY id LIMIT 5000")]
    bigrams = Counter(t[i:i + 2] for t in titles for i in range(len(t) - 1) if " " not in t[i:i + 2])
    common = bigrams.most_common(1)[0][0] if bigrams else "改造"
    rare = (max(titles, key=len) if titles else "历史风貌标识牌")[:12]

    def page(**args):
        return Request("GET", "/proposals/?" + urlencode(args) if args else "/proposals/")

    plain = [("community", page(place=community)), ("subdistrict", page(place=subdistrict)),
             ("city_newest", page())]
    if city:
        plain.append(("city_place", page(place=city[0])))
    cases = [Case(name, "resident", [spec]) for name, spec in plain]
    cases += [
        Case("filter_state_open", "resident", [page(state="open")]),
        Case("filter_category", "resident", [page(category=category)]),
        Case("filter_community_open", "resident", [page(place=community, state="open")]),
        Case("sort_supported", "resident", [page(sort="supported")]),
        Case("sort_commented", "resident", [page(sort="commented")]),
        Case("deep_newest", "resident", [page(after=_cursor(*newest))] if newest else [page()]),
        Case("deep_supported", "resident", [page(sort="supported", after=_cursor(*supported))] if supported
             else [page(sort="supported")]),
        Case("search_rare", "resident", [page(q=rare)]),
        Case("search_common", "resident", [page(q=common)]),
    ]
    return cases


def w2_cases(conn, rng: random.Random) -> list[Case]:
    busiest = _one(conn, f"SELECT id, comment_count FROM proposals WHERE {PUBLIC} ORDER BY comment_count DESC, id "
                         "LIMIT 1")
    ids = [r[0] for r in _all(conn, f"SELECT id FROM proposals WHERE {PUBLIC} ORDER BY id")]
    sample = rng.sample(ids, min(50, len(ids)))
    return [Case("most_comments", "resident", [Request("GET", f"/proposals/{busiest[0]}")]),
            Case("random", "resident", [Request("GET", f"/proposals/{i}") for i in sample])]


def w3_cases(conn, rng: random.Random, residents: list[str]) -> list[Case]:
    """Supports by the residents the clients log in as: proposals none of them supports yet (each POST adds one,
    unless another client of the same account already did)."""
    ids = [r[0] for r in _all(conn, f"SELECT p.id FROM proposals p WHERE {PUBLIC} AND p.state = ANY(%s) AND NOT "
                                    "EXISTS (SELECT 1 FROM proposal_supports s JOIN users u ON u.id = s.user_id "
                                    "WHERE s.proposal_id = p.id AND (u.phone = ANY(%s) OR u.email = ANY(%s))) AND "
                                    "p.author_id NOT IN (SELECT id FROM users WHERE phone = ANY(%s) OR email = "
                                    "ANY(%s)) ORDER BY p.id LIMIT 2000",
                                    (list(PARTICIPATING), residents, residents, residents, residents))]
    rng.shuffle(ids)
    return [Case("support", "resident", [Request("POST", f"/proposals/{i}/support", {}) for i in ids],
                 writes=True)] if ids else []


def w4_cases(conn, rng: random.Random) -> list[Case]:
    cases = []
    for level, name, most in (("district", "districts", 16), ("subdistrict", "subdistricts", 50),
                              ("community", "communities", 200)):
        ids = [r[0] for r in _all(conn, "SELECT id FROM places WHERE level = %s ORDER BY id", (level,))]
        ids = sorted(rng.sample(ids, min(most, len(ids))))
        if ids:
            cases.append(Case(name, "observer", [Request("GET", f"/monitoring/places/{i}") for i in ids]))
    return cases


def w10_cases(conn, rng: random.Random) -> list[Case]:
    box = _one(conn, f"SELECT min(lng), min(lat), max(lng), max(lat) FROM proposals WHERE {PUBLIC} AND lat IS NOT "
                     "NULL")
    cases = []
    if box and box[0] is not None:
        west, south, east, north = (round(v, 5) for v in box)
        bbox = f"{west - 0.01},{south - 0.01},{east + 0.01},{north + 0.01}"
        cases.append(Case("map_city", "resident", [Request("GET", "/proposals/map/cells.json?" + urlencode(
            {"bbox": bbox, "zoom": 11}))]))
    month = _one(conn, "SELECT to_char(date_trunc('month', starts_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM') "
                       "FROM activities WHERE public GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    if month:
        cases.append(Case("calendar_city", "resident", [Request("GET", f"/activities/?month={month[0]}")]))
    return cases


#: The appointing body and work-log summary of W8's writes: how the harness counts what they stored.
W8_MARK = "bench W8"
LOCAL_TODAY = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


def w8_cases(conn, rng: random.Random, accounts: int, per_account: int) -> list[Case]:
    """W8: sub-district staff appointing, in one request through the appointment form (/assignments/new), one of
    their district's planners as an assistant to every community of their sub-district, for a term that starts
    next year (it changes no one's service today; assistants have no one-lead rule to collide with); and planners
    logging half an hour of on-site work (/work/logs) in a community they serve, on past days with room left in
    the 24 hours a day may hold. Each account sends requests only it may make."""
    appoint = {}
    streets = _all(conn, "SELECT DISTINCT ON (g.place_id) coalesce(u.phone, u.email), g.place_id, d.id FROM "
                         "role_grants g JOIN users u ON u.id = g.user_id JOIN places s ON s.id = g.place_id "
                         "JOIN places d ON d.level = 'district' AND s.path LIKE d.path || '%%' "
                         "WHERE g.role = 'subdistrict_staff' AND g.revoked_at IS NULL AND u.is_enabled "
                         "AND coalesce((SELECT appointing_level FROM policy_profiles WHERE district_id = d.id), "
                         "'subdistrict') = 'subdistrict' ORDER BY g.place_id, u.id")
    for login, street, district in streets[:accounts]:
        communities = [r[0] for r in _all(conn, "SELECT id FROM places WHERE parent_id = %s AND level = "
                                                "'community' ORDER BY id", (street,))]
        allowed = _one(conn, "SELECT allowed_planner_types::text FROM policy_profiles WHERE district_id = %s",
                       (district,))
        planners = [r[0] for r in _all(conn, "SELECT id FROM planner_profiles WHERE district_id = %s AND "
                                             "(%s::jsonb IS NULL OR %s::jsonb ? planner_type) ORDER BY id",
                                       (district, allowed and allowed[0], allowed and allowed[0]))]
        if communities and planners and login not in appoint:
            start = _one(conn, f"SELECT {LOCAL_TODAY} + 400")[0]
            appoint[login] = [Request("POST", "/assignments/new", {
                "holder": f"planner:{planners[k % len(planners)]}", "communities": communities,
                "role": "assistant", "start_on": (start + timedelta(days=k)).isoformat(), "end_on": "",
                "appointing_body": W8_MARK, "contract_ref": ""}) for k in range(per_account)]
    logs = {}
    planners = _all(conn, "SELECT coalesce(u.phone, u.email), u.id, array_agg(DISTINCT a.community_id ORDER BY "
                          "a.community_id) FROM users u JOIN planner_profiles p ON p.user_id = u.id "
                          "JOIN assignments a ON a.planner_id = p.id WHERE u.is_enabled AND a.state IN "
                          f"('active', 'suspended', 'renewed') AND a.start_on <= {LOCAL_TODAY} AND "
                          f"a.occupied_until > {LOCAL_TODAY} AND EXISTS (SELECT 1 FROM role_grants g WHERE "
                          "g.user_id = u.id AND g.role = 'planner' AND g.revoked_at IS NULL) GROUP BY 1, 2 "
                          "ORDER BY 2 LIMIT %s", (accounts,))
    for login, user_id, served in planners:
        days = [r[0] for r in _all(conn, f"SELECT d::date FROM generate_series({LOCAL_TODAY} - 360, "
                                         f"{LOCAL_TODAY} - 1, interval '1 day') d LEFT JOIN work_logs w ON "
                                         "w.author_id = %s AND w.work_date = d::date GROUP BY 1 HAVING "
                                         "coalesce(sum(w.hours), 0) <= 23 ORDER BY coalesce(sum(w.hours), 0), 1 "
                                         "DESC LIMIT %s", (user_id, per_account))]
        logs[login] = [Request("POST", "/work/logs", {
            "work_date": day.isoformat(), "community": served[k % len(served)], "hours": "0.5",
            "kind": "on_site", "summary": f"{W8_MARK}: 走访居民", "activity": "0"}) for k, day in enumerate(days)]
    cases = [Case("appoint", "staff", appoint, writes=True)] if appoint else []
    return cases + ([Case("work_log", "planner", logs, writes=True)] if logs else [])


W8_TABLES = {"appointments_created": ("assignments", "appointing_body = %s", W8_MARK),
             "work_logs_created": ("work_logs", "summary LIKE %s", W8_MARK + "%")}


def w8_last_ids(conn) -> dict:
    return {key: _one(conn, f"SELECT coalesce(max(id), 0) FROM {table}")[0]
            for key, (table, _where, _mark) in W8_TABLES.items()}


def w8_stored(conn, last_ids: dict) -> dict:
    """What W8's writes stored after `last_ids` (w8_last_ids before the run): terms appointed, work logs saved."""
    return {key: _one(conn, f"SELECT count(*) FROM {table} WHERE id > %s AND {where}", (last_ids[key], mark))[0]
            for key, (table, where, mark) in W8_TABLES.items()}


def w9_mix(read_cases: list[Case], write_cases: list[Case], rng: random.Random) -> list[Case]:
    """90 % reads (every read case's requests, interleaved), 10 % supports; one resident-only mix so that one
    client pool serves it."""
    reads = [spec for case in read_cases if case.role == "resident" for spec in case.specs]
    writes = [spec for case in write_cases for spec in case.specs]
    mixed = []
    for n in range(max(200, len(reads))):
        if writes and n % 10 == 9:
            mixed.append(writes.pop())
        else:
            mixed.append(reads[rng.randrange(len(reads))])
    return [Case("mixed", "resident", mixed, writes=True)]


def build(database_url: str, residents: list[str], mixed_seconds: float, seed: int = 15, concurrency: int = 4,
          writes: int = 100) -> list[Workload]:
    rng = random.Random(seed)
    with psycopg.connect(database_url) as conn:
        w1, w2, w4, w10 = w1_cases(conn, rng), w2_cases(conn, rng), w4_cases(conn, rng), w10_cases(conn, rng)
        half = len(residents) // 2  # W3 and W9 each support as accounts of their own: W9 keeps finding new pairs
        w3 = w3_cases(conn, rng, residents[:half] or residents)
        w9_writes = w3_cases(conn, random.Random(seed + 1), residents[half:] or residents)
        w8 = w8_cases(conn, rng, concurrency, max(1, -(-writes // concurrency)))
    workloads = [Workload("W1", "proposal list", w1), Workload("W2", "proposal detail", w2),
                 Workload("W4", "dashboards", w4), Workload("W10", "map clusters and calendar", w10),
                 Workload("W5", "monthly report of the busiest district (XLSX, PDF)", []),
                 Workload("W6", "export of all proposals", []),
                 Workload("W7", "in-app fan-out to ≥ 10,000 residents", []),
                 Workload("W3", "supports (POST)", w3, extra={"accounts": residents[:half] or residents}),
                 Workload("W8", "bulk appointment and activity logging", w8)]
    workloads.append(Workload("W9", "mixed load, 90 % reads", w9_mix(w1 + w2 + w10, w9_writes, rng),
                              seconds=mixed_seconds, extra={"accounts": residents[half:] or residents}))
    return workloads
