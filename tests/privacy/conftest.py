"""Fixtures for the personal data rights: the proposals' cast, a proposal with a photo, the daily privacy job run
through Celery (eager, as without a broker)."""
import io

from planner_platform.accounts.models import User
from planner_platform.core import media
from planner_platform.extensions import db
from planner_platform.proposals import services
from planner_platform.areas.models import Place
from tests.proposals.conftest import cast, image_bytes  # noqa: F401  (fixture)


def proposal_with_photo(app, author: User, *, title: str, submit: bool = True) -> int:
    """A proposal by `author` in their community with one photo; its id."""
    with app.app_context():
        actor = db.session.get(User, author.id)
        data = services.ProposalInput(title=title, description="说明", category="适老化",
                                      community=db.session.get(Place, actor.home_community.id))
        proposal = services.save(actor, data, [media.clean_photo(io.BytesIO(image_bytes()))], submit=submit)
        db.session.commit()
        return proposal.id


def run_daily(app) -> dict:
    """The daily privacy job, as beat sends it (eager without a broker)."""
    return app.extensions["celery"].tasks["accounts.privacy_daily"].apply().get()
