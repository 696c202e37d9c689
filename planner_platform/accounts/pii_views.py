"""The reveal page every feature's masked contact links to, and the PII-access log of an area."""
from typing import Callable

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from planner_platform.access import current_actor
from planner_platform.accounts.forms import RevealForm
from planner_platform.accounts.models import PiiPurpose
from planner_platform.accounts.permissions import can_list_pii_accesses
from planner_platform.accounts.pii import accesses_within
from planner_platform.core import query_args
from planner_platform.core.forms import commit_or_explain
from planner_platform.core.pagination import paginate
from planner_platform.core.permissions import require

bp = Blueprint("pii", __name__, url_prefix="/staff/pii-accesses")

FIELD_LABELS = {"phone": _l("Mobile phone number"), "email": _l("Email"), "on_behalf_phone": _l("Mobile phone number")}
SUBJECT_LABELS = {"users": _l("Account"), "planner_profiles": _l("Planner"), "proposals": _l("Proposal")}


def reveal_page(reveal: Callable[[PiiPurpose, str], dict[str, str]], *, subject: str, back: str):
    """Ask for the purpose; on a valid post, call `reveal` (a feature's service), commit, and show the full values
    on this response alone: nothing is kept in the session and the page is never cached (core.http)."""
    form = RevealForm()
    shown = None
    if form.validate_on_submit():
        shown = commit_or_explain(form, lambda: reveal(PiiPurpose(form.purpose.data), form.note.data or ""))
    return render_template("accounts/reveal.html", form=form, shown=shown, subject=subject, back=back,
                           labels=FIELD_LABELS)


@bp.get("/")
@login_required
def accesses():
    require(can_list_pii_accesses(current_actor))
    filters = {"actor": query_args.text("actor"), "subject": query_args.text("subject"),
               "since": query_args.day("since"), "until": query_args.day("until")}
    query = accesses_within(current_actor, actor_name=filters["actor"], subject_name=filters["subject"],
                            since=filters["since"], until=filters["until"])
    return render_template("accounts/pii_accesses.html", page=paginate(query, per_page=50), filters=filters,
                           fields=FIELD_LABELS, kinds=SUBJECT_LABELS)
