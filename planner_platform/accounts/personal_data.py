"""What each feature holds about a person, registered at import time (as notifications' event types are), so that
the accounts floor exports, erases and expires it without importing the features above it.

A feature registers
- a Section: its rows about the person for their own export (never anything of anyone else: counts at most), and
  the files of theirs to put beside them (their photos);
- an eraser: what the deletion of an account removes or anonymises in its tables;
- a retention rule: what the daily job deletes or anonymises once its period (a config value) is over.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from planner_platform.accounts.models import User


@dataclass(frozen=True)
class Section:
    #: The file name in the ZIP (`<name>.csv`) and the key in data.json.
    name: str
    columns: tuple[str, ...]
    #: The person's rows, as dicts with the columns above (values JSON-serialisable).
    rows: Callable[[User], list[dict]]
    #: (name in the ZIP, bytes) of the person's own files, e.g. the photos of their proposals.
    files: Callable[[User], Iterable[tuple[str, bytes]]] | None = None


SECTIONS: list[Section] = []
#: eraser(user): removes or anonymises the user's data in one feature's tables (the caller commits).
ERASERS: list[Callable[[User], None]] = []
#: name → rule(now): deletes or anonymises what has expired, returns how many rows it touched.
RETENTION_RULES: dict[str, Callable[[datetime], int]] = {}


def register_section(section: Section) -> Section:
    SECTIONS.append(section)
    return section


def register_eraser(erase: Callable[[User], None]) -> Callable[[User], None]:
    ERASERS.append(erase)
    return erase


def register_retention(name: str) -> Callable:
    def add(rule: Callable[[datetime], int]) -> Callable[[datetime], int]:
        RETENTION_RULES[name] = rule
        return rule

    return add


def iso(moment) -> str | None:
    """A date or time as ISO 8601 text for the export (None stays None)."""
    return moment.isoformat() if moment is not None else None
