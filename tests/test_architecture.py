"""The package layers of docs/architecture.md, read from the package's own imports.

Rules (docs/architecture.md, "Dependencies run one way"):
- A module imports its own package and lower-ranked packages only; two packages of equal rank
  never import each other, except within the kernel (rank 0) and the top layer.
- Page modules (views, *_views, api, routes) sit on top: they may import any package's non-page
  modules. Only a package's own ``routes`` module imports its pages, and only the app factory
  imports ``routes``.
- No import cycles between modules.
- Imports under ``if TYPE_CHECKING:`` are annotations only and are not arrows.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspect_app import models
from inspect_app.db import Base

PACKAGE_ROOT = Path(__file__).resolve().parent.parent / "inspect_app"

# Lowest first. Root modules and packages alike are named by their first part below inspect_app.
RANKS: dict[str, int] = {
    **dict.fromkeys(
        [
            "extensions",
            "db",
            "config",
            "context",
            "calendar",
            "periods",
            "locking",
            "sqlite",
            "downloads",
            "edge",
            "errors",
            "uploads",
            "workbook_upload",
        ],
        0,
    ),
    "audit": 1,
    "auth": 2,
    "templating": 3,
    "checklists": 4,
    "scoring": 5,
    "stores": 6,
    "photos": 7,
    "inspections": 8,
    "planning": 9,
    "review": 9,
    "ratings": 10,
    "reports": 11,
    **dict.fromkeys(
        [
            "accounts",
            "main",
            "demo",
            "demo_actions",
            "demo_history",
            "demo_photos",
            "cli",
            "models",
            "app",
        ],
        12,
    ),
}
TOP = max(RANKS.values())  # the kernel (0) and the top layer may import within themselves
PAGE_MODULES = ("views", "api", "routes")


@dataclass(frozen=True)
class Arrow:
    source: str  # importing module, e.g. "inspect_app.stores.operations"
    target: str  # imported module
    line: int


def module_name(path: Path, root: Path = PACKAGE_ROOT) -> str:
    parts = ["inspect_app", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST):
    """Every import statement except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child
            stack.append(child)


def arrows_of(source: str, module: str, is_package: bool, known: set[str]) -> list[Arrow]:
    """The inspect_app modules one module's source imports at run time."""
    found = []
    for node in _runtime_imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        found += [
            Arrow(module, target, node.lineno)
            for target in targets
            if target == "inspect_app" or target.startswith("inspect_app.")
        ]
    return found


def all_arrows(root: Path = PACKAGE_ROOT) -> list[Arrow]:
    files = sorted(root.rglob("*.py"))
    known = {module_name(path, root) for path in files}
    arrows = []
    for path in files:
        module = module_name(path, root)
        arrows += arrows_of(
            path.read_text(encoding="utf-8"), module, path.name == "__init__.py", known
        )
    return arrows


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def is_page(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last in PAGE_MODULES or last.endswith("_views")


def wrong_way(arrow: Arrow) -> str | None:
    """Why an arrow breaks the layers, or None when it is allowed."""
    source, target = layer(arrow.source), layer(arrow.target)
    for name in (source, target):
        if name not in RANKS:
            return f"{name} has no rank in tests/test_architecture.py (and docs/architecture.md)"
    if is_page(arrow.target):
        own_routes = arrow.source.rsplit(".", 1)[-1] == "routes" and source == target
        factory = arrow.source == "inspect_app" and arrow.target.endswith(".routes")
        if not (own_routes or factory):
            return "only a package's routes module imports its pages"
        return None
    if source == target or is_page(arrow.source):
        return None
    if RANKS[target] > RANKS[source]:
        return f"{source} (rank {RANKS[source]}) imports higher {target} (rank {RANKS[target]})"
    if RANKS[target] == RANKS[source] and RANKS[source] not in (0, TOP):
        return f"{source} and {target} share rank {RANKS[source]} and must not import each other"
    return None


def cycles(arrows: list[Arrow]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for arrow in arrows:
        if arrow.source != arrow.target:
            graph.setdefault(arrow.source, set()).add(arrow.target)
            graph.setdefault(arrow.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_import_runs_down_the_layers():
    broken = sorted(
        {
            f"{a.source}:{a.line} -> {a.target}: {why}"
            for a in all_arrows()
            if (why := wrong_way(a)) is not None
        }
    )
    assert broken == []


def test_no_module_imports_itself_round_a_cycle():
    assert cycles(all_arrows()) == []


def test_every_package_in_the_tree_has_a_rank():
    names = {path.stem for path in PACKAGE_ROOT.glob("*.py") if path.stem != "__init__"} | {"app"}
    names |= {path.parent.name for path in PACKAGE_ROOT.glob("*/__init__.py")}
    assert sorted(names - RANKS.keys()) == []


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("inspect_app.stores.operations", "inspect_app.inspections.models", False),
        ("inspect_app.auth.permissions", "inspect_app.stores.models", False),
        ("inspect_app.context", "inspect_app.photos.pipeline", False),
        ("inspect_app.planning.operations", "inspect_app.review.models", False),
        ("inspect_app.review.operations", "inspect_app.reports.views", False),
        ("inspect_app.inspections.operations", "inspect_app.stores.models", True),
        ("inspect_app.checklists.views", "inspect_app.inspections.models", True),
        ("inspect_app.stores.routes", "inspect_app.stores.admin_views", True),
        ("inspect_app", "inspect_app.stores.routes", True),
        ("inspect_app.cli", "inspect_app.stores.routes", False),
        ("inspect_app.calendar", "inspect_app.context", True),
    ],
)
def test_the_rule_tells_down_from_up(source, target, allowed):
    assert (wrong_way(Arrow(source, target, 1)) is None) is allowed


def test_the_reader_finds_relative_local_and_skips_type_checking_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import models\n"
        "if TYPE_CHECKING:\n"
        "    from inspect_app.review.models import Appeal\n"
        "def f():\n"
        "    from inspect_app.reports import pdf\n"
    )
    known = {"inspect_app.stores.models", "inspect_app.reports.pdf"}
    found = {a.target for a in arrows_of(source, "inspect_app.stores.queries", False, known)}
    assert found == {"inspect_app.stores.models", "inspect_app.reports.pdf"}


def test_a_cycle_is_found():
    arrows = [Arrow("a", "b", 1), Arrow("b", "c", 1), Arrow("c", "a", 1), Arrow("c", "d", 1)]
    assert cycles(arrows) == [["a", "b", "c"]]


def test_one_name_per_class():
    """Two classes of one name in two packages read as one thing; give each its own name."""
    seen: dict[str, list[str]] = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name, []).append(module_name(path))
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}


def test_the_models_module_names_every_table_class():
    """inspect_app.models is where Alembic and readers find every mapped class."""
    mapped = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert mapped - set(models.__all__) == set()


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60  # from "def" to its last line, without the docstring


def _function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    lines = node.end_lineno - node.lineno + 1
    if ast.get_docstring(node) is not None:
        lines -= node.body[0].end_lineno - node.body[0].lineno + 1
    return lines


def test_modules_and_functions_stay_readable():
    """Split a module or function that outgrows these (STYLE.md: "split at 500")."""
    too_long = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if (count := len(text.splitlines())) > MAX_MODULE_LINES:
            too_long.append(f"{module_name(path)}: {count} lines")
        for node in ast.walk(ast.parse(text)):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and (count := _function_lines(node)) > MAX_FUNCTION_LINES:
                too_long.append(f"{module_name(path)}.{node.name}: {count} lines")
    assert too_long == []
