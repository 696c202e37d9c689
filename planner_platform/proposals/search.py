"""Search over title and description for Chinese text, which has no spaces between words.

Each proposal stores the bigrams of its text (and its Latin words and numbers) in `search_text`. PostgreSQL reads
that column as a tsvector through a GIN index (`ix_proposals_search`, in the migration), so a query is answered from
the index; the bigram match is then confirmed by a substring match, which also serves SQLite on its own.
"""
import re

from sqlalchemy import and_, cast, literal, or_
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from planner_platform.proposals.models import Proposal

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
MAX_TERMS = 5


def tokens(text: str) -> set[str]:
    """Bigrams of each run of Chinese characters (the character itself for a run of one), and Latin words."""
    found = set()
    for run in _RUNS.findall(text.lower()):
        if run[0].isascii():
            found.add(run)
        elif len(run) == 1:
            found.add(run)
        else:
            found.update(run[i:i + 2] for i in range(len(run) - 1))
    return found


def index_text(title: str, description: str) -> str:
    return " ".join(sorted(tokens(f"{title} {description}")))


def terms_of(query: str) -> list[str]:
    return [term for term in query.split() if term][:MAX_TERMS]


def matches(query: str, dialect: str):
    """A WHERE clause: every term of the query occurs in the title or the description."""
    terms = terms_of(query)
    exact = and_(*[or_(Proposal.title.icontains(term, autoescape=True),
                       Proposal.description.icontains(term, autoescape=True)) for term in terms])
    wanted = set().union(*(tokens(term) for term in terms)) if terms else set()
    if dialect != "postgresql" or not wanted:
        return exact
    # Tokens hold only letters and digits: joined with & they are a valid tsquery, no parser involved.
    indexed = cast(Proposal.search_text, TSVECTOR).bool_op("@@")(cast(literal(" & ".join(sorted(wanted))), TSQUERY))
    return and_(indexed, exact)
