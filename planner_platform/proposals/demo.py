"""The demo city's proposals: a few hundred across every state, with photos, supports, comments and some overdue.

Built through the services, so every proposal has a consistent history; afterwards the dates are moved into the
past so that deadlines run out. Deterministic (fixed random seed) and idempotent.
"""
import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select, update

from planner_platform.accounts.models import Role, RoleGrant, User
from planner_platform.accounts.passwords import hash_password
from planner_platform.areas.geometry import bounds_of
from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core import media
from planner_platform.core.calendar import local_today
from planner_platform.core.db import utcnow
from planner_platform.extensions import db
from planner_platform.proposals import participation, services
from planner_platform.proposals.models import Proposal, ProposalState

#: (title, category wanted, description). A category the district does not use falls back to its first one.
IDEAS = [
    ("楼道加装扶手", "适老化", "老楼楼道没有扶手，老人上下楼很吃力，建议每层加装扶手。"),
    ("小区门口增设休息座椅", "适老化", "老人买菜回来想歇一歇，门口没有座椅，建议增设几张带靠背的座椅。"),
    ("口袋公园改造", "公共空间", "3号楼东侧空地长期闲置堆放杂物，建议改成口袋公园，种些花草，放几张长椅。"),
    ("儿童游乐设施更新", "儿童友好", "游乐场滑梯生锈开裂，孩子玩耍有危险，建议更换并铺设软质地面。"),
    ("增加非机动车充电棚", "停车", "电动车在楼道充电有火灾隐患，建议在空地建集中充电棚。"),
    ("路灯太暗需要增亮", "照明", "晚上小区主路很暗，老人散步容易摔倒，建议更换节能亮一些的路灯。"),
    ("垃圾分类亭异味大", "环境卫生", "垃圾分类亭夏天气味很大，建议加装除臭和洗手设施，并调整清运时间。"),
    ("无障碍坡道", "无障碍", "单元门口只有台阶，轮椅和婴儿车进不去，建议修建无障碍坡道。"),
    ("行道树修剪", "绿化", "沿街树木枝叶遮挡低层住户采光，也挡住路灯，建议定期修剪。"),
    ("共享菜园", "绿化", "楼顶和边角空地可以改成共享菜园，让邻居一起种菜，增进交流。"),
    ("停车位重新划线", "停车", "小区停车无序，消防通道经常被占，建议重新规划划线并设置标识。"),
    ("老旧外墙脱落", "楼栋改造", "5号楼外墙瓷砖有脱落，楼下行人有危险，建议尽快检修。"),
    ("加装电梯咨询", "楼栋改造", "多层住宅老人多，希望了解加装电梯的政策并组织居民协商。"),
    ("社区议事角", "公共空间", "希望有一个固定的议事角，居民可以坐下来讨论社区的事。"),
    ("历史建筑标识牌", "历史风貌", "老街上的历史建筑没有介绍，建议设置标识牌，讲好街区故事。"),
    ("雨天积水", "公共空间", "小区入口一下雨就积水，出行不便，建议改造排水。"),
    ("健身器材维修", "公共空间", "健身器材有几件坏了很久，建议维修并增加适合老人的器材。"),
    ("放学接送等候区", "儿童友好", "学校门口家长等候没有遮阳挡雨的地方，建议设置等候区。"),
]
COMMENTS = ["支持！我家老人也需要。", "这个问题确实存在很久了。", "建议一起考虑夜间照明。", "希望尽快落实。",
            "可以组织一次居民议事会讨论一下。", "我愿意参与志愿维护。"]
#: How many proposals end in each state (about 300 in all).
STATE_PLAN = [(ProposalState.draft, 10), (ProposalState.submitted, 40), (ProposalState.accepted, 30),
              (ProposalState.assessing, 40), (ProposalState.consulting, 15), (ProposalState.not_accepted, 15),
              (ProposalState.adopted, 45), (ProposalState.merged, 10), (ProposalState.referred, 20),
              (ProposalState.declined, 25), (ProposalState.withdrawn, 10), (ProposalState.closed, 45)]
#: The path to each final state through the lifecycle.
PATHS = {
    ProposalState.accepted: [ProposalState.accepted],
    ProposalState.assessing: [ProposalState.accepted, ProposalState.assessing],
    ProposalState.consulting: [ProposalState.accepted, ProposalState.assessing, ProposalState.consulting],
    ProposalState.not_accepted: [ProposalState.not_accepted],
    ProposalState.adopted: [ProposalState.accepted, ProposalState.assessing, ProposalState.adopted],
    ProposalState.referred: [ProposalState.accepted, ProposalState.assessing, ProposalState.referred],
    ProposalState.declined: [ProposalState.accepted, ProposalState.assessing, ProposalState.declined],
    ProposalState.closed: [ProposalState.accepted, ProposalState.assessing, ProposalState.adopted],
}
REPLIES = {
    ProposalState.not_accepted: "该事项属于物业服务合同范围，请联系物业公司处理；社区将协助督促。",
    ProposalState.adopted: "经现场踏勘和居民议事会讨论，采纳该提案，纳入本年度社区微更新项目。",
    ProposalState.referred: "该事项已转交区城管局办理，办理结果将在此公示。",
    ProposalState.declined: "经研判，该位置地下管线密集，暂不具备实施条件；规划师将与居民另寻选址。",
}
RESIDENTS = 40


def _demo_residents(communities: list[Place], rng: random.Random) -> list[User]:
    password = hash_password("Demo-Planner-2026")  # hashed once: scrypt per account would slow the seed down
    residents = []
    for number in range(1, RESIDENTS + 1):
        phone = f"1390100{number:04d}"
        user = db.session.scalar(select(User).where(User.phone == phone))
        if user is None:
            user = User(phone=phone, display_name=f"{'王李张刘陈杨赵黄周吴'[number % 10]}居民{number:02d}",
                        password_hash=password, password_changed_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(RoleGrant(user_id=user.id, role=Role.resident, place_id=rng.choice(communities).id))
        residents.append(user)
    db.session.flush()
    return residents


def _demo_photos(count: int) -> list[media.CleanPhoto]:
    """A few synthetic street-scene-like pictures (sky, a building, a path), re-encoded like any upload."""
    result = []
    for index in range(count):
        image = Image.new("RGB", (800, 600), (135 + index * 15, 190, 235))
        draw = ImageDraw.Draw(image)
        draw.rectangle((60 + index * 40, 180, 420 + index * 30, 600), fill=(190, 170 - index * 10, 150))
        for row in range(5):
            for col in range(4):
                draw.rectangle((90 + index * 40 + col * 80, 210 + row * 70, 130 + index * 40 + col * 80,
                                250 + row * 70), fill=(90, 120, 160))
        draw.polygon([(0, 600), (800, 600), (800, 470), (380, 520)], fill=(110, 160 - index * 8, 90))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        buffer.seek(0)
        result.append(media.clean_photo(buffer, f"demo-{index}.png"))
    return result


def _point_in(community: Place, rng: random.Random) -> tuple[float | None, float | None]:
    if not community.boundary:
        return None, None
    west, south, east, north = bounds_of([community.boundary])
    return south + (north - south) * rng.uniform(.15, .85), west + (east - west) * rng.uniform(.15, .85)


def _backdate(proposal: Proposal, days_ago: int, rng: random.Random) -> None:
    """Move a proposal's dates into the past so that its deadline runs as if it had arrived back then. Its steps
    are spread up to the decision (a few days after arrival), about two days apart after it or when undecided, never
    later than now; its stamps (first response, decision, closing) are the times of those steps, so that the
    indicators read one consistent story."""
    now = utcnow()
    submitted = now - timedelta(days=days_ago)
    values = {"submitted_at": submitted, "created_at": submitted}
    if proposal.state.is_open and proposal.due_on:
        values["due_on"] = local_today() + timedelta(days=rng.randint(-8, 12) if days_ago > 10 else 3)
    decided_after = timedelta(days=rng.randint(3, max(4, days_ago - 1))) if proposal.decided_at else None
    decision = next((step for step, event in enumerate(proposal.history) if event.to_state.is_decision), None)
    hours = [timedelta(hours=rng.randint(1, 8)) for _event in proposal.history]
    for step, event in enumerate(proposal.history):
        if step == 0:
            event.occurred_at = submitted
            continue
        if decision and step <= decision:
            at = submitted + decided_after * step / decision + hours[step]
        else:
            at = submitted + (decided_after or timedelta()) + timedelta(days=2 * (step - (decision or 0))) + hours[step]
        event.occurred_at = min(at, now - timedelta(minutes=len(hours) - step))
        if step == 1 and proposal.first_response_at:
            values["first_response_at"] = event.occurred_at
        if event.to_state.is_decision:
            values["decided_at"] = event.occurred_at
        if event.to_state is ProposalState.closed:
            values["closed_at"] = event.occurred_at
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(**values),
                       execution_options={"synchronize_session": False})


def seed_proposals(admin: User) -> int:
    """Create the demo proposals unless some exist; returns how many there are."""
    if db.session.scalar(select(Proposal.id).limit(1)):
        return db.session.query(Proposal).count()
    rng = random.Random(20261128)
    communities = db.session.scalars(select(Place).where(Place.level == PlaceLevel.community)
                                     .order_by(Place.code)).all()
    residents = _demo_residents(communities, rng)
    resident_demo = db.session.scalar(select(User).where(User.phone == "13900000007"))
    pictures = _demo_photos(6)
    created: list[Proposal] = []
    for state, count in STATE_PLAN:
        for _ in range(count):
            created.append(_one_proposal(admin, state, rng, communities, residents, pictures, created))
    _demo_resident_proposals(admin, resident_demo, communities, pictures, created)
    db.session.flush()
    _participate(residents, created, rng)
    return len(created)


def _one_proposal(admin, state, rng, communities, residents, pictures, created) -> Proposal:
    title, wanted, description = rng.choice(IDEAS)
    community = rng.choice(communities)
    author = rng.choice(residents)
    categories = services.categories_for(community)
    lat, lng = _point_in(community, rng) if rng.random() < 0.8 else (None, None)
    data = services.ProposalInput(title=f"{community.name}{title}", description=description, community=community,
                                  category=wanted if wanted in categories else categories[0], lat=lat, lng=lng)
    proposal = services.save(author, data, [rng.choice(pictures)] if rng.random() < 0.25 else [],
                             submit=state is not ProposalState.draft)
    _walk(admin, author, proposal, state, created)
    if state is not ProposalState.draft:
        _backdate(proposal, rng.randint(2, 60), rng)
    return proposal


def _walk(admin: User, author: User, proposal: Proposal, state: ProposalState, created: list[Proposal]) -> None:
    for step in PATHS.get(state, []):
        services.advance(admin, proposal, step, REPLIES.get(step, ""))
    if state is ProposalState.closed:
        services.rate(author, proposal, 3 + proposal.id % 3, "感谢规划师的耐心解释。")
    elif state is ProposalState.withdrawn:
        services.withdraw(author, proposal)
    elif state is ProposalState.merged:
        target = next((p for p in reversed(created) if p.state.is_open
                       and p.community.parent_id == proposal.community.parent_id), None)
        if target is not None:
            services.merge(admin, proposal, target, "")


def _demo_resident_proposals(admin, resident, communities, pictures, created) -> None:
    """The demo resident's own: one decided and waiting for a rating, one being assessed, one draft."""
    home = resident.home_community or communities[0]
    for state, (title, category, description) in [(ProposalState.adopted, IDEAS[0]),
                                                  (ProposalState.assessing, IDEAS[2]),
                                                  (ProposalState.draft, IDEAS[1])]:
        categories = services.categories_for(home)
        data = services.ProposalInput(title=title, description=description, community=home,
                                      category=category if category in categories else categories[0])
        proposal = services.save(resident, data, [pictures[0]] if state is ProposalState.adopted else [],
                                 submit=state is not ProposalState.draft)
        _walk(admin, resident, proposal, state, created)
        created.append(proposal)


def _participate(residents: list[User], proposals: list[Proposal], rng: random.Random) -> None:
    for proposal in proposals:
        if proposal.state not in participation.PARTICIPATING_STATES:
            continue
        for supporter in rng.sample(residents, rng.randint(0, 25)):
            if supporter.id != proposal.author_id:
                participation.support(supporter, proposal)
        for text in rng.sample(COMMENTS, rng.randint(0, 3)):
            participation.add_comment(rng.choice(residents), proposal, text)

