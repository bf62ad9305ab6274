"""The one codec for the form field names of an item's inputs: `<kind>__<item id, encoded>`.

Kinds: `a` the answer, `c` the comment, and on the visit form `s` the staff choice, `d` the
person description, `p` the photos; on the review page `rc` the reviewer's comment.

Item ids are `[a-z][a-z0-9_.]*` and WTForms names take no dots, so a dot is spelled `__`. An
underscore beside another underscore or a dot is spelled `-`, so that the spelling is
reversible: before, `s.a` and `s__a` were both `a__s__a`. Every id without such an underscore
keeps the name it always had, so forms rendered before the change still post to the same
fields; in a name, a run of one underscore is an underscore and a run of 2k is k dots.
JavaScript never builds these names: the page gives them in data attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Kind -> what the field holds.
KINDS = {
    "a": "answer",
    "c": "comment",
    "s": "staff choice",
    "d": "person description",
    "p": "photos",
    "rc": "reviewer's comment",
}
SEPARATOR = "__"
#: The item ids a checklist may use (checklists/loader.py checks them).
ITEM_ID = re.compile(r"^[a-z][a-z0-9_.]{0,99}$")
_ENCODED = re.compile(r"^[a-z][a-z0-9_\-]*$")
_UNDERSCORES = re.compile(r"_+")


def encode_item_id(item_id: str) -> str:
    """The id as it stands in a field name (no dots); injective over valid item ids."""
    out = []
    for position, char in enumerate(item_id):
        if char == ".":
            out.append(SEPARATOR)
        elif char == "_":
            neighbours = item_id[position - 1 : position] + item_id[position + 1 : position + 2]
            out.append("-" if "_" in neighbours or "." in neighbours else "_")
        else:
            out.append(char)
    return "".join(out)


def decode_item_id(encoded: str) -> str:
    """The item id `encode_item_id` spelled as `encoded`; ValueError if no id is spelled so."""
    if not _ENCODED.match(encoded):
        raise ValueError(f"not an encoded item id: {encoded!r}")

    def run(match: re.Match[str]) -> str:
        length = len(match.group())
        if length == 1:
            return "_"
        if length % 2:
            raise ValueError(f"ambiguous underscores in {encoded!r}")
        return "." * (length // 2)

    item_id = _UNDERSCORES.sub(run, encoded).replace("-", "_")
    if not ITEM_ID.match(item_id) or encode_item_id(item_id) != encoded:
        raise ValueError(f"not an encoded item id: {encoded!r}")
    return item_id


def encode(kind: str, item_id: str) -> str:
    """The field name of `item_id`'s input of `kind` (a key of KINDS): `a__desk__badge`."""
    if kind not in KINDS:
        raise ValueError(f"unknown field kind {kind!r}")
    return kind + SEPARATOR + encode_item_id(item_id)


def decode(name: str) -> tuple[str, str]:
    """(kind, item id) of a field name made by `encode`; ValueError for any other name."""
    kind, separator, encoded = name.partition(SEPARATOR)
    if not separator or kind not in KINDS:
        raise ValueError(f"not an item field name: {name!r}")
    return kind, decode_item_id(encoded)


def decode_kind(names: Iterable[str], kind: str) -> dict[str, str]:
    """{field name: item id} for the names of `kind` among `names`; other names are skipped."""
    found = {}
    for name in names:
        try:
            name_kind, item_id = decode(name)
        except ValueError:
            continue
        if name_kind == kind:
            found[name] = item_id
    return found
