"""Bounded pagination: a page number from the query string, a hard cap on page size."""
from dataclasses import dataclass

from sqlalchemy import Select

from planner_platform.core import query_args
from planner_platform.extensions import db

MAX_PAGE = 1000


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def paginate(query: Select, per_page: int = 25) -> Page:
    """One page of `query`; fetches one extra row to know whether a next page exists (no COUNT)."""
    number = query_args.number("page", 1, 1, MAX_PAGE)
    rows = db.session.scalars(query.limit(per_page + 1).offset((number - 1) * per_page)).unique().all()
    return Page(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
