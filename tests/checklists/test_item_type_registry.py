"""The item-type registry is the only place that knows item types."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from inspect_app.checklists.definition import DEFAULT_FAIL_BELOW
from inspect_app.checklists.item_types import get_item_type, item_type_keys
from inspect_app.checklists.loader import load_checklist_file

ROOT = Path(__file__).resolve().parents[2]
#: The registry and its parts may name types; nothing else may compare with a type's key.
REGISTRY = {"item_types.py", "item_type_base.py", "item_type_config.py"}
CHECKLISTS = sorted((ROOT / "checklists").glob("*.yaml"))


def _items():
    for path in CHECKLISTS:
        for item in load_checklist_file(path).definition.items:
            yield pytest.param(item, id=f"{path.stem}:{item.id}")


def test_the_checklists_use_every_type() -> None:
    used = {i.type for path in CHECKLISTS for i in load_checklist_file(path).definition.items}
    assert used == set(item_type_keys())


@pytest.mark.parametrize("item", list(_items()))
def test_examples_validate_and_score(item) -> None:
    kind = item.item_type
    example = kind.example_answer(item)
    assert kind.parse_answer(item, example) == example
    score = kind.score(item, example, fail_below=DEFAULT_FAIL_BELOW)
    assert score.answered and not score.failed and not score.lost_points
    for value in kind.example_answers(item):
        assert kind.parse_answer(item, value) == value
        assert kind.score(item, value, fail_below=DEFAULT_FAIL_BELOW).answered
    assert kind.answer_in_words(item, example, english=True)


@pytest.mark.parametrize("item", list(_items()))
def test_best_answer_earns_full_points(item) -> None:
    kind = item.item_type
    best = kind.best_answer(item)
    if not kind.scored:
        assert best is None
        return
    assert kind.parse_answer(item, best) == best
    score = kind.score(item, best, fail_below=DEFAULT_FAIL_BELOW)
    assert score.earned == score.possible == kind.max_points(item) > 0


@pytest.mark.parametrize("key", item_type_keys())
def test_every_type_names_a_widget_macro(key: str) -> None:
    widgets = (ROOT / "inspect_app/checklists/templates/checklists/_widgets.html").read_text()
    assert f"{{% macro {get_item_type(key).widget}(item, field, answer, lang)" in widgets


def _type_literals(node: ast.AST) -> set[str]:
    keys = set(item_type_keys())
    return {
        sub.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in keys
    }


def _reads_type(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Attribute) and sub.attr == "type" for sub in ast.walk(node))


def test_no_code_outside_the_registry_compares_with_a_type_name() -> None:
    found = []
    for path in sorted((ROOT / "inspect_app").rglob("*.py")):
        if path.name in REGISTRY and path.parent.name == "checklists":
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and _reads_type(node) and _type_literals(node):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            # Three or more type keys make a table by type ("text" and "number" alone are column kinds).
            if isinstance(node, ast.Dict) and len(_type_literals(ast.Tuple(node.keys))) >= 3:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} (a table by type)")
    assert found == []


def test_no_template_or_script_branches_on_a_type_name() -> None:
    names = "|".join(item_type_keys())
    branch = re.compile(
        rf"""(\.type|dataset\.type)\s*(==|!=|===|!==|in)\s*[(\[]?\s*['"]({names})['"]"""
    )
    files = [*(ROOT / "inspect_app").rglob("*.html"), *(ROOT / "static").rglob("*.js")]
    found = [str(p.relative_to(ROOT)) for p in files if branch.search(p.read_text())]
    assert found == []
