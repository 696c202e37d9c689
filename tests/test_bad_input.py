"""Bad query strings on every GET route: NUL bytes, huge integers and invalid UTF-8 get a 400, never a 500."""
from datetime import timedelta

import pytest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import AnyConverter, IntegerConverter

from planner_platform.accounts.models import Role, RoleGrant
from planner_platform.activities.models import ActivityFile, FileKind
from planner_platform.core.calendar import local_today
from planner_platform.extensions import db
from planner_platform.planners.models import Assignment, PlannerProfile, Team
from planner_platform.projects.models import DocumentKind, Project, ProjectDocument, Stage
from planner_platform.proposals.models import ProposalPhoto
from tests.activities.conftest import make_activity
from tests.conftest import login
from tests.proposals.conftest import cast, make_proposal, says  # noqa: F401  (fixture)

HUGE = "9" * 40
#: Raw query-string values: a NUL byte, a number beyond any integer column, a byte that is not UTF-8.
BAD_VALUES = ("a%00b", HUGE, "-" + HUGE, "%FF")
#: Arguments sent to every route whether it reads them or not.
GENERIC = ("q", "page", "id", "next")
#: Cursors of the public list, which only mean something together with a sort order.
CURSORS = ("sort=supported&after=1~" + HUGE, "sort=supported&after=" + HUGE + "~1", "sort=commented&after=1~-1",
           "sort=newest&after=9999-12-31T23:59:59-23:59~1", "sort=newest&after=a%00~1")


class RecordingArgs(ImmutableMultiDict):
    """request.args that remembers which names the view asked for."""

    read: set[str] = set()

    def get(self, key, default=None, type=None):
        RecordingArgs.read.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        RecordingArgs.read.add(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):
        RecordingArgs.read.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        RecordingArgs.read.add(key)
        return super().__contains__(key)


@pytest.fixture
def dataset(app, cast, places):  # noqa: F811
    """One row of every kind a GET route shows, so each route is walked with ids that exist."""
    proposal_id = make_proposal(app, cast.resident)
    activity_id = make_activity(app, cast.planner, starts_in=timedelta(days=-2))
    with app.app_context():
        photo = ProposalPhoto(proposal_id=proposal_id, storage_key="missing-photo", width=1, height=1, size_bytes=1)
        sheet = ActivityFile(activity_id=activity_id, kind=FileKind.sign_in_sheet, storage_key="missing-sheet",
                             width=1, height=1, size_bytes=1)
        planner = db.session.query(PlannerProfile).filter_by(user_id=cast.planner.id).one()
        team = Team(name="东湖一队", district_id=places["D1"].id, lead_id=planner.id)
        project = Project(title="口袋公园", community_id=cast.community.id, owner_id=cast.community.parent_id,
                          lead_planner_id=cast.planner.id, state=Stage.listed, stage_since=local_today())
        db.session.add_all([photo, sheet, team, project])
        db.session.flush()
        document = ProjectDocument(project_id=project.id, kind=DocumentKind.design_scheme, title="方案", version=1,
                                   public=True, storage_key="missing-document", extension="pdf", size_bytes=1)
        db.session.add(document)
        # One staff account that passes every gate: administrator, district and sub-district staff.
        for role, code in ((Role.admin, "C"), (Role.district_staff, "D1")):
            db.session.add(RoleGrant(user_id=cast.street.id, role=role, place_id=places[code].id))
        db.session.commit()
        ids = {"proposal_id": proposal_id, "activity_id": activity_id, "photo_id": photo.id, "file_id": sheet.id,
               "planner_id": planner.id, "team_id": team.id, "place_id": cast.community.id,
               "district_id": places["D1"].id, "user_id": cast.resident.id,
               "assignment_id": db.session.query(Assignment.id).scalar(), "project_id": project.id,
               "document_id": document.id, "job_id": 1, "report_id": 1,
               "export_id": 1}  # no such export or report: 404
    return ids


def _value_for(name, converter, ids: dict, token: str):
    if isinstance(converter, IntegerConverter):
        return ids.get(name, ids.get("*"))
    if isinstance(converter, AnyConverter):  # a fixed set of words (e.g. csv|xlsx): the walk tries each route once
        return sorted(converter.items)[0]
    return token


def _get_routes(app, ids: dict, token: str = "not-a-token") -> list[str]:
    """The path of every GET route: numeric parameters from `ids` (by name, or "*" for all), others `token`."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        filled = {name: _value_for(name, converter, ids, token) for name, converter in rule._converters.items()}
        with app.test_request_context():
            paths.add(rule.build(filled, append_unknown=False)[1])
    return sorted(paths)


#: Ids no INTEGER column (32 bits on PostgreSQL) or no integer at all (beyond 64 bits) can hold, and a NUL token.
PATH_PROBES = (({"*": 2**31}, "a\x00b"), ({"*": 2**63}, "%FF"), ({"*": 10**30}, "x" * 500))


def _answer(client, path: str, **kwargs) -> str | None:
    """What went wrong with GET `path`: a 5xx status, or an exception the error page itself raised; else None."""
    try:
        status = client.get(path, **kwargs).status_code
    except Exception as error:  # e.g. the 500 page failing on a transaction PostgreSQL has aborted
        return f"raised {type(error).__name__}: {str(error)[:120]}"
    return f"answered {status}" if status >= 500 else None


def _walk(app, client, ids) -> list[str]:
    """Every GET route with each bad value in each argument it reads and in the generic ones; the failures."""
    failures = []
    for path in _get_routes(app, ids):
        RecordingArgs.read = set()
        client.get(path)
        names = sorted(RecordingArgs.read | set(GENERIC))
        urls = [f"{path}?{name}={value}" for name in names for value in BAD_VALUES]
        urls += [f"{path}?{query}" for query in CURSORS]
        failures += [f"{url} {problem}" for url in urls if (problem := _answer(client, url))]
        # A byte that is not UTF-8, sent as it is (the test client would percent-encode it).
        if problem := _answer(client, path, environ_overrides={"QUERY_STRING": "q=\xff"}):
            failures.append(f"{path}?q=<raw 0xFF> {problem}")
    for huge, token in PATH_PROBES:
        failures += [f"{path} {problem}" for path in _get_routes(app, huge, token)
                     if (problem := _answer(client, path))]
    return failures


@pytest.fixture
def recording(app, monkeypatch):
    monkeypatch.setattr(app.request_class, "parameter_storage_class", RecordingArgs)


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_get_route_answers_bad_query_arguments_with_a_server_error(app, client, cast, dataset, recording,  # noqa: F811
                                                                       who):
    if who == "staff":
        login(client, cast.street)
    assert len(_get_routes(app, dataset)) >= 50
    failures = _walk(app, client, dataset)
    assert not failures, "\n".join(failures)


NAMED = "This address is not valid: “%(name)s” has a value this page cannot use. Go back and use the page's own " \
        "links and filters."


@pytest.mark.parametrize("url, name", [
    ("/activities/?place=" + HUGE, "place"),
    ("/activities/?month=2026-13", "month"),
    ("/activities/?day=2026-02-30", "day"),
    ("/activities/?day=2026-02-03&after=yesterday~1", "after"),
    ("/proposals/?sort=supported&after=1~" + HUGE, "after"),
    ("/proposals/?sort=newest&after=yesterday~1", "after"),
    ("/proposals/?sort=loudest", "sort"),
    ("/proposals/?state=everything", "state"),
    ("/planners/?organisation=-1", "organisation"),
    ("/activities/records?from=2026-02-30", "from"),
    ("/workspace/?page=" + HUGE, "page"),
])
def test_a_value_an_argument_cannot_have_is_a_400_naming_the_argument(app, client, cast, url, name):  # noqa: F811
    login(client, cast.street)
    response = client.get(url)
    assert response.status_code == 400
    assert says(app, response.get_data(as_text=True), NAMED, name=name)


def test_nul_bytes_and_broken_utf8_are_a_400_with_a_message_and_json_asks_get_json(app, client, cast):  # noqa: F811
    for url in ("/proposals/?q=%E6%89%B6%00", "/workspace/?category=a%00"):
        response = client.get(url)
        assert response.status_code == 400
        assert says(app, response.get_data(as_text=True), "This address is not valid: it contains control characters.")
    response = client.get("/proposals/?q=%FF")
    assert response.status_code == 400
    assert says(app, response.get_data(as_text=True), "This address is not valid: it contains bytes that are not "
                                                       "UTF-8 text.")
    response = client.get("/proposals/map/cells.json?bbox=114.3,30.5,114.4,30.6&q=%00")
    assert response.status_code == 400 and response.get_json()["status"] == 400
    assert says(app, response.get_json()["error"], "This address is not valid: it contains control characters.")


def test_well_formed_arguments_still_filter_and_page(app, client, cast, dataset):  # noqa: F811
    login(client, cast.street)
    after_first = "/proposals/?sort=supported&after=0~" + str(dataset["proposal_id"] + 1)
    for url in (after_first, "/proposals/?state=open&q=扶手", f"/activities/?month=2026-3&place={cast.community.id}",
                "/activities/records?from=2026-01-01&overdue=1", "/workspace/?page=2&mine=1",
                f"/planners/?coverage=idle&organisation={dataset['planner_id']}"):
        assert client.get(url).status_code == 200, url
    assert "楼道加装扶手" in client.get(after_first).get_data(as_text=True)
