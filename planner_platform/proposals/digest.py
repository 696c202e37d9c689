"""The proposals' section in staff digests: what is overdue in each jurisdiction."""
from flask_babel import gettext as _

from planner_platform.core.urls import absolute_url, public_path
from planner_platform.notifications.digests import register_digest_section
from planner_platform.proposals import queries
from planner_platform.access import OFFICE_ROLES


@register_digest_section
def overdue_section(user) -> list[dict]:
    areas = [grant.place for grant in user.grants if grant.role in OFFICE_ROLES]
    overdue = [proposal for area in areas for proposal in queries.overdue_in(area)]
    if not overdue:
        return []
    return [{"title": _("Overdue proposals (%(count)d shown)", count=len(overdue)),
             "items": [{"title": _("%(community)s: %(title)s (due %(date)s)", community=p.community.name,
                                   title=p.title, date=p.due_on.isoformat()),
                        "link": absolute_url(public_path("proposals.detail", proposal_id=p.id))}
                       for p in overdue]}]
