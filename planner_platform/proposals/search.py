"""Search over title and description for Chinese text, which has no spaces between words.

Each proposal stores the characters and bigrams of its text (and its Latin words and numbers) in `search_text`.
PostgreSQL reads that column as a tsvector through a GIN index (`ix_proposals_search`, in the migration), so a
query is answered from the index; the match is then confirmed by a substring match, which serves SQLite alone.
"""
import re

from sqlalchemy import and_, cast, literal, or_
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from planner_platform.proposals.models import Proposal

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
MAX_TERMS = 5


def index_tokens(text: str) -> set[str]:
    """What is stored: every Chinese character and every pair of neighbours, and Latin words and numbers."""
    found = set()
    for run in _RUNS.findall(text.lower()):
        found.update([run] if run[0].isascii() else list(run) + [run[i:i + 2] for i in range(len(run) - 1)])
    return found


def query_tokens(term: str) -> set[str]:
    """What a search term must match: its bigrams (its character, if it has one), Latin words as prefixes."""
    found = set()
    for run in _RUNS.findall(term.lower()):
        if run[0].isascii():
            found.add(f"{run}:*")
        else:
            found.update([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    return found


def index_text(title: str, description: str) -> str:
    return " ".join(sorted(index_tokens(f"{title} {description}")))


def terms_of(query: str) -> list[str]:
    return [term for term in query.split() if term][:MAX_TERMS]


def matches(query: str, dialect: str):
    """A WHERE clause: every term of the query occurs in the title or the description."""
    terms = terms_of(query)
    exact = and_(*[or_(Proposal.title.icontains(term, autoescape=True),
                       Proposal.description.icontains(term, autoescape=True)) for term in terms])
    wanted = set().union(*(query_tokens(term) for term in terms)) if terms else set()
    if dialect != "postgresql" or not wanted:
        return exact
    # Tokens hold only letters and digits (and :* for a prefix): joined with & they are a valid tsquery as they are.
    # Latin words match from their start on PostgreSQL (a prefix); SQLite's substring match also finds them inside.
    indexed = cast(Proposal.search_text, TSVECTOR).bool_op("@@")(cast(literal(" & ".join(sorted(wanted))), TSQUERY))
    return and_(indexed, exact)
