"""The stage rules of a district, read from its policy profile (DOMAIN.md §7): the main line of stages, which of them
may be skipped, how long each lasts at least, when post-evaluation falls due. One transition table comes out of
them; the gates (projects.gates) add the conditions a table cannot express."""
from dataclasses import dataclass, field

from planner_platform.areas.models import Place
from planner_platform.planners.services import district_of, policy_for
from planner_platform.projects.models import CONSTRUCTION_ONWARDS, SIDE_STAGES, Stage

DEFAULT_LINE = (Stage.need_collection, Stage.diagnosis, Stage.listed, Stage.co_design, Stage.public_notice,
                Stage.review, Stage.approved_funded, Stage.construction, Stage.completed, Stage.operation,
                Stage.post_evaluation)
#: A project grown from adopted proposals has its needs collected already; not every project runs an operation
#: phase worth recording.
DEFAULT_OPTIONAL = (Stage.need_collection, Stage.diagnosis, Stage.operation)
DEFAULT_MIN_DAYS = {Stage.public_notice: 7}
DEFAULT_EVALUATION_MONTHS = 12
#: Stages every line must hold, in this order: the gates hang on them.
REQUIRED = (Stage.co_design, Stage.public_notice, Stage.review, Stage.construction, Stage.completed,
            Stage.post_evaluation)
#: When the scheme must change, a project goes back to co-design from these.
BACK_TO_CO_DESIGN = (Stage.public_notice, Stage.review)


@dataclass(frozen=True)
class StageRules:
    line: tuple[Stage, ...] = DEFAULT_LINE
    optional: frozenset[Stage] = frozenset(DEFAULT_OPTIONAL)
    min_days: dict[Stage, int] = field(default_factory=lambda: dict(DEFAULT_MIN_DAYS))
    evaluation_months: int = DEFAULT_EVALUATION_MONTHS

    def forward(self, stage: Stage | None) -> list[Stage]:
        """The stages that may follow `stage` on the line (None: where a new project may start): the next one,
        and past it while the skipped ones are optional."""
        start = 0 if stage is None else self.line.index(stage) + 1
        reachable = []
        for candidate in self.line[start:]:
            reachable.append(candidate)
            if candidate not in self.optional:
                break
        return reachable

    def is_forward(self, source: Stage, target: Stage) -> bool:
        return source in self.line and target in self.line and self.line.index(target) > self.line.index(source)

    def transitions(self) -> dict[Stage | None, set[Stage]]:
        """Which stage may follow which. A suspended project may resume any stage before construction (the service
        allows only the one it was suspended in) or be cancelled."""
        before_construction = [stage for stage in self.line if stage not in CONSTRUCTION_ONWARDS]
        table: dict[Stage | None, set[Stage]] = {None: set(self.forward(None))}
        for stage in self.line:
            table[stage] = set(self.forward(stage))
            if stage in BACK_TO_CO_DESIGN:
                table[stage].add(Stage.co_design)
            if stage in before_construction:
                table[stage] |= set(SIDE_STAGES)
        table[Stage.suspended] = {*before_construction, Stage.cancelled}
        table[Stage.cancelled] = set()
        return table


    def allowed_from(self, stage: Stage | None) -> set[Stage]:
        """The stages that may follow `stage`. A project in a stage the district has since dropped from its line
        may still be paused or cancelled (before construction) and go on to the line's next stage after it."""
        table = self.transitions()
        if stage in table:
            return table[stage]
        later = [s for s in DEFAULT_LINE[DEFAULT_LINE.index(stage) + 1:] if s in self.line]
        return ({later[0]} if later else set()) | (set() if stage in CONSTRUCTION_ONWARDS else set(SIDE_STAGES))


def read_rules(raw: dict | None) -> StageRules:
    """The profile's `project_stage_rules` as StageRules; unknown or broken entries fall back to the defaults, so a
    bad edit can never leave a district without a working line."""
    raw = raw or {}
    line = tuple(Stage(key) for key in raw.get("stages", ()) if key in Stage._value2member_map_)
    if not _keeps_required_order(line):
        line = DEFAULT_LINE
    optional = raw.get("optional")
    optional = DEFAULT_OPTIONAL if optional is None else tuple(
        Stage(key) for key in optional if key in Stage._value2member_map_)
    min_days = dict(DEFAULT_MIN_DAYS)
    for key, days in (raw.get("min_days") or {}).items():
        if key in Stage._value2member_map_ and isinstance(days, int) and days >= 0:
            min_days[Stage(key)] = days
    notice_days = raw.get("public_notice_min_days")
    if isinstance(notice_days, int) and 1 <= notice_days <= 365:  # the policy page's own field
        min_days[Stage.public_notice] = notice_days
    months = raw.get("post_evaluation_months")
    return StageRules(line=line, optional=frozenset(optional) - set(REQUIRED), min_days=min_days,
                      evaluation_months=months if isinstance(months, int) and 1 <= months <= 60
                      else DEFAULT_EVALUATION_MONTHS)


def _keeps_required_order(line: tuple[Stage, ...]) -> bool:
    if len(set(line)) != len(line) or any(stage in SIDE_STAGES for stage in line):
        return False
    positions = [line.index(stage) for stage in REQUIRED if stage in line]
    return len(positions) == len(REQUIRED) and positions == sorted(positions)


def rules_for(community: Place) -> StageRules:
    return read_rules(policy_for(district_of(community)).project_stage_rules)
