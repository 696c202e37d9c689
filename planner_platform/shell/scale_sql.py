"""The statements of `flask seed-scale`: one set-based INSERT … SELECT FROM generate_series per table (PostgreSQL).

Every value is a function of the row number and the seed (hashtext of both), so a size, a seed and a day give the
same data. Ids are explicit and arithmetic (the database is empty), so rows find their parents without lookups:

    places: city 1, districts 1+d, sub-districts 1+D+s, communities 1+D+S+c
    users:  admin 1, city observer 2, district staff 2+d, sub-district staff 2+D+s, community workers 2+D+S+c,
            planners U_P+p, residents U_R+r; resident r lives in community 1+(r-1) % C
    community c is led by planner 1+(c-1)*P/C and lies in sub-district 1+(c-1)*S/C, which lies in 1+(s-1)*D/S

Proposals are staged in an unlogged table (scale_q) holding each one's path of states and the times of its steps;
the proposals, their events, supports and comments are then read from it, so the stamps, the counters and the
history agree by construction.
"""
from dataclasses import dataclass

CATEGORIES = ["公共空间", "绿化", "适老化", "儿童友好", "停车", "无障碍", "照明", "环境卫生", "楼栋改造"]
ACTIVITY_TYPES = ["工作坊", "社区漫步", "问需调研", "议事会", "参与式设计", "宣讲", "展览", "培训"]
SITES = ["小区东门", "中心广场", "菜市场旁", "小学门口", "公交站台", "老年活动中心", "河边步道", "停车场", "儿童游乐区",
         "单元楼道"]
ACTIONS = ["增设", "修缮", "改造", "拓宽", "清理", "美化", "更新", "完善"]
OBJECTS = ["休息座椅", "路灯", "无障碍坡道", "绿化带", "健身器材", "雨棚", "垃圾分类点", "非机动车棚", "扶手", "遮阳棚"]
WHYS = ["老人出行不便", "晚上光线太暗", "孩子放学时人很多", "雨天积水严重", "现有设施年久失修"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
COMMENTS = ["支持，这个问题困扰大家很久了。", "建议同时考虑老人和孩子的需求。", "希望尽快落实。", "我家楼下也是这样。",
            "可以先做个问卷听听大家的意见。", "同意，附近的居民都很关心。"]
MAIN_LINE = ["need_collection", "diagnosis", "listed", "co_design", "public_notice", "review", "approved_funded",
             "construction", "completed"]
REVIEW_INDEX = MAIN_LINE.index("review")
FUNDED_INDEX = MAIN_LINE.index("approved_funded")
DECISION_REPLIES = {"adopted": "经评估，建议予以采纳，纳入社区更新项目库。", "referred": "已转交相关职能部门办理。",
                    "declined": "经评估暂不具备实施条件，感谢您的建议。",
                    "not_accepted": "不属于社区规划事项，已告知办理渠道。",
                    "merged": "与已有提案内容相同，已合并办理。"}


@dataclass(frozen=True)
class Size:
    districts: int
    subdistricts: int
    communities: int
    planners: int
    residents: int
    proposals: int
    supports: int
    comments: int
    activities: int
    registrations: int
    #: Work logs per planner over the year.
    logs_per_planner: int


SIZES = {
    "tiny": Size(2, 4, 20, 10, 300, 1_000, 3_000, 1_000, 200, 2_000, 20),
    "ci-small": Size(4, 40, 600, 100, 50_000, 30_000, 300_000, 100_000, 10_000, 150_000, 50),
    "city": Size(16, 330, 6_000, 1_000, 1_000_000, 1_000_000, 3_000_000, 1_000_000, 100_000, 2_000_000, 50),
}


def sql_list(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


class Statements:
    """The SQL of one run: `size`, `seed` and the anchor (the local midnight of the run's day, a timestamptz)."""

    def __init__(self, size: Size, seed: int):
        self.z, self.seed = size, seed
        z = size
        self.D, self.S, self.C, self.P, self.R = z.districts, z.subdistricts, z.communities, z.planners, z.residents
        self.m = z.residents // z.communities  # residents per community (the offsets 0..m-1)
        self.U_W = 2 + self.D + self.S  # community worker c is U_W + c
        self.U_P = self.U_W + self.C  # planner p is U_P + p
        self.U_R = self.U_P + self.P  # resident r is U_R + r
        self.place_c = 1 + self.D + self.S  # community c is place_c + c

    # --- deterministic pseudo-random numbers ---------------------------------------------------------------

    def h(self, expr: str, salt: str) -> str:
        """A non-negative int from the row and the seed."""
        return f"(hashtext(({expr})::text || ':{salt}:{self.seed}') & 2147483647)"

    def u(self, expr: str, salt: str) -> str:
        """A float in [0, 1)."""
        return f"({self.h(expr, salt)}::float8 / 2147483648.0)"

    def pick(self, values, expr: str, salt: str) -> str:
        return f"({sql_list(values)})[1 + {self.h(expr, salt)} % {len(values)}]"

    def name(self, expr: str) -> str:
        return (f"substr('{SURNAMES}', 1 + {self.h(expr, 'sn')} % {len(SURNAMES)}, 1) || "
                f"substr('{GIVEN}', 1 + {self.h(expr, 'g1')} % {len(GIVEN)}, 1) || "
                f"CASE WHEN {self.h(expr, 'g3')} % 2 = 0 THEN substr('{GIVEN}', 1 + {self.h(expr, 'g2')} % "
                f"{len(GIVEN)}, 1) ELSE '' END")

    # --- the hierarchy as arithmetic -----------------------------------------------------------------------

    def sub_of_c(self, c: str) -> str:
        return f"(1 + (({c}) - 1) * {self.S} / {self.C})"

    def district_of_s(self, s: str) -> str:
        return f"(1 + (({s}) - 1) * {self.D} / {self.S})"

    def lead_of_c(self, c: str) -> str:
        return f"(1 + (({c}) - 1) * {self.P} / {self.C})"

    def first_c_of_p(self, p: str) -> str:
        return f"(((({p}) - 1) * {self.C} + {self.P} - 1) / {self.P} + 1)"

    def district_of_p(self, p: str) -> str:
        return self.district_of_s(self.sub_of_c(self.first_c_of_p(p)))

    def resident(self, c: str, k: str) -> str:
        """The user id of the k-th resident (0 ≤ k < m) of community c."""
        return f"({self.U_R} + ({c}) + {self.C} * ({k}))"

    # --- places ------------------------------------------------------------------------------------------

    def places(self) -> list[str]:
        D, S, C = self.D, self.S, self.C
        square = ("json_build_object('type', 'Polygon', 'coordinates', json_build_array(json_build_array("
                  "json_build_array({x0}, {y0}), json_build_array({x1}, {y0}), json_build_array({x1}, {y1}), "
                  "json_build_array({x0}, {y1}), json_build_array({x0}, {y0}))))")
        lng, lat = "(114.0 + ((c - 1) % 100) * 0.005)", "(30.3 + ((c - 1) / 100) * 0.005)"
        community = square.format(x0=lng, y0=lat, x1=f"{lng} + 0.005", y1=f"{lat} + 0.005")
        s, d = self.sub_of_c("c"), self.district_of_s(self.sub_of_c("c"))
        pop = f"(3000 + {self.h('c', 'pop')} % 6000)"
        return [
            "INSERT INTO places (id, level, parent_id, code, name, path, population, households, created_at, "
            "updated_at) VALUES (1, 'city', NULL, '420100', '江城市', '/1/', 0, 0, :anchor - interval '2 years', "
            ":anchor - interval '2 years')",
            f"INSERT INTO places (id, level, parent_id, code, name, path, population, households, created_at, "
            f"updated_at) SELECT 1 + d, 'district', 1, '42' || lpad(d::text, 4, '0'), '第' || d || '区', "
            f"'/1/' || (1 + d) || '/', 0, 0, :anchor - interval '2 years', :anchor - interval '2 years' "
            f"FROM generate_series(1, {D}) d",
            f"INSERT INTO places (id, level, parent_id, code, name, path, population, households, created_at, "
            f"updated_at) SELECT 1 + {D} + s, 'subdistrict', 1 + {self.district_of_s('s')}, "
            f"'42' || lpad({self.district_of_s('s')}::text, 4, '0') || lpad(s::text, 3, '0'), "
            f"'第' || s || '街道', '/1/' || (1 + {self.district_of_s('s')}) || '/' || (1 + {D} + s) || '/', 0, 0, "
            f":anchor - interval '2 years', :anchor - interval '2 years' FROM generate_series(1, {S}) s",
            f"INSERT INTO places (id, level, parent_id, code, name, path, population, households, boundary, "
            f"centre_lat, centre_lng, created_at, updated_at) "
            f"SELECT {self.place_c} + c, 'community', 1 + {D} + {s}, "
            f"'42' || lpad({d}::text, 4, '0') || lpad({s}::text, 3, '0') || lpad(c::text, 5, '0'), "
            f"'第' || c || '社区', '/1/' || (1 + {d}) || '/' || (1 + {D} + {s}) || '/' || ({self.place_c} + c) || '/', "
            f"{pop}, {pop} * 2 / 5, {community}, {lat} + 0.0025, {lng} + 0.0025, "
            f":anchor - interval '2 years', :anchor - interval '2 years' FROM generate_series(1, {C}) c",
            # Parents: their children's population and bounding box, sub-districts first, then districts, then the
            # city (one level at a time, as the sums climb).
            *[f"UPDATE places p SET population = k.pop, households = k.hh, centre_lat = (k.y0 + k.y1) / 2, "
              f"centre_lng = (k.x0 + k.x1) / 2, boundary = {square.format(x0='k.x0', y0='k.y0', x1='k.x1', y1='k.y1')} "
              f"FROM (SELECT parent_id, sum(population) AS pop, sum(households) AS hh, "
              f"min(centre_lng) - 0.0025 AS x0, max(centre_lng) + 0.0025 AS x1, min(centre_lat) - 0.0025 AS y0, "
              f"max(centre_lat) + 0.0025 AS y1 FROM places WHERE level = '{child}' GROUP BY parent_id) k "
              f"WHERE p.id = k.parent_id"
              for child in ("community", "subdistrict", "district")],
        ]

    def policies(self) -> list[str]:
        lead_max = -(-self.C // self.P) + 1
        return [
            f"INSERT INTO policy_profiles (district_id, term_months, appointing_level, allowed_planner_types, "
            f"max_communities_per_lead, proposal_categories, activity_types, response_deadlines, proposal_rules, "
            f"project_stage_rules, report_rules, updated_at) "
            f"SELECT 1 + d, 24, 'subdistrict', "
            f"'[\"institute\", \"university\", \"firm\", \"social_org\", \"volunteer\", \"resident\", \"expert\"]', "
            f"{lead_max}, to_json({sql_list(CATEGORIES)}), to_json({sql_list(ACTIVITY_TYPES)}), "
            f"'{{\"accept\": 3, \"reply\": 15}}', '{{}}', '{{\"public_notice_min_days\": 7}}', '{{}}', "
            f":anchor - interval '2 years' FROM generate_series(1, {self.D}) d",
        ]

    # --- accounts ----------------------------------------------------------------------------------------

    def users(self) -> list[str]:
        D, S, R = self.D, self.S, self.R
        total = self.U_R + R
        created = f"(:anchor - interval '400 days' + interval '1 minute' * ({self.h('i', 'uc')} % 500000))"
        staff = f"i <= {self.U_R}"
        name = (f"CASE WHEN i = 1 THEN '系统管理员' WHEN i = 2 THEN '市级观察员' "
                f"WHEN i <= {2 + D} THEN '区干部' || (i - 2) WHEN i <= {2 + D + S} THEN '街道干部' || (i - 2 - {D}) "
                f"WHEN i <= {self.U_P} THEN '社区工作者' || (i - {self.U_W}) ELSE {self.name('i')} END")
        return [
            f"INSERT INTO users (id, phone, email, display_name, password_hash, locale, is_enabled, "
            f"password_changed_at, created_at) "
            f"SELECT i, '13' || lpad(i::text, 9, '0'), CASE WHEN {staff} THEN 'u' || i || '@scale.example' END, "
            f"{name}, :password_hash, 'zh_CN', true, {created}, {created} FROM generate_series(1, {total}) i",
            "INSERT INTO consents (user_id, purpose, policy_version, granted_at, channel) "
            "SELECT id, 'account', :policy_version, created_at, 'seed' FROM users",
        ]

    def grants(self) -> list[str]:
        D, S, C, P = self.D, self.S, self.C, self.P
        columns = "INSERT INTO role_grants (user_id, role, place_id, granted_by_id, created_at) "
        return [
            columns + "VALUES (1, 'admin', 1, 1, :anchor - interval '400 days'), "
                      "(2, 'city_observer', 1, 1, :anchor - interval '400 days')",
            columns + f"SELECT 2 + d, 'district_staff', 1 + d, 1, :anchor - interval '400 days' "
                      f"FROM generate_series(1, {D}) d",
            columns + f"SELECT 2 + {D} + s, 'subdistrict_staff', 1 + {D} + s, 1, :anchor - interval '400 days' "
                      f"FROM generate_series(1, {S}) s",
            columns + f"SELECT {self.U_W} + c, 'community_worker', {self.place_c} + c, 1, "
                      f":anchor - interval '400 days' FROM generate_series(1, {C}) c",
            columns + f"SELECT {self.U_P} + p, 'planner', 1 + {self.district_of_p('p')}, 1, "
                      f":anchor - interval '400 days' FROM generate_series(1, {P}) p",
            columns + f"SELECT id, 'resident', {self.place_c} + 1 + (id - {self.U_R} - 1) % {C}, NULL, created_at "
                      f"FROM users WHERE id > {self.U_R}",
        ]

    # --- planners ----------------------------------------------------------------------------------------

    def roster(self) -> list[str]:
        D, P = self.D, self.P
        teams = max(1, P // 5)
        types = ["institute", "university", "firm", "social_org", "volunteer", "resident", "expert"]
        org_types = ["design_institute", "university", "firm", "social_org"]
        return [
            f"INSERT INTO organisations (id, name, org_type, district_id, created_at) "
            f"SELECT d * 2 - 1 + k, '第' || d || '区' || (ARRAY['规划设计院', '高校团队'])[k + 1], "
            f"({sql_list(org_types)})[1 + (d + k) % 4], 1 + d, :anchor - interval '2 years' "
            f"FROM generate_series(1, {D}) d, generate_series(0, 1) k",
            f"INSERT INTO planner_profiles (id, user_id, name, planner_type, organisation_id, district_id, "
            f"qualifications, expertise, full_time, phone, email, created_at) "
            f"SELECT p, {self.U_P} + p, u.display_name, ({sql_list(types)})[1 + p % 7], "
            f"{self.district_of_p('p')} * 2 - 1 + p % 2, 1 + {self.district_of_p('p')}, '注册城乡规划师', "
            f"to_json(ARRAY[{self.pick(CATEGORIES, 'p', 'ex')}]), p % 3 = 0, u.phone, u.email, u.created_at "
            f"FROM generate_series(1, {P}) p JOIN users u ON u.id = {self.U_P} + p",
            f"INSERT INTO teams (id, name, district_id, lead_id, organisation_id, created_at) "
            f"SELECT t, '社区规划团队' || t, 1 + {self.district_of_p('5 * t - 4')}, 5 * t - 4, "
            f"{self.district_of_p('5 * t - 4')} * 2 - 1, :anchor - interval '2 years' "
            f"FROM generate_series(1, {teams}) t",
            f"INSERT INTO team_members (team_id, planner_id, member_role) "
            f"SELECT t, 5 * t - 4 + k, (ARRAY['lead', 'core', 'core', 'assistant', 'student'])[k + 1] "
            f"FROM generate_series(1, {teams}) t, generate_series(0, 4) k WHERE 5 * t - 4 + k <= {P}",
        ]

    def assignments(self) -> list[str]:
        """Lead terms for 90 % of communities (a third of them a renewal of an earlier term that ended the day the
        new one began: no overlap), assistants in a fifth. Ids: current lead c, earlier lead C+c, assistant 2C+c."""
        C, P = self.C, self.P
        has_lead, renewed, helped = (f"{self.h('c', 'lead')} % 10 <> 0", f"{self.h('c', 'prev')} % 3 = 0",
                                     f"{self.h('c', 'asst')} % 5 = 0")
        start = f"(:today - ({30 + 0} + {self.h('c', 'start')} % 600))"
        body = f"'第' || {self.sub_of_c('c')} || '街道办事处'"
        columns = ("INSERT INTO assignments (id, community_id, planner_id, role, state, start_on, end_on, "
                   "occupied_until, appointing_body, contract_ref, previous_id, reason, appointed_by_id, version, "
                   "created_at) ")
        events = ("INSERT INTO assignment_events (id, assignment_id, from_state, to_state, actor_id, reason, "
                  "occurred_at) ")
        staff = f"(2 + {self.D} + {self.sub_of_c('a.community_id - ' + str(self.place_c))})"
        return [
            columns + f"SELECT {C} + c, {self.place_c} + c, {self.lead_of_c('c')}, 'lead', 'renewed', "
                      f"({start} - interval '24 months')::date, {start}, {start}, {body}, 'HT-' || ({C} + c), NULL, "
                      f"'', 1, 1, ({start} - interval '24 months' - interval '10 days')::timestamp AT TIME ZONE :tz "
                      f"FROM generate_series(1, {C}) c WHERE {has_lead} AND {renewed}",
            columns + f"SELECT c, {self.place_c} + c, {self.lead_of_c('c')}, 'lead', 'active', {start}, "
                      f"({start} + interval '24 months')::date, ({start} + interval '24 months')::date, {body}, "
                      f"'HT-' || c, CASE WHEN {renewed} THEN {C} + c END, '', 1, 1, "
                      f"({start} - 10)::timestamp AT TIME ZONE :tz FROM generate_series(1, {C}) c WHERE {has_lead}",
            columns + f"SELECT 2 * {C} + c, {self.place_c} + c, {self.lead_of_c('c')} % {P} + 1, 'assistant', "
                      f"'active', (:today - {self.h('c', 'as')} % 300), "
                      f"(:today - {self.h('c', 'as')} % 300 + interval '12 months')::date, "
                      f"(:today - {self.h('c', 'as')} % 300 + interval '12 months')::date, {body}, "
                      f"'HT-' || (2 * {C} + c), "
                      f"NULL, '', 1, 1, (:today - {self.h('c', 'as')} % 300 - 10)::timestamp AT TIME ZONE :tz "
                      f"FROM generate_series(1, {C}) c WHERE {helped}",
            # appointed at creation, serving from the first day, renewed (the earlier terms) on the successor's start
            events + f"SELECT a.id * 3, a.id, NULL, 'appointed', {staff}, '', a.created_at FROM assignments a",
            events + f"SELECT a.id * 3 + 1, a.id, 'appointed', 'active', {staff}, '', "
                     f"a.start_on::timestamp AT TIME ZONE :tz FROM assignments a",
            events + f"SELECT a.id * 3 + 2, a.id, 'active', 'renewed', {staff}, '续聘', "
                     f"a.end_on::timestamp AT TIME ZONE :tz - interval '1 day' FROM assignments a "
                     f"WHERE a.state = 'renewed'",
        ]

    # --- proposals ---------------------------------------------------------------------------------------

    def proposal_stage(self, texts: int) -> list[str]:
        """scale_p: each proposal's community, fate, decision and text; then the merge targets; then scale_q with
        the path of states and the times of its steps (counted back from the last one)."""
        z, C, m = self.z, self.C, self.m
        hot = [n for n in range(7, z.proposals + 1, 5000)]
        nondraft = z.proposals * 97 // 100
        mean_s = z.supports / nondraft
        mean_c = max(0.0, (z.comments - 200 * len(hot)) / nondraft)
        roll, droll = self.h("n", "fate") + " % 100", self.h("n", "dec") + " % 100"
        fate = (f"CASE WHEN {roll} < 3 THEN 'draft' WHEN {roll} < 9 THEN 'submitted' WHEN {roll} < 14 THEN 'accepted' "
                f"WHEN {roll} < 19 THEN 'assessing' WHEN {roll} < 22 THEN 'consulting' WHEN {roll} < 25 THEN "
                f"'withdrawn' WHEN {roll} < 35 THEN 'decided' ELSE 'closed' END")
        decision = (f"CASE WHEN {droll} < 40 THEN 'adopted' WHEN {droll} < 65 THEN 'referred' WHEN {droll} < 85 "
                    f"THEN 'declined' WHEN {droll} < 95 THEN 'not_accepted' ELSE 'merged' END")
        gaps = [f"interval '1 day' * (1 + {self.h('n', f'g{i}')} % 4) + interval '1 minute' * "
                f"({self.h('n', f'm{i}')} % 600)" for i in range(1, 6)]
        cumulative = ["interval '0'"] + [" + ".join(gaps[:i]) for i in range(1, 6)]
        offline = f"{self.h('n', 'off')} % 100 < 3"
        return [
            "DROP TABLE IF EXISTS scale_p, scale_q",
            f"CREATE UNLOGGED TABLE scale_p AS SELECT n, 1 + {self.h('n', 'c')} % {C} AS c, {fate} AS fate, "
            f"{decision} AS decision, {self.h('n', 'a')} % {m} AS a, {self.h('n', 'txt')} % {texts} AS tk, "
            f"{offline} AS offline, NULL::int AS target FROM generate_series(1, {z.proposals}) n",
            "CREATE INDEX ON scale_p (c, n)",
            # A duplicate merges into the earliest proposal of its community that is itself no draft and no
            # duplicate; a duplicate with none before it is declined instead.
            "UPDATE scale_p p SET target = (SELECT min(q.n) FROM scale_p q WHERE q.c = p.c AND q.n < p.n "
            "AND q.fate <> 'draft' AND NOT (q.decision = 'merged' AND q.fate IN ('decided', 'closed'))) "
            "WHERE p.decision = 'merged' AND p.fate IN ('decided', 'closed')",
            "UPDATE scale_p SET decision = 'declined' WHERE decision = 'merged' AND fate IN ('decided', 'closed') "
            "AND target IS NULL",
            f"CREATE UNLOGGED TABLE scale_q AS SELECT p.*, x.steps, cardinality(x.steps) AS l, "
            f"ARRAY[{', '.join(cumulative)}] AS g, "
            f"CASE p.fate WHEN 'draft' THEN interval '1 hour' + interval '1 day' * {self.u('n', 'age')} * 60 "
            f"WHEN 'decided' THEN interval '1 hour' + interval '1 day' * {self.u('n', 'age')} * 12 "
            f"WHEN 'closed' THEN interval '1 hour' + interval '1 day' * {self.u('n', 'age')} * 330 "
            f"WHEN 'withdrawn' THEN interval '1 hour' + interval '1 day' * {self.u('n', 'age')} * 300 "
            f"ELSE interval '1 hour' + interval '1 day' * {self.u('n', 'age')} * 20 END AS age, "
            f"CASE WHEN p.fate = 'draft' THEN 0 WHEN p.n IN ({', '.join(map(str, hot)) or '0'}) THEN 200 "
            f"ELSE round({3 * mean_c} * {self.u('n', 'kc')} ^ 2)::int END AS k_comments, "
            f"CASE WHEN p.fate = 'draft' THEN 0 ELSE least({m - 1}, "
            f"round({3 * mean_s} * {self.u('n', 'ks')} ^ 2)::int) "
            f"END AS k_supports, "
            f"{self.lead_of_c('p.c')} AS planner "
            f"FROM scale_p p CROSS JOIN LATERAL (SELECT CASE "
            f"WHEN p.fate = 'draft' THEN ARRAY[]::text[] "
            f"WHEN p.fate = 'submitted' THEN ARRAY['submitted'] "
            f"WHEN p.fate = 'accepted' THEN ARRAY['submitted', 'accepted'] "
            f"WHEN p.fate = 'assessing' THEN ARRAY['submitted', 'accepted', 'assessing'] "
            f"WHEN p.fate = 'consulting' THEN ARRAY['submitted', 'accepted', 'assessing', 'consulting'] "
            f"WHEN p.fate = 'withdrawn' AND p.n % 2 = 0 THEN ARRAY['submitted', 'withdrawn'] "
            f"WHEN p.fate = 'withdrawn' THEN ARRAY['submitted', 'accepted', 'withdrawn'] "
            f"ELSE (CASE WHEN p.decision IN ('not_accepted', 'merged') THEN ARRAY['submitted', p.decision] "
            f"WHEN p.n % 3 = 0 THEN ARRAY['submitted', 'accepted', 'assessing', 'consulting', p.decision] "
            f"ELSE ARRAY['submitted', 'accepted', 'assessing', p.decision] END) "
            f"|| CASE WHEN p.fate = 'closed' THEN ARRAY['closed'] ELSE ARRAY[]::text[] END END AS steps) x",
            "CREATE INDEX ON scale_q (n)",
            "DROP TABLE scale_p",
        ]

    def time_of(self, i: str) -> str:
        """The time of step i (1-based) of a scale_q row: the last step is `age` before the anchor."""
        return f"(:anchor - q.age - (q.g[q.l] - q.g[{i}]))"

    def proposals(self) -> list[str]:
        has_lead = f"{self.h('q.c', 'lead')} % 10 <> 0"
        decision_at = ("array_position(q.steps, (SELECT s FROM unnest(q.steps) s WHERE s IN ('not_accepted', "
                       "'adopted', 'merged', 'referred', 'declined')))")
        local_day = lambda moment: f"(({moment}) AT TIME ZONE :tz)::date"  # noqa: E731
        author = self.resident("q.c", "q.a")
        jitter_lat, jitter_lng = self.u("q.n", "la"), self.u("q.n", "ln")
        created = f"CASE WHEN q.l = 0 THEN :anchor - q.age ELSE {self.time_of('1')} - interval '2 hours' END"
        return [
            f"INSERT INTO proposals (id, title, description, category, community_id, subdistrict_id, district_id, "
            f"site, lat, lng, channel, state, "
            f"author_id, entered_by_id, on_behalf_name, on_behalf_phone, consent_recorded_at, assignee_id, "
            f"submitted_at, first_response_at, decided_at, closed_at, due_on, merged_into_id, support_count, "
            f"comment_count, satisfaction, report_count, satisfaction_comment, search_text, version, created_at) "
            f"SELECT q.n, t.title_a || q.n || '号', t.description, {self.pick(CATEGORIES, 'q.n', 'cat')}, "
            f"{self.place_c} + q.c, pl.parent_id, sd.parent_id, t.site, pl.centre_lat - 0.0025 + 0.005 * {jitter_lat}, "
            f"pl.centre_lng - 0.0025 + 0.005 * {jitter_lng}, CASE WHEN q.offline THEN 'offline' ELSE 'online' END, "
            f"CASE WHEN q.l = 0 THEN 'draft' ELSE q.steps[q.l] END, "
            f"CASE WHEN NOT q.offline THEN {author} END, CASE WHEN q.offline THEN {self.U_W} + q.c END, "
            f"CASE WHEN q.offline THEN {self.name('q.n')} END, "
            f"CASE WHEN q.offline THEN '139' || lpad(q.n::text, 8, '0') END, "
            f"CASE WHEN q.offline THEN {created} END, "
            f"CASE WHEN 'accepted' = ANY(q.steps) THEN {self.U_P} + q.planner END, "
            f"CASE WHEN q.l >= 1 THEN {self.time_of('1')} END, CASE WHEN q.l >= 2 THEN {self.time_of('2')} END, "
            f"{self.time_of(decision_at)}, CASE WHEN q.steps[q.l] = 'closed' THEN {self.time_of('q.l')} END, "
            f"CASE WHEN q.l = 1 THEN (SELECT accept_due FROM scale_days WHERE day = {local_day(self.time_of('1'))}) "
            f"WHEN q.steps[q.l] IN ('accepted', 'assessing', 'consulting') THEN (SELECT reply_due FROM scale_days "
            f"WHERE day = {local_day(self.time_of('2'))}) END, "
            f"CASE WHEN 'merged' = ANY(q.steps) THEN q.target END, q.k_supports, q.k_comments, "
            f"CASE WHEN q.steps[q.l] = 'closed' AND q.n % 2 = 0 AND NOT q.offline THEN "
            f"(ARRAY[5, 5, 4, 4, 4, 3, 3, 2, 1, 5])[1 + {self.h('q.n', 'sat')} % 10] END, 0, '', "
            f"q.n::text || ' ' || t.search_tail, 1, {created} "
            f"FROM scale_q q JOIN scale_texts t ON t.k = q.tk JOIN places pl ON pl.id = {self.place_c} + q.c "
            f"JOIN places sd ON sd.id = pl.parent_id",
            # merge targets point at proposals inserted in the same statement: the FK is checked at its end
            f"INSERT INTO proposal_events (id, proposal_id, from_state, to_state, actor_id, reply, occurred_at) "
            f"SELECT q.n * 8 + s.i, q.n, CASE WHEN s.i = 1 THEN 'draft' ELSE q.steps[s.i - 1] END, s.state, "
            f"CASE WHEN s.state IN ('submitted', 'withdrawn') THEN coalesce(p.author_id, p.entered_by_id) "
            f"WHEN s.state = 'closed' THEN CASE WHEN p.satisfaction IS NOT NULL THEN p.author_id END "
            f"WHEN {has_lead} THEN {self.U_P} + q.planner ELSE 2 + {self.D} + {self.sub_of_c('q.c')} END, "
            f"CASE s.state {' '.join(f'''WHEN '{k}' THEN '{v}' ''' for k, v in DECISION_REPLIES.items())} "
            f"ELSE '' END, {self.time_of('s.i')} "
            f"FROM scale_q q JOIN proposals p ON p.id = q.n CROSS JOIN LATERAL unnest(q.steps) WITH ORDINALITY "
            f"AS s(state, i)",
            # supports and comments spread between the submission and the anchor, in id order
            f"INSERT INTO proposal_supports (proposal_id, user_id, created_at) "
            f"SELECT q.n, {self.resident('q.c', f'(q.a + 1 + j) % {self.m}')}, "
            f"p.submitted_at + (:anchor - p.submitted_at) * (j + 1) / (q.k_supports + 1) "
            f"FROM scale_q q JOIN proposals p ON p.id = q.n CROSS JOIN LATERAL generate_series(0, q.k_supports - 1) j "
            f"WHERE q.k_supports > 0",
            f"INSERT INTO proposal_comments (proposal_id, author_id, body, report_count, created_at) "
            f"SELECT q.n, {self.resident('q.c', f'(q.a + 1 + j * 7) % {self.m}')}, "
            f"{self.pick(COMMENTS, 'q.n + j', 'cm')}, 0, "
            f"p.submitted_at + (:anchor - p.submitted_at) * (j + 1) / (q.k_comments + 1) "
            f"FROM scale_q q JOIN proposals p ON p.id = q.n CROSS JOIN LATERAL generate_series(0, q.k_comments - 1) j "
            f"WHERE q.k_comments > 0",
        ]

    # --- activities --------------------------------------------------------------------------------------

    def activities(self) -> list[str]:
        z, C, m = self.z, self.C, self.m
        mean_r = z.registrations / max(1, z.activities * 0.8)
        day = f"({self.h('a', 'day')} % 395 - 30)"
        starts = f"(:anchor - interval '1 day' * {day} + interval '1 hour' * (1 + {self.h('a', 'hr')} % 10))"
        roll = f"{self.h('a', 'st')} % 100"
        held = f"{starts} + interval '2 hours' < :anchor - interval '4 days'"
        state = (f"CASE WHEN NOT ({held}) THEN 'planned' WHEN {roll} < 85 THEN 'verified' WHEN {roll} < 93 "
                 f"THEN 'closed' WHEN {roll} < 96 THEN 'returned' ELSE 'planned' END")
        capacity = f"(20 + {self.h('a', 'cap')} % 100)"
        public = f"{self.h('a', 'pub')} % 10 < 8"
        k_reg = (f"CASE WHEN {public} THEN least({capacity}, {m - 1}, round({2 * mean_r} * {self.u('a', 'kr')})::int) "
                 f"ELSE 0 END")
        c = f"(1 + {self.h('a', 'c')} % {C})"
        small = lambda salt: (f"CASE WHEN s.state IN ('closed', 'verified', 'returned') "  # noqa: E731
                              f"THEN {self.h('a', salt)} % 4 ELSE 0 END")
        staff = f"2 + {self.D} + {self.sub_of_c('s.c')}"
        offset = f"({self.h('s.a', 'ra')} + j) % {m}"
        return [
            "DROP TABLE IF EXISTS scale_a",
            f"CREATE UNLOGGED TABLE scale_a AS SELECT a, {c} AS c, {starts} AS starts_at, {state} AS state, "
            f"{capacity} AS capacity, {public} AS public, {k_reg} AS k_reg FROM generate_series(1, {z.activities}) a",
            f"INSERT INTO activities (id, title, activity_type, community_id, venue, lat, lng, starts_at, ends_at, "
            f"public, capacity, description, organiser_id, checkin_code, state, att_residents, att_committee, "
            f"att_property, att_business, att_social_org, att_government, att_experts, minutes, closed_at, "
            f"closed_by_id, verified_at, verified_by_id, return_comment, reminded_registrants_at, version, created_at) "
            f"SELECT s.a, t.type || '：' || {self.pick(SITES, 'a', 'v')} || {self.pick(OBJECTS, 'a', 'o')} || '讨论', "
            f"t.type, {self.place_c} + s.c, '第' || s.c || '社区党群服务中心', pl.centre_lat, pl.centre_lng, "
            f"s.starts_at, s.starts_at + interval '2 hours', s.public, s.capacity, '欢迎居民参加。', "
            f"{self.U_P} + {self.lead_of_c('s.c')}, lpad(({self.h('a', 'code')} % 1000000)::text, 6, '0'), s.state, "
            f"CASE WHEN s.state IN ('closed', 'verified', 'returned') THEN "
            f"s.k_reg * 7 / 10 + {self.h('a', 'walk')} % 5 "
            f"ELSE 0 END, {small('cm')}, {small('pr')}, {small('bu')}, {small('so')}, {small('go')}, {small('xp')}, "
            f"CASE WHEN s.state IN ('closed', 'verified', 'returned') THEN '会议纪要：居民就' || t.type || "
            f"'议题充分讨论，形成三条建议。' ELSE '' END, "
            f"CASE WHEN s.state IN ('closed', 'verified', 'returned') THEN s.starts_at + interval '1 day' END, "
            f"CASE WHEN s.state IN ('closed', 'verified', 'returned') THEN {self.U_P} + {self.lead_of_c('s.c')} END, "
            f"CASE WHEN s.state = 'verified' THEN s.starts_at + interval '2 days' END, "
            f"CASE WHEN s.state = 'verified' THEN {staff} END, "
            f"CASE WHEN s.state = 'returned' THEN '签到表照片不清晰，请补充。' ELSE '' END, "
            f"CASE WHEN s.starts_at < :anchor AND s.k_reg > 0 THEN s.starts_at - interval '1 day' END, 1, "
            f"least(s.starts_at - interval '14 days', :anchor - interval '1 day') "
            f"FROM scale_a s JOIN places pl ON pl.id = {self.place_c} + s.c "
            f"CROSS JOIN LATERAL (SELECT {self.pick(ACTIVITY_TYPES, 's.a', 'ty')} AS type) t",
            f"INSERT INTO activity_events (id, activity_id, from_state, to_state, actor_id, comment, occurred_at) "
            f"SELECT s.a * 4 + e.i, s.a, e.from_state, e.to_state, e.actor, e.comment, e.at "
            f"FROM scale_a s JOIN activities x ON x.id = s.a CROSS JOIN LATERAL (VALUES "
            f"(0, NULL, 'planned', x.organiser_id, '', x.created_at, true), "
            f"(1, 'planned', 'closed', x.organiser_id, '', x.closed_at, s.state <> 'planned'), "
            f"(2, 'closed', s.state, {staff}, x.return_comment, "
            f"coalesce(x.verified_at, x.closed_at + interval '1 day'), "
            f"s.state IN ('verified', 'returned'))) AS e(i, from_state, to_state, actor, comment, at, wanted) "
            f"WHERE e.wanted",
            f"INSERT INTO activity_registrations (activity_id, user_id, created_at, checked_in_at) "
            f"SELECT s.a, {self.resident('s.c', offset)}, "
            f"x.created_at + (least(s.starts_at, :anchor) - x.created_at) * (j + 1) / (s.k_reg + 1), "
            f"CASE WHEN s.state IN ('closed', 'verified', 'returned') AND j < s.k_reg * 7 / 10 "
            f"THEN s.starts_at + interval '10 minutes' END "
            f"FROM scale_a s JOIN activities x ON x.id = s.a CROSS JOIN LATERAL generate_series(0, s.k_reg - 1) j "
            f"WHERE s.k_reg > 0",
            "DROP TABLE scale_a",
        ]

    # --- projects and work logs --------------------------------------------------------------------------

    def projects(self) -> list[str]:
        """One project in every fourth community, grown from its first adopted proposal; its stage is one of the
        main line, reached in steps spread between the adoption and the anchor."""
        stages = sql_list(MAIN_LINE)
        k = f"({self.h('o.c', 'stage')} % {len(MAIN_LINE)})"
        step = "((:anchor - o.decided_at) / (o.k + 2))"
        at = lambda i: f"(o.decided_at + {step} * ({i} + 1))"  # noqa: E731
        local_day = lambda moment: f"(({moment}) AT TIME ZONE :tz)::date"  # noqa: E731
        return [
            "DROP TABLE IF EXISTS scale_o",
            "CREATE UNLOGGED TABLE scale_o AS SELECT DISTINCT ON (q.c) q.c, q.n, q.planner, p.decided_at, 0 AS k "
            "FROM scale_q q JOIN proposals p ON p.id = q.n WHERE q.c % 4 = 1 AND 'adopted' = ANY(q.steps) "
            "ORDER BY q.c, q.n",
            f"UPDATE scale_o o SET k = {k}",
            f"INSERT INTO projects (id, title, description, community_id, site, lead_planner_id, owner_id, "
            f"implementer, "
            f"state, stage_since, completed_on, evaluation_due_on, budget_estimate_fen, comment_count, created_by_id, "
            f"version, created_at) "
            f"SELECT o.c, p.title || '项目', p.description, p.community_id, p.site, {self.U_P} + o.planner, "
            f"1 + {self.D} + {self.sub_of_c('o.c')}, '城建公司', ({stages})[o.k + 1], {local_day(at('o.k'))}, "
            f"CASE WHEN o.k = {len(MAIN_LINE) - 1} THEN {local_day(at('o.k'))} END, "
            f"CASE WHEN o.k = {len(MAIN_LINE) - 1} THEN ({local_day(at('o.k'))} + interval '12 months')::date END, "
            f"100000 * (10 + {self.h('o.c', 'budget')} % 500), 0, 2 + {self.D} + {self.sub_of_c('o.c')}, 1, {at('0')} "
            f"FROM scale_o o JOIN proposals p ON p.id = o.n",
            "INSERT INTO project_origins (project_id, proposal_id) SELECT o.c, o.n FROM scale_o o",
            f"INSERT INTO project_events (id, project_id, from_state, to_state, actor_id, reason, occurred_at) "
            f"SELECT o.c * 16 + i, o.c, CASE WHEN i > 0 THEN ({stages})[i] END, ({stages})[i + 1], "
            f"2 + {self.D} + {self.sub_of_c('o.c')}, '', {at('i')} "
            f"FROM scale_o o CROSS JOIN LATERAL generate_series(0, o.k) i",
            f"INSERT INTO project_review_opinions (project_id, signer_id, verdict, body, review_event_id, signed_at) "
            f"SELECT o.c, {self.U_P} + o.planner, 'agree', '方案符合社区规划导则，同意。', o.c * 16 + {REVIEW_INDEX}, "
            f"{at(str(REVIEW_INDEX))} + {step} / 2 FROM scale_o o WHERE o.k > {REVIEW_INDEX}",
            # money from approval on: two sources; spending (three entries) from construction on. The triggers of
            # the ledger keep spent_fen (the caller runs this with them on).
            f"INSERT INTO project_fundings (project_id, source, approved_fen, spent_fen, note, version, created_at) "
            f"SELECT o.c, f.source, p.budget_estimate_fen * f.share / 10, 0, '', 1, {at(str(FUNDED_INDEX))} "
            f"FROM scale_o o JOIN projects p ON p.id = o.c CROSS JOIN (VALUES ('district_budget', 6), "
            f"('subdistrict_budget', 4)) AS f(source, share) WHERE o.k >= {FUNDED_INDEX}",
            f"INSERT INTO project_spendings (project_id, funding_id, spent_on, purpose, amount_fen, recorded_by_id, "
            f"created_at) SELECT f.project_id, f.id, {local_day(at(str(FUNDED_INDEX + 1)))} + j * 3, "
            f"(ARRAY['设计费', '施工进度款', '材料费'])[j + 1], f.approved_fen / 5, {self.U_P} + o.planner, "
            f"{at(str(FUNDED_INDEX + 1))} + interval '3 days' * j "
            f"FROM scale_o o JOIN project_fundings f ON f.project_id = o.c AND f.source = 'district_budget' "
            f"CROSS JOIN generate_series(0, 2) j WHERE o.k > {FUNDED_INDEX}",
            "DROP TABLE scale_o",
        ]

    def work_logs(self) -> list[str]:
        P, C, w = self.P, self.C, self.z.logs_per_planner
        block = max(1, C // P)
        kinds = ["on_site", "survey", "meeting", "review"]
        return [
            f"INSERT INTO work_logs (author_id, community_id, work_date, hours, kind, summary, created_at) "
            f"SELECT {self.U_P} + p, {self.place_c} + least({C}, {self.first_c_of_p('p')} + j % {block}), "
            f"(:today - 1 - j * 365 / {w} - {self.h('p * 1000 + j', 'wd')} % 3), "
            f"1 + {self.h('p * 1000 + j', 'wh')} % 4, {self.pick(kinds, 'p * 1000 + j', 'wk')}, "
            f"'走访居民，记录' || {self.pick(OBJECTS, 'p * 1000 + j', 'wo')} || '的使用情况。', "
            f"(:today - j * 365 / {w})::timestamp AT TIME ZONE :tz "
            f"FROM generate_series(1, {P}) p, generate_series(0, {w - 1}) j",
        ]
