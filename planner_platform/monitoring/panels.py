"""Sections that features above monitoring add to a place's dashboard (the team reports' deadlines): a registry
filled at import time, as notifications' event types are, so the dashboard shows them without importing them."""
from collections.abc import Callable
from dataclasses import dataclass

from planner_platform.areas.models import Place
from planner_platform.monitoring.periods import Period


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    #: The list behind the number (drill-through), or None.
    url: str | None = None
    #: Shown as a warning when not zero (e.g. overdue).
    alarming: bool = False


@dataclass(frozen=True)
class Panel:
    title: str
    figures: list[Figure]


#: panel builders: (place, period) → a Panel, or None when it has nothing to say about this place.
PANELS: list[Callable[[Place, Period], Panel | None]] = []


def register_panel(build: Callable[[Place, Period], Panel | None]) -> Callable:
    PANELS.append(build)
    return build


def panels_for(place: Place, period: Period) -> list[Panel]:
    """Each registered builder's panel for the place (one statement or two each, whatever the number of units)."""
    return [panel for panel in (build(place, period) for build in PANELS) if panel is not None]
