"""A year of the demo city's proposals: every community served by a planner, in both districts, receives a few
each month, and most of them travel the lifecycle (accepted mostly within the deadline, assessed, some put to
consultation, decided, often rated) so that the dashboard's twelve-month trend has something to draw.

Thousands of rows, so they are written set-based (one INSERT of proposals, one of their events) instead of
through the services; every row is still what the services would have written: the same states, stamps, due
dates and search text, a history event for every step. The monitoring summaries are rebuilt afterwards by the
seed command (bulk inserts leave no dirty marks). Deterministic (random.Random(2026)), dated relative to today,
and idempotent: nothing is added once the city has proposals older than six months. Neighbours support some of
them (counted in support_count, as participation.support does); comments are left to the recent weeks.
"""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select

from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.areas.models import Place
from planner_platform.core.calendar import WorkingDays, local_zone
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.planners.demo import history_months, moment_in, serving_accounts, serving_on
from planner_platform.planners.services import district_of, policy_for, proposal_rules
from planner_platform.proposals.demo import _point_in
from planner_platform.proposals.models import (Channel, Proposal, ProposalEvent, ProposalState, Support,
                                               place_ancestry)
from planner_platform.proposals.participation import PARTICIPATING_STATES
from planner_platform.proposals.search import index_text

S = ProposalState
HISTORY_SEED = 2026
#: Where in the community the need is; combined with the ideas below into titles and descriptions.
SITES = ["3号楼", "小区南门", "社区广场", "5栋东侧", "菜市场旁", "幼儿园门口", "老年活动中心", "沿街商铺前", "12号院",
         "小区北门", "8栋单元口", "社区卫生站旁"]
#: Per category: (title, description), "{site}" filled in.
IDEAS = {
    "公共空间": [("闲置空地改造", "{site}的空地长期闲置，堆放杂物，建议清理后改成居民休憩的小广场。"),
             ("增设遮阳棚", "{site}夏天没有遮阴的地方，老人孩子晒得受不了，建议加装遮阳棚。"),
             ("雨天积水", "{site}一下雨就积水，出行很不方便，建议改造排水。")],
    "绿化": [("补种行道树", "{site}几棵树枯死后一直没补种，建议补种并加装树池篦子。"),
           ("社区花园共建", "{site}的边角地可以改成社区花园，居民愿意一起认养、浇水。"),
           ("绿篱修剪", "{site}绿篱太高，挡住视线，车辆进出有安全隐患，建议修剪。")],
    "适老化": [("楼道加装扶手", "{site}楼道没有扶手，老人上下楼很吃力，建议每层加装扶手。"),
            ("增设休息座椅", "{site}老人买菜回来想歇一歇却没地方坐，建议增设带靠背的座椅。"),
            ("台阶改缓坡", "{site}台阶又高又陡，老人腿脚不便，建议改成缓坡并加防滑条。")],
    "儿童友好": [("游乐设施更新", "{site}滑梯生锈开裂，孩子玩耍有危险，建议更换并铺设软质地面。"),
             ("放学等候区", "{site}放学时家长没有遮阳挡雨的地方等候，建议设置等候区。"),
             ("儿童安全通道", "{site}孩子上学要穿过停车场，建议划出安全步行通道。")],
    "停车": [("停车位重新划线", "{site}停车无序，消防通道经常被占，建议重新划线并设置标识。"),
           ("非机动车充电棚", "{site}电动车在楼道充电有火灾隐患，建议建集中充电棚。"),
           ("夜间错峰停车", "{site}晚上车位不够，建议与周边单位协商错峰共享停车。")],
    "无障碍": [("无障碍坡道", "{site}只有台阶，轮椅和婴儿车进不去，建议修建无障碍坡道。"),
            ("盲道被占", "{site}盲道被摊位和车辆占用，建议清理并加装隔离桩。")],
    "照明": [("路灯太暗", "{site}晚上很暗，老人散步容易摔倒，建议更换亮一些的节能路灯。"),
           ("楼道声控灯损坏", "{site}楼道声控灯坏了很久，建议维修并换成感应灯。")],
    "环境卫生": [("垃圾分类亭异味", "{site}垃圾分类亭夏天气味很大，建议加装除臭和洗手设施。"),
             ("清运时间调整", "{site}垃圾清运在早高峰，气味和噪音影响出行，建议调整时间。")],
    "楼栋改造": [("外墙瓷砖脱落", "{site}外墙瓷砖有脱落，楼下行人有危险，建议尽快检修。"),
             ("加装电梯协商", "{site}老人多，希望了解加装电梯的政策并组织居民协商。")],
    "历史风貌": [("历史建筑标识牌", "{site}附近的老建筑没有介绍，建议设置标识牌，讲好街区故事。"),
             ("老街立面整治", "{site}沿街招牌杂乱，遮住了老建筑立面，建议统一整治。")],
}
WISHES = ["希望社区和规划师帮忙看一看。", "不少邻居都有同样的想法。", "我愿意参加讨论和后续维护。",
          "恳请尽快研究解决。"]
#: Categories that come up more in some months (1–12): greening in spring, sanitation in summer, lighting in winter.
SEASONS = {"绿化": {3, 4, 5}, "环境卫生": {6, 7, 8, 9}, "照明": {11, 12, 1, 2}, "儿童友好": {6, 7, 8},
           "适老化": {9, 10}, "公共空间": {4, 5, 9, 10}}
#: Residents write less around the Spring Festival and more in spring and autumn.
MONTH_FACTOR = {1: .8, 2: .55, 3: 1.05, 4: 1.15, 5: 1.1, 6: 1.0, 7: .9, 8: .85, 9: 1.1, 10: 1.2, 11: 1.05, 12: .9}
REPLIES = {
    S.not_accepted: ["该事项属于物业服务合同范围，请联系物业公司处理；社区将协助督促。",
                     "该位置不在本社区范围内，已告知所属社区，请向其反映。"],
    S.adopted: ["经现场踏勘和居民议事会讨论，采纳该提案，纳入社区微更新项目。",
                "采纳。规划师已完成初步方案，将在社区公示栏公示征求意见。"],
    S.referred: ["该事项已转交区城管局办理，办理结果将在此公示。", "已转交供电公司和物业共同处理，社区跟踪督办。"],
    S.declined: ["经研判，该位置地下管线密集，暂不具备实施条件；规划师将与居民另寻选址。",
                 "经居民议事会讨论，多数居民不同意该方案，暂不采纳。"],
}
RATING_COMMENTS = ["感谢规划师的耐心解释。", "处理及时，很满意。", "希望后续能继续跟进。",
                   "结果还可以，速度有点慢。", ""]
#: Scores an author gives, by the decision.
SCORES = {S.adopted: [5, 5, 4, 4, 4, 3], S.referred: [5, 4, 4, 3, 3, 2], S.declined: [4, 3, 3, 2, 2, 1],
          S.not_accepted: [3, 2, 2, 1]}


@dataclass
class _Story:
    """One proposal's life: its row and its events, written in the order they happened."""
    row: dict
    events: list = field(default_factory=list)
    #: (resident, when) of its supports ("me too").
    supports: list = field(default_factory=list)

    def step(self, to_state: ProposalState, at: datetime, actor_id: int | None, reply: str = "") -> None:
        self.events.append({"from_state": self.row["state"], "to_state": to_state, "actor_id": actor_id,
                            "reply": reply, "occurred_at": at})
        self.row["state"] = to_state


def _residents() -> tuple[list[int], dict[int, list[int]]]:
    """The demo residents (proposals.demo), and those of them living in each community."""
    rows = db.session.execute(select(User.id, RoleGrant.place_id).join(RoleGrant, RoleGrant.user_id == User.id)
                              .where(User.phone.like("1390100%"), RoleGrant.role == Role.resident)
                              .order_by(User.id)).all()
    homes: dict[int, list[int]] = {}
    for user_id, place_id in rows:
        homes.setdefault(place_id, []).append(user_id)
    return [user_id for user_id, _place in rows], homes


def _office_hour(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 10, 20, 30, 40, 50))), tzinfo=local_zone())


def _category(categories: list[str], month: date, rng: random.Random) -> str:
    return rng.choices(categories, weights=[2.5 if month.month in SEASONS.get(c, ()) else 1 for c in categories])[0]


class _Writer:
    def __init__(self, admin: User, rng: random.Random):
        self.admin, self.rng, self.now = admin, rng, utcnow()
        months = history_months()
        self.calendar = WorkingDays(months[0] - timedelta(days=1), months[-1] + timedelta(days=120))
        self.accounts = serving_accounts()
        self.residents, self.homes = _residents()

    def office(self, community_id: int, day: date) -> int:
        """Who takes an office step that day: a planner serving the community then, else the administrator."""
        serving = serving_on(self.accounts.get(community_id, []), day)
        return self.rng.choice(serving) if serving else self.admin.id

    def story(self, community: Place, month: date, rules: dict, categories: list[str]) -> _Story:
        rng = self.rng
        category = _category(categories, month, rng)
        title, description = rng.choice(IDEAS.get(category) or [(f"{category}方面的建议", "{site}的{category}问题。")])
        site = rng.choice(SITES)
        text = description.format(site=site, category=category) + rng.choice(WISHES)
        submitted = moment_in(month, rng, (7, 21))
        homes = self.homes.get(community.id)
        author = rng.choice(homes if homes and rng.random() < .6 else self.residents)
        lat, lng = _point_in(community, rng) if rng.random() < .7 else (None, None)
        serving = serving_on(self.accounts.get(community.id, []), submitted.date())
        subdistrict_id, district_id = place_ancestry(community.path)
        row = {"title": f"{site}{title}", "description": text, "category": category, "community_id": community.id,
               "subdistrict_id": subdistrict_id, "district_id": district_id, "site": site, "lat": lat, "lng": lng,
               "channel": Channel.online, "state": S.draft,
               "author_id": author, "assignee_id": serving[0] if serving else None,
               "created_at": submitted - timedelta(minutes=rng.randint(3, 40)), "submitted_at": submitted,
               "first_response_at": None, "decided_at": None, "closed_at": None, "due_on": None,
               "support_count": 0, "comment_count": 0, "report_count": 0, "satisfaction": None,
               "satisfaction_comment": "", "search_text": index_text(f"{site}{title}", text), "version": 1}
        story = _Story(row)
        story.step(S.submitted, submitted, author)
        self._walk(story, community.id, rules)
        if row["state"] in PARTICIPATING_STATES:
            neighbours = [user for user in rng.sample(self.residents, rng.randint(0, 8)) if user != author]
            story.supports = [(user, min(submitted + timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 12)),
                                         self.now - timedelta(minutes=1))) for user in neighbours]
            row["support_count"] = len(story.supports)
        return story

    def _walk(self, story: _Story, community_id: int, rules: dict) -> None:
        rng, row, cal = self.rng, story.row, self.calendar
        received = row["submitted_at"].date()
        row["due_on"] = cal.add(received, rules["accept"])
        fate = rng.random()
        if fate < .03:
            self._take(story, S.withdrawn, row["submitted_at"] + timedelta(days=rng.randint(1, 3)), row["author_id"])
            return
        late = rng.random() < .12
        answered = cal.add(received, rules["accept"] + rng.randint(1, 5) if late else rng.randint(1, rules["accept"]))
        if fate < .11:
            self._take(story, S.not_accepted, _office_hour(answered, rng), self.office(community_id, answered),
                       rng.choice(REPLIES[S.not_accepted]))
            self._rate(story, .3)
            return
        if not self._take(story, S.accepted, _office_hour(answered, rng), self.office(community_id, answered)):
            return
        row["due_on"] = cal.add(answered, rules["reply"])
        visited = answered + timedelta(days=rng.randint(1, 6))
        if not self._take(story, S.assessing, _office_hour(visited, rng), self.office(community_id, visited)):
            return
        within = rules["reply"] + rng.randint(1, 10) if rng.random() < .15 else rng.randint(4, rules["reply"])
        decided = max(cal.add(answered, within), visited + timedelta(days=2))
        if rng.random() < .2:
            consulted = visited + timedelta(days=rng.randint(3, 8))
            if not self._take(story, S.consulting, _office_hour(consulted, rng), self.office(community_id, consulted)):
                return
            decided = max(decided, consulted + timedelta(days=rng.randint(5, 10)))
        decision = rng.choices([S.adopted, S.referred, S.declined], weights=[40, 30, 22])[0]
        if self._take(story, decision, _office_hour(decided, rng), self.office(community_id, decided),
                      rng.choice(REPLIES[decision])):
            self._rate(story, .55)

    def _take(self, story: _Story, to_state: ProposalState, at: datetime, actor_id: int, reply: str = "") -> bool:
        """Take the step unless its time has not come yet (the story then stops in its current state)."""
        row = story.row
        if at.astimezone(timezone.utc) >= self.now:
            return False
        if row["state"] is S.submitted:
            row["first_response_at"] = at
        story.step(to_state, at, actor_id, reply)
        if to_state.is_decision:
            row["decided_at"], row["due_on"] = at, None
        elif to_state in (S.withdrawn, S.closed):
            row["due_on"] = None
        if to_state is S.closed:
            row["closed_at"] = at
        return True

    def _rate(self, story: _Story, share: float) -> None:
        rng, row = self.rng, story.row
        if rng.random() >= share:
            return
        score, comment = rng.choice(SCORES[row["state"]]), rng.choice(RATING_COMMENTS)
        if self._take(story, S.closed, row["decided_at"] + timedelta(days=rng.randint(2, 25), hours=rng.randint(1, 9)),
                      row["author_id"]):
            row["satisfaction"], row["satisfaction_comment"] = score, comment


def _received_already(months: list[date]) -> dict[tuple[int, date], int]:
    """{(community id, month): proposals} the demo has already (proposals.demo's recent weeks)."""
    counts: dict[tuple[int, date], int] = {}
    for community_id, submitted in db.session.execute(select(Proposal.community_id, Proposal.submitted_at).where(
            Proposal.submitted_at >= datetime.combine(months[0], time(), tzinfo=local_zone()))):
        key = (community_id, submitted.astimezone(local_zone()).date().replace(day=1))
        counts[key] = counts.get(key, 0) + 1
    return counts


def has_history() -> bool:
    return db.session.scalar(select(Proposal.id).where(Proposal.submitted_at < datetime.combine(
        history_months()[6], time(), tzinfo=local_zone())).limit(1)) is not None


def seed_proposal_history(admin: User) -> int:
    """Twelve months of proposals in every served community of both districts; returns how many were added."""
    if has_history():
        return 0
    writer = _Writer(admin, random.Random(HISTORY_SEED))
    communities = db.session.scalars(select(Place).where(Place.id.in_(writer.accounts)).order_by(Place.code)).all()
    stories, months = [], history_months()
    already = _received_already(months)
    for community in communities:
        policy = policy_for(district_of(community))
        rules, categories = proposal_rules(policy), policy.proposal_categories or ["其他"]
        liveliness = writer.rng.uniform(.75, 1.25)
        for index, month in enumerate(months):
            growth = .85 + .3 * index / 11  # the platform gets known over the year
            count = min(8, max(2, round(writer.rng.gauss(4.8 * liveliness * growth * MONTH_FACTOR[month.month], 1.1))))
            # The recent weeks have proposals of their own: the history tops the month up to its count.
            count -= already.get((community.id, month), 0)
            stories += [writer.story(community, month, rules, categories) for _ in range(count)]
    stories.sort(key=lambda story: story.row["submitted_at"])
    ids = db.session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True),
                             [story.row for story in stories]).all()
    db.session.execute(insert(ProposalEvent), [{"proposal_id": proposal_id, **event}
                                               for proposal_id, story in zip(ids, stories) for event in story.events])
    db.session.execute(insert(Support), [{"proposal_id": proposal_id, "user_id": user, "created_at": at}
                                         for proposal_id, story in zip(ids, stories) for user, at in story.supports])
    return len(stories)
