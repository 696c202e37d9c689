"""The public timeline of a proposal: a reply typed again, word for word, for consecutive steps is shown once, under
the steps it answered; a different reply, or the same one after a step with another, is shown again."""
import re

from tests.conftest import login, submit
from tests.proposals.conftest import make_proposal

SAME = "已安排规划师现场查看，两周内答复。"


def _step(client, proposal_id, to, reply=""):
    return submit(client, f"/workspace/proposals/{proposal_id}/step", {"to": to, "reply": reply},
                  form_url=f"/proposals/{proposal_id}", follow_redirects=True)


def _entries(page: str) -> list[tuple[int, list[str]]]:
    """The timeline as [(number of steps in the entry, [replies shown in it])]."""
    timeline = page[page.index('<ol class="timeline">'):]
    timeline = timeline[:timeline.index("</ol>")]
    return [(entry.count("<strong>"), re.findall(r'class="[^"]*reply"><span[^>]*>[^<]*</span>([^<]*)</div>', entry))
            for entry in timeline.split("<li>")[1:]]


def test_the_same_reply_for_three_steps_in_a_row_is_shown_once(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    for to in ("accepted", "assessing", "adopted"):
        _step(client, proposal_id, to, SAME if to != "assessing" else f"  {SAME}\n")  # re-typed, stray spaces
    resident = app.test_client()
    login(resident, cast.resident)
    page = resident.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert page.count(SAME) == 1
    # submitted (no reply), then one entry of the three steps with the reply once
    assert _entries(page) == [(1, []), (3, [SAME])]
    for label in ("已受理", "研判中", "已采纳"):
        assert label in page


def test_a_different_reply_between_two_equal_ones_keeps_all_three(app, client, cast):
    proposal_id = make_proposal(app, cast.resident)
    login(client, cast.planner)
    _step(client, proposal_id, "accepted", SAME)
    _step(client, proposal_id, "assessing", "先征求楼内居民意见。")
    _step(client, proposal_id, "adopted", SAME)
    page = app.test_client().get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert _entries(page) == [(1, []), (1, [SAME]), (1, ["先征求楼内居民意见。"]), (1, [SAME])]
