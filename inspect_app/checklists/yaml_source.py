"""Read YAML into plain dicts and lists that remember the line of every key."""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):
    """A mapping from a YAML file, with the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list[int]


class DuplicateKeyError(ValueError):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


#: Most YAML nodes a checklist may expand to; stops alias bombs ("billion laughs").
MAX_NODES = 200_000


class TooLargeError(ValueError):
    """The document expands to more nodes than a checklist can sensibly have."""


def _convert(loader: yaml.SafeLoader, node: yaml.Node, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLargeError
    if isinstance(node, yaml.MappingNode):
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, budget)
            try:
                hash(key)
            except TypeError:
                key = str(key)
            if key in mapping:
                raise DuplicateKeyError(key, key_node.start_mark.line + 1)
            mapping[key] = _convert(loader, value_node, budget)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LineList(_convert(loader, child, budget) for child in node.value)
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
        return sequence
    return loader.construct_object(node, deep=True)


def load_yaml_with_lines(text: str) -> Any:
    """Parse one YAML document safely; raise yaml.YAMLError, DuplicateKeyError or TooLargeError."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _convert(loader, node, [MAX_NODES])
    finally:
        loader.dispose()
