"""The budget and funding ledger: amounts in exact fen, the database refusing to spend more than a source approved
(raw SQL included), the service refusing with a message and changing nothing, the public disclosure."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from planner_platform.accounts.models import User
from planner_platform.core.audit import AuditEntry
from planner_platform.core.calendar import local_today
from planner_platform.core.errors import DomainError, NotAllowed
from planner_platform.extensions import db
from planner_platform.projects import ledger
from planner_platform.projects.forms import yuan_to_fen
from planner_platform.projects.models import FundingSource, Project, ProjectFunding, Spending
from tests.conftest import csrf_token_from, login, submit
from tests.projects.conftest import make_project
from tests.proposals.conftest import says


def fund(app, people, project_id, source=FundingSource.self_governance_fund, approved_fen=1_000_000) -> int:
    with app.app_context():
        funding = ledger.set_funding(db.session.get(User, people.street.id), db.session.get(Project, project_id),
                                     source, approved_fen, "2026年度自治金")
        db.session.commit()
        return funding.id


def spend(app, people, project_id, funding_id, amount_fen, purpose="铺装透水砖"):
    with app.app_context():
        entry = ledger.record_spending(db.session.get(User, people.street.id), db.session.get(Project, project_id),
                                       ledger.SpendingInput(funding=db.session.get(ProjectFunding, funding_id),
                                                            spent_on=local_today(), purpose=purpose,
                                                            amount_fen=amount_fen))
        db.session.commit()
        return entry.id


def spent(app, funding_id) -> int:
    with app.app_context():
        return db.session.scalar(text("SELECT spent_fen FROM project_fundings WHERE id = :id"), {"id": funding_id})


def test_yuan_converts_to_fen_exactly():
    assert yuan_to_fen("12,500.50") == 1_250_050
    assert yuan_to_fen("0.1") == 10 and yuan_to_fen("0.29") == 29  # 0.29 * 100 is 28.999… in binary floats
    assert yuan_to_fen("99999999.99") == 9_999_999_999
    for bad in ("1.005", "abc", "-1", "1e3x", "NaN"):
        with pytest.raises(ValueError):
            yuan_to_fen(bad)
    assert ledger.yuan(1_250_050) == "¥12,500.50" and ledger.yuan(5) == "¥0.05" and ledger.yuan(0) == "¥0.00"


def test_spending_is_tallied_and_the_rate_is_spent_over_approved(app, cast):
    project_id = make_project(app, cast)
    funding_id = fund(app, cast, project_id, approved_fen=1_000_000)
    other_id = fund(app, cast, project_id, FundingSource.district_budget, 3_000_000)
    spend(app, cast, project_id, funding_id, 250_050)
    spend(app, cast, project_id, funding_id, 49_950)
    spend(app, cast, project_id, other_id, 1)
    assert spent(app, funding_id) == 300_000 and spent(app, other_id) == 1
    with app.app_context():
        shown = ledger.disclosure(db.session.get(Project, project_id))
        assert [line.source for line in shown.sources] == [FundingSource.self_governance_fund,
                                                           FundingSource.district_budget]
        assert (shown.approved_fen, shown.spent_fen) == (4_000_000, 300_001)
        assert str(shown.sources[0].rate) == "30.0" and str(shown.rate) == "7.5"
        assert len(shown.spendings) == 3
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "project.spending_recorded")) == 3


def test_the_service_refuses_overspending_with_a_message_and_changes_nothing(app, cast):
    project_id = make_project(app, cast)
    funding_id = fund(app, cast, project_id, approved_fen=100_000)
    spend(app, cast, project_id, funding_id, 99_999)
    with pytest.raises(DomainError, match=r"¥0.01 left of ¥1,000.00 approved: ¥0.02 would exceed it"):
        spend(app, cast, project_id, funding_id, 2)
    assert spent(app, funding_id) == 99_999
    with pytest.raises(DomainError, match="already been spent"):
        fund(app, cast, project_id, approved_fen=50_000)
    with pytest.raises(DomainError, match="more than"):
        spend(app, cast, project_id, funding_id, 0)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Spending.id))) == 1
        assert db.session.get(ProjectFunding, funding_id).approved_fen == 100_000
    spend(app, cast, project_id, funding_id, 1)  # exactly the approved amount is fine
    assert spent(app, funding_id) == 100_000


def test_only_the_office_keeps_the_ledger(app, cast):
    project_id = make_project(app, cast)
    for person in (cast.planner, cast.resident, cast.other_street):
        with app.app_context(), pytest.raises(NotAllowed):
            ledger.set_funding(db.session.get(User, person.id), db.session.get(Project, project_id),
                               FundingSource.other, 100)


def _raw(app, sql, **params):
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(sql), params)


@pytest.mark.committing  # raw SQL on connections of its own, as another client would send it
def test_raw_sql_cannot_spend_more_than_approved(app, cast):
    project_id = make_project(app, cast)
    funding_id = fund(app, cast, project_id, approved_fen=100_000)
    entry_id = spend(app, cast, project_id, funding_id, 60_000)
    insert = ("INSERT INTO project_spendings (project_id, funding_id, spent_on, purpose, amount_fen, created_at) "
              "VALUES (:project, :funding, :day, 'x', :amount, CURRENT_TIMESTAMP)")
    with app.app_context():
        day = local_today()
    with pytest.raises(IntegrityError):
        _raw(app, insert, project=project_id, funding=funding_id, day=day, amount=40_001)
    with pytest.raises(IntegrityError):
        _raw(app, "UPDATE project_spendings SET amount_fen = 100001 WHERE id = :id", id=entry_id)
    with pytest.raises((IntegrityError, DBAPIError)):  # the tally is the database's, not the application's
        _raw(app, "UPDATE project_fundings SET spent_fen = 0 WHERE id = :id", id=funding_id)
    with pytest.raises(IntegrityError):
        _raw(app, "UPDATE project_fundings SET approved_fen = 59999 WHERE id = :id", id=funding_id)
    assert spent(app, funding_id) == 60_000
    _raw(app, insert, project=project_id, funding=funding_id, day=day, amount=40_000)  # up to the amount: fine
    assert spent(app, funding_id) == 100_000
    _raw(app, "DELETE FROM project_spendings WHERE id = :id", id=entry_id)
    assert spent(app, funding_id) == 40_000
    _raw(app, "UPDATE project_spendings SET amount_fen = 70000 WHERE amount_fen = 40000")
    assert spent(app, funding_id) == 70_000


@pytest.mark.committing  # raw SQL on connections of its own, as another client would send it
def test_a_spending_belongs_to_its_funding_rows_project(app, cast):
    project_id = make_project(app, cast)
    other_project = make_project(app, cast, title="楼道微更新")
    funding_id = fund(app, cast, project_id)
    with app.app_context():
        day = local_today()
    with pytest.raises(IntegrityError):
        _raw(app, "INSERT INTO project_spendings (project_id, funding_id, spent_on, purpose, amount_fen, created_at) "
             "VALUES (:project, :funding, :day, 'x', 1, CURRENT_TIMESTAMP)", project=other_project,
             funding=funding_id, day=day)
    other_funding = fund(app, cast, other_project)
    entry_id = spend(app, cast, project_id, funding_id, 10)
    with pytest.raises(IntegrityError):
        _raw(app, "UPDATE project_spendings SET funding_id = :funding WHERE id = :id", funding=other_funding,
             id=entry_id)
    with app.app_context(), pytest.raises(DomainError, match="this project's funding sources"):
        ledger.record_spending(db.session.get(User, cast.street.id), db.session.get(Project, project_id),
                               ledger.SpendingInput(funding=db.session.get(ProjectFunding, other_funding),
                                                    spent_on=local_today(), purpose="x", amount_fen=1))


def test_the_office_keeps_the_ledger_on_the_page_and_the_public_sees_it(app, client, cast):
    project_id = make_project(app, cast)
    page = f"/projects/{project_id}"
    with app.app_context():
        today = local_today()
    login(client, cast.street)
    response = submit(client, f"/projects/{project_id}/estimate", {"estimate": "88,000"}, form_url=page)
    assert response.status_code == 302
    response = submit(client, f"/projects/{project_id}/fundings",
                      {"source": "special_renewal_fund", "approved": "12,500.50", "note": "区级专项"}, form_url=page)
    assert response.status_code == 302
    with app.app_context():
        funding = db.session.scalar(db.select(ProjectFunding))
        assert funding.approved_fen == 1_250_050
        assert db.session.get(Project, project_id).budget_estimate_fen == 8_800_000
    response = submit(client, f"/projects/{project_id}/spendings", {
        "funding": str(funding.id), "spent_on": today.isoformat(), "purpose": "座椅", "amount": "12,500.51"},
        form_url=page)
    assert response.status_code == 422
    assert says(app, response.get_data(as_text=True), "%(source)s has %(left)s left of %(approved)s approved: "
                "%(amount)s would exceed it.", source="专项更新资金", left="¥12,500.50", approved="¥12,500.50",
                amount="¥12,500.51")
    response = submit(client, f"/projects/{project_id}/spendings", {
        "funding": str(funding.id), "spent_on": (today - timedelta(days=1)).isoformat(), "purpose": "座椅",
        "amount": "2,500.25"}, form_url=page)
    assert response.status_code == 302
    assert spent(app, funding.id) == 250_025
    client.post("/accounts/logout", data={})
    public = app.test_client().get(page).get_data(as_text=True)
    assert "¥12,500.50" in public and "¥2,500.25" in public and "¥88,000.00" in public and "20.0%" in public
    assert 'id="ledger-forms"' not in public


@pytest.mark.committing  # raw SQL on connections of its own, as another client would send it
def test_two_spendings_at_once_cannot_together_pass_the_approved_amount(app, cast):
    """PostgreSQL: the second entry waits for the funding row the first one's tally locked, then sees its sum."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite serializes writers: there is no 'at once'")
        day = local_today()
    project_id = make_project(app, cast)
    funding_id = fund(app, cast, project_id, approved_fen=100_000)
    insert = text("INSERT INTO project_spendings (project_id, funding_id, spent_on, purpose, amount_fen, created_at) "
                  "VALUES (:project, :funding, :day, 'x', 60000, CURRENT_TIMESTAMP)")
    params = {"project": project_id, "funding": funding_id, "day": day}
    outcome = {}

    def second():
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(text("SET lock_timeout = '20s'"))
            try:
                connection.execute(insert, params)
                connection.commit()
                outcome["second"] = "committed"
            except IntegrityError:
                outcome["second"] = "refused"

    with app.app_context(), db.engine.connect() as first:
        first.execute(insert, params)  # holds the funding row's lock until it commits
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second entry should wait for the first one's lock"
        first.commit()
    thread.join(timeout=30)
    assert outcome == {"second": "refused"} and spent(app, funding_id) == 60_000


def test_adding_a_source_the_project_has_already_does_not_overwrite_it(app, cast, client):
    project_id = make_project(app, cast)
    funding_id = fund(app, cast, project_id, approved_fen=1_000_000)
    login(client, cast.street)
    page = client.get(f"/projects/{project_id}").data
    response = client.post(f"/projects/{project_id}/fundings", data={  # as the "add a source" form posts it
        "csrf_token": csrf_token_from(page), "source": FundingSource.self_governance_fund.value, "approved": "5"})
    assert response.status_code == 409
    with app.app_context():
        funding = db.session.get(ProjectFunding, funding_id)
        assert (funding.approved_fen, funding.note) == (1_000_000, "2026年度自治金")
