"""The field-name codec: reversible for every valid item id, old names unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_app.checklists.field_names import (
    ITEM_ID,
    KINDS,
    decode,
    decode_kind,
    encode,
)

item_ids = st.from_regex(ITEM_ID, fullmatch=True)
kinds = st.sampled_from(sorted(KINDS))


def old_name(kind: str, item_id: str) -> str:
    """The spelling before the codec: dots as "__", nothing else changed."""
    return f"{kind}__" + item_id.replace(".", "__")


def unambiguous(item_id: str) -> bool:
    """No underscore beside another underscore or a dot: the old spelling was reversible."""
    return not any(pair in item_id for pair in ("__", "_.", "._"))


@given(kinds, item_ids)
def test_decode_reverses_encode(kind: str, item_id: str) -> None:
    assert decode(encode(kind, item_id)) == (kind, item_id)


@given(kinds, item_ids, item_ids)
def test_encode_is_injective(kind: str, first: str, second: str) -> None:
    if first != second:
        assert encode(kind, first) != encode(kind, second)


@given(kinds, item_ids.filter(unambiguous))
def test_old_names_keep_their_spelling_and_still_decode(kind: str, item_id: str) -> None:
    assert encode(kind, item_id) == old_name(kind, item_id)
    assert decode(old_name(kind, item_id)) == (kind, item_id)


def test_dotted_and_doubled_underscore_ids_differ() -> None:
    assert encode("a", "s.a") == "a__s__a"
    assert encode("a", "s__a") == "a__s--a"
    assert decode("a__s--a") == ("a", "s__a")
    assert encode("rc", "desk.first_item") == "rc__desk__first_item"
    assert encode("a", "a._b") != encode("a", "a_.b")


@pytest.mark.parametrize(
    "name",
    ["comment", "x__desk", "a__", "a__Desk", "a__desk___badge", "a__desk-badge", "a__1x", "a_desk"],
)
def test_names_no_item_field_has_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        decode(name)


def test_decode_kind_picks_one_kind() -> None:
    names = ["rc__desk__badge", "a__desk__badge", "comment", "rc__x-", "rc__s--a"]
    assert decode_kind(names, "rc") == {"rc__desk__badge": "desk.badge", "rc__s--a": "s__a"}
