"""Who may see and act on renewal projects. Deny by default: the office over the community owns the project and
moves it through its stages; the lead planner and the community's serving planners run the work; the implementer
posts progress; district and city staff read; everyone reads the public page."""
from planner_platform.access import READER_ROLES, Actor, holds_role_over, is_office, serves
from planner_platform.accounts.models import Role
from planner_platform.areas.models import Place
from planner_platform.projects.models import Project, Stage


def can_create(actor: Actor, community: Place) -> bool:
    """The street office (or a district officer, an administrator) over the community."""
    return is_office(actor, community)


def can_change_stage(actor: Actor, project: Project) -> bool:
    return is_office(actor, project.community)


def is_lead(actor: Actor, project: Project) -> bool:
    """The project's lead planner, while their term in the community lasts."""
    return actor.id == project.lead_planner_id and serves(actor, project.community)


def can_run(actor: Actor, project: Project) -> bool:
    """Milestones, documents, photos, linked activities: the office and the lead planner."""
    return can_change_stage(actor, project) or is_lead(actor, project)


def can_post_update(actor: Actor, project: Project) -> bool:
    """Progress updates: the lead, any planner serving the community (the team), the implementer, the office."""
    return (can_run(actor, project) or serves(actor, project.community)
            or (actor.id is not None and actor.id == project.implementer_account_id))


def can_read_internal(actor: Actor, project: Project) -> bool:
    """Internal documents and the staff view of the project: whoever works on it and staff over the community."""
    return can_post_update(actor, project) or any(
        holds_role_over(actor, role, project.community) for role in READER_ROLES)


def can_sign_opinion(actor: Actor, project: Project, signer_is_expert: bool) -> bool:
    """A review opinion is signed, in review, by the lead planner or an expert planner serving the community."""
    return project.state is Stage.review and (
        is_lead(actor, project) or (signer_is_expert and serves(actor, project.community)))


def can_list(actor: Actor) -> bool:
    """The projects board of a jurisdiction: staff and observers."""
    return bool(actor.places(*READER_ROLES))


def can_comment(actor: Actor, project: Project) -> bool:
    """Public-notice comments: any logged-in resident, as on proposals, while the notice lasts."""
    return project.state is Stage.public_notice and Role.resident in actor.roles


def can_answer_survey(actor: Actor, project: Project) -> bool:
    """The post-evaluation survey: residents of the project's community, while it is in post-evaluation."""
    return project.state is Stage.post_evaluation and holds_role_over(actor, Role.resident, project.community)


def can_list_own(actor: Actor) -> bool:
    """A planner's own projects (those they lead, those of the communities they serve)."""
    return Role.planner in actor.roles or bool(actor.served)
