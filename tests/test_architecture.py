"""The floors of ARCHITECTURE.md hold: no module imports one on a higher floor, and no modules import each other
in a loop. Function-level imports count too: deferring an import hides a loop, it does not remove it."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "planner_platform"
#: Feature packages, lowest first: each may use the ones before it, never one after it.
FEATURES = ["areas", "accounts", "notifications", "planners", "proposals", "activities", "projects", "monitoring",
            "reports"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of ours that `path` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in ("planner_platform", "config")}


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {target for target in _imports(path) if target in modules and target != name}
            for name, path in modules.items()}


def floor(module: str) -> tuple[int, int]:
    """(floor, rank within the floor) of one of our modules; higher numbers are higher floors."""
    parts = module.split(".")
    if module == "config":
        return (0, 0)
    if len(parts) == 1 or parts[1] in ("__init__", "worker", "shell"):
        return (5, 0)  # the app factory, the worker entry point and the shell see everything
    if parts[1] in ("core", "extensions"):
        return (1, 0)
    if parts[1] == "access":
        return (3, 0)
    if parts[1] in FEATURES:
        rank = FEATURES.index(parts[1])
        # Models are data definitions: the access floor reads them, so they sit below it.
        return (2, rank) if len(parts) > 2 and parts[2] == "models" else (4, rank)
    raise AssertionError(f"{module} belongs to no floor: add its package to ARCHITECTURE.md and to this test")


def test_no_module_imports_a_higher_floor():
    upward = [f"{source} imports {target}" for source, targets in _graph().items() for target in targets
              if floor(target) > floor(source) and not _same_package(source, target)]
    assert upward == []


def _same_package(source: str, target: str) -> bool:
    """Inside one feature, views may import its services and models alike (models stay below access, though)."""
    same = source.split(".")[:2] == target.split(".")[:2]
    return same and not (floor(source)[0] == 2 and floor(target)[0] != 2)


def test_no_import_loops():
    graph = _graph()
    loops = [component for component in _strongly_connected(graph) if len(component) > 1]
    assert loops == []


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: groups of modules that reach each other through imports."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_rule_sees_a_violation():
    """The check itself can fail: core importing a feature, or a feature importing one above it, is upward."""
    assert floor("planner_platform.proposals.views") > floor("planner_platform.core.forms")
    assert floor("planner_platform.activities.services") > floor("planner_platform.proposals.services")
    assert floor("planner_platform.access.rules") > floor("planner_platform.planners.models")
    assert floor("planner_platform.planners.services") > floor("planner_platform.access.rules")
    assert floor("planner_platform.shell.views") > floor("planner_platform.activities.views")


def _celery_shared_task_users() -> list[str]:
    users = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            imported = isinstance(node, ast.ImportFrom) and node.module == "celery" and any(
                alias.name == "shared_task" for alias in node.names)
            attribute = isinstance(node, ast.Attribute) and node.attr == "shared_task" and isinstance(
                node.value, ast.Name) and node.value.id == "celery"
            if imported or attribute:
                users.append(_module_name(path))
                break
    return sorted(users)


def test_tasks_are_declared_with_the_platforms_shared_task():
    """Celery's own `shared_task` runs a task in the newest Celery app of the process; `extensions.shared_task`
    runs it in the app in charge (tests/notifications/test_two_apps.py). Only extensions.py may wrap Celery's."""
    assert _celery_shared_task_users() == ["planner_platform.extensions"]
