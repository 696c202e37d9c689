"""The staff digest section of the roster: communities without a lead and terms ending soon, per jurisdiction."""
from datetime import timedelta

from flask_babel import gettext as _

from planner_platform.accounts.models import Role
from planner_platform.core.calendar import local_today
from planner_platform.core.urls import absolute_url, public_path
from planner_platform.notifications.digests import register_digest_section
from planner_platform.planners import queries

STAFF_ROLES = (Role.subdistrict_staff, Role.district_staff, Role.admin)
ENDING_WITHIN = timedelta(days=30)


@register_digest_section
def roster_section(user) -> list[dict]:
    areas = [grant.place for grant in user.grants if grant.role in STAFF_ROLES]
    rows = [row for area in areas for row in queries.coverage(area)]
    if not rows:
        return []
    soon = local_today() + ENDING_WITHIN
    without_lead = [{"title": f"{row.community.parent.name} · {row.community.name}",
                     "link": absolute_url(public_path("shell.place", place_id=row.community.id))}
                    for row in rows if row.lead is None]
    ending = [{"title": _("%(community)s: %(holder)s until %(date)s", community=row.community.name,
                          holder=row.lead.holder_name, date=row.lead.end_on.isoformat()),
               "link": absolute_url(public_path("assignments.detail", assignment_id=row.lead.id))}
              for row in rows if row.lead and row.lead.end_on <= soon]
    return [{"title": _("Communities without a lead planner (%(count)d)", count=len(without_lead)),
             "items": without_lead},
            {"title": _("Lead terms ending within 30 days (%(count)d)", count=len(ending)), "items": ending}]
