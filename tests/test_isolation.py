"""The canaries of test isolation (tests/conftest.py): what one test commits, the next never sees.

The pairs run in file order: the first test of each pair commits rows, the second finds none.
"""
import pytest
from sqlalchemy import func, select

from planner_platform.areas.models import Place, PlaceLevel
from planner_platform.core.audit import AuditEntry, record_audit
from planner_platform.extensions import db


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_commits_places_and_an_audit_entry(app, places):
    with app.app_context():
        record_audit(db.session, "test.canary")
        db.session.commit()
    assert _count(app, Place) == len(places) and _count(app, AuditEntry) == 1


def test_b_finds_the_database_empty_again(app):
    assert _count(app, Place) == 0 and _count(app, AuditEntry) == 0


def test_a_rollback_in_the_code_undoes_only_its_own_unit_of_work(app, places):
    with app.app_context():
        db.session.add(Place(code="X", name="X", level=PlaceLevel.city, population=1, households=1, path="/"))
        db.session.flush()
        db.session.rollback()  # the savepoint, not the test's transaction
    assert _count(app, Place) == len(places)


@pytest.mark.committing
def test_c_a_committing_test_writes_for_real(app, places):
    assert _count(app, Place) == len(places)


def test_d_and_is_emptied_after(app):
    assert _count(app, Place) == 0
