"""Who may act where: the actor of a request or task, and the named predicates every floor above asks.

The access floor sits on `core` and reads the models of the features it must know (accounts' grants, areas'
places, planners' terms and policy profiles); it imports no feature's services, queries or views, and nothing of
it reads Flask's globals except `current_actor`, the request's one actor.
"""
from planner_platform.access.actor import ANONYMOUS, Actor, actor_of, current_actor, serving_today
from planner_platform.access.rules import (OFFICE_ROLES, READER_ROLES, WORKSPACE_ROLES, handles, holds_role_over,
                                           is_admin, is_community_worker, is_office, may_appoint,
                                           may_appoint_somewhere, may_moderate, may_moderate_somewhere,
                                           may_open_workspace, places_with_role, serves)

__all__ = ["ANONYMOUS", "Actor", "actor_of", "current_actor", "serving_today", "OFFICE_ROLES", "READER_ROLES",
           "WORKSPACE_ROLES", "handles", "holds_role_over", "is_admin", "is_community_worker", "is_office",
           "may_appoint", "may_appoint_somewhere", "may_moderate", "may_moderate_somewhere", "may_open_workspace",
           "places_with_role", "serves"]
