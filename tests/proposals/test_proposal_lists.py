"""The public list, search, sorting, keyset pages, the map's clusters, and a bounded number of queries."""
import re
import uuid

import pytest
from sqlalchemy import text, update

from planner_platform.accounts.models import Role, User
from planner_platform.core.fragments import FragmentMemo
from planner_platform.extensions import db
from planner_platform.proposals import participation, services
from planner_platform.proposals.models import Proposal, ProposalPhoto, ProposalState
from planner_platform.proposals.search import index_tokens, matches, query_tokens
from tests.conftest import csrf_token_from, login
from tests.proposals.conftest import INSIDE, make_proposal
from tests.test_query_counts import count_queries

TITLE = re.compile(r'<h2 class="h5 card-title mb-1"><a href="/proposals/(\d+)">')


def _ids(client, url) -> tuple[list[int], str | None]:
    html = client.get(url).get_data(as_text=True)
    more = re.search(r'href="([^"]+)" rel="next"', html)
    return [int(i) for i in TITLE.findall(html)], more.group(1).replace("&amp;", "&") if more else None


def test_chinese_search_finds_words_inside_sentences_and_nothing_else(app, client, cast):
    wanted = make_proposal(app, cast.resident, title="楼道加装扶手", description="老人上下楼不安全")
    escalator = make_proposal(app, cast.resident, title="手扶电梯维修", description="商场门口")
    make_proposal(app, cast.resident, title="增设座椅", description="建议在3号楼门口放LED灯和座椅")
    assert _ids(client, "/proposals/?q=扶手")[0] == [wanted]
    assert _ids(client, "/proposals/?q=上下楼")[0] == [wanted]
    assert _ids(client, "/proposals/?q=扶手 老人")[0] == [wanted]
    assert len(_ids(client, "/proposals/?q=led")[0]) == len(_ids(client, "/proposals/?q=LE")[0]) == 1
    assert _ids(client, "/proposals/?q=梯")[0] == [escalator]  # one character: found on both databases
    assert _ids(client, "/proposals/?q=扶手 商场")[0] == []
    assert _ids(client, "/proposals/?q=%25")[0] == []  # a LIKE wildcard is searched for, not obeyed


def test_the_index_holds_characters_bigrams_and_words_and_a_query_asks_for_bigrams_or_prefixes():
    assert index_tokens("加装扶手 LED灯") == {"加", "装", "扶", "手", "加装", "装扶", "扶手", "led", "灯"}
    assert query_tokens("装扶手") == {"装扶", "扶手"} and query_tokens("楼") == {"楼"}
    assert query_tokens("LE") == {"le:*"}


def test_postgresql_answers_a_search_from_the_gin_index(app, cast, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the GIN index exists on PostgreSQL only")
    make_proposal(app, cast.resident, title="楼道加装扶手")
    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show its choice
        query = db.select(Proposal.id).where(matches("扶手", "postgresql"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
        db.session.rollback()
    assert "ix_proposals_search" in plan, plan


def test_sorting_and_keyset_pages_cover_every_proposal_once(app, client, cast):
    ids = [make_proposal(app, cast.resident, title=f"提案{n}") for n in range(45)]
    with app.app_context():
        for n, proposal_id in enumerate(ids):
            db.session.execute(update(Proposal).where(Proposal.id == proposal_id).values(support_count=n % 7))
        db.session.commit()
    for sort in ("newest", "supported", "commented"):
        seen, url = [], f"/proposals/?sort={sort}"
        while url:
            page, url = _ids(client, url)
            seen += page
        assert sorted(seen) == sorted(ids), sort
    first_page = _ids(client, "/proposals/?sort=supported")[0]
    counts = {i: (ids.index(i) % 7) for i in ids}
    assert [counts[i] for i in first_page] == sorted((counts[i] for i in first_page), reverse=True)
    assert counts[first_page[0]] == 6
    assert client.get("/proposals/?after=garbage~x").status_code == 400


def test_the_map_clusters_proposals_in_the_box(app, client, cast):
    for n in range(3):
        make_proposal(app, cast.resident, title=f"点{n}", lat=INSIDE[0] + n * 0.0001, lng=INSIDE[1])
    make_proposal(app, cast.resident, title="没有点的")
    far = client.get("/proposals/map/cells.json?bbox=114,30,115,31&zoom=10").get_json()["cells"]
    assert [c["count"] for c in far] == [3]
    near = client.get("/proposals/map/cells.json?bbox=114.3,30.55,114.31,30.56&zoom=22").get_json()["cells"]
    assert sorted(c["count"] for c in near) == [1, 1, 1] and {c["title"] for c in near} == {"点0", "点1", "点2"}
    assert client.get("/proposals/map/cells.json?bbox=114,30,115,31&zoom=10&category=不存在").get_json() == \
        {"cells": []}
    for bad in ("oops", "1,2,3", "nan,30,115,31", "114,30,inf,31"):
        assert client.get(f"/proposals/map/cells.json?bbox={bad}").status_code == 400


def _grow(app, cast, count: int, proposal_id: int | None = None) -> int:
    """`count` more proposals, each accepted with a reported comment, a note and a photo; or, given a proposal,
    that many more comments, notes and supports on it. Returns the (first) proposal's id."""
    ids = [proposal_id] * count if proposal_id else [make_proposal(app, cast.resident, title=f"提案{n}")
                                                     for n in range(count)]
    with app.app_context():
        street, neighbour = db.session.get(User, cast.street.id), db.session.get(User, cast.neighbour.id)
        for target_id in ids:
            proposal = db.session.get(Proposal, target_id)
            if proposal.state is ProposalState.submitted:
                services.advance(street, proposal, ProposalState.accepted, "受理")
            participation.add_comment(neighbour, proposal, "支持").report_count = 1
            participation.add_note(street, proposal, "备注")
            proposal.photos.append(ProposalPhoto(storage_key=uuid.uuid4().hex, width=1, height=1, size_bytes=1))
        db.session.commit()
    return ids[0]


@pytest.mark.parametrize("path", ["/proposals/", "/proposals/?q=提案&sort=supported", "/proposals/mine",
                                  "/workspace/", "/workspace/?overdue=1&state=open", "/workspace/moderation"])
def test_list_pages_do_not_query_per_row(app, client, cast, path):
    _grow(app, cast, 2)
    login(client, cast.street if "workspace" in path else cast.resident)
    with count_queries(app) as few:
        assert client.get(path).status_code == 200
    _grow(app, cast, 20)
    with count_queries(app) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_a_residents_proposal_page_with_many_comments_costs_eight_statements(app, client, cast):
    proposal_id = _grow(app, cast, 1)
    _grow(app, cast, 15, proposal_id)
    with app.app_context():  # adopted: its page also says whether a project grew from it
        street, proposal = db.session.get(User, cast.street.id), db.session.get(Proposal, proposal_id)
        services.advance(street, proposal, ProposalState.assessing, "评估")
        services.advance(street, proposal, ProposalState.adopted, "采纳，列入计划")
        db.session.commit()
    login(client, cast.resident)
    client.get(f"/proposals/{proposal_id}")
    with count_queries(app) as statements:
        page = client.get(f"/proposals/{proposal_id}")
    assert page.status_code == 200 and page.get_data(as_text=True).count("支持") >= 16
    # The session (its user, grants and the unread count), the proposal (with the reader's support), its events,
    # photos, comments, the proposals merged into it, the proposer's consent to their name, its projects.
    sql = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))]
    assert len(sql) <= 8, sql


def test_a_proposals_page_does_not_query_per_comment_note_or_photo(app, client, cast):
    proposal_id = _grow(app, cast, 1)
    login(client, cast.street)
    with count_queries(app) as few:
        assert client.get(f"/proposals/{proposal_id}").status_code == 200
    _grow(app, cast, 15, proposal_id)
    with count_queries(app) as many:
        assert client.get(f"/proposals/{proposal_id}").status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_counts_on_a_card_agree_with_their_number_in_english_and_stay_chinese_by_default(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == proposal_id).values(support_count=1, comment_count=2))
        db.session.commit()
    english = " ".join(client.get("/proposals/", headers={"Accept-Language": "en"}).get_data(as_text=True).split())
    assert "· 1 support · 2 comments" in english
    chinese = " ".join(client.get("/proposals/").get_data(as_text=True).split())
    assert "· 1 人附议 · 2 条评论" in chinese


def test_a_card_shown_before_shows_each_change_and_each_language(app, client, cast, make_user):
    """The list keeps cards rendered (core/fragments.py): a new support, a decision, a photo or the other language
    is a card of its own, never the one rendered before."""
    proposal_id = make_proposal(app, cast.resident, title="楼道加装扶手")

    def card():
        html = client.get("/proposals/").get_data(as_text=True)
        start = html.index(f'href="/proposals/{proposal_id}"')
        return html[html.rindex("<article", 0, start):html.index("</article>", start)]

    assert "0 人附议" in card() and card() == card()
    with app.app_context():
        participation.support(db.session.get(User, make_user(Role.resident, "D1S1C1").id),
                              db.session.get(Proposal, proposal_id))
        db.session.commit()
    assert "1 人附议" in card()
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == proposal_id).values(state=ProposalState.adopted))
        db.session.commit()
    assert "已采纳" in card()
    page = client.get("/proposals/")
    client.post("/language", data={"csrf_token": csrf_token_from(page.data), "locale": "en", "next": "/proposals/"})
    assert "1 support" in card() and "Adopted" in card() and "人附议" not in card()


def test_the_memory_of_rendered_fragments_keeps_the_most_recently_used(app):
    memo = FragmentMemo(max_entries=2)
    renders = []

    def render(text):
        return lambda: renders.append(text) or text

    with app.test_request_context("/"):
        assert [memo("a", caller=render("A")), memo("b", caller=render("B")), memo("a", caller=render("?"))] == \
            ["A", "B", "A"]
        memo("c", caller=render("C"))  # b is the least recently used: it makes room
        assert memo("a", caller=render("?")) == "A" and memo("b", caller=render("B2")) == "B2"
    assert renders == ["A", "B", "C", "B2"] and len(memo) == 2
