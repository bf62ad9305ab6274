"""What a submission needs, rendered into the form as data for the phone.

The phone must know before it queues a submission which answers, photos and 工号 the server
will ask for (offline, the server cannot tell it). Rather than a second scoring engine in
JavaScript, the server scores every answer an item can take — each option of a choice, pass
and fail, each band of a number (`ItemType.band_limits`) — with the item's own type, and the
page looks the answer up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from inspect_app.checklists.definition import Item
from inspect_app.checklists.item_types import AnswerError


def _outcome(item: Item, raw: Any, fail_below: Decimal) -> list | None:
    try:
        value = item.item_type.parse_answer(item, raw)
    except AnswerError:
        return None
    if value is None:
        return None
    score = item.item_type.score(item, value, fail_below=fail_below)
    if score.not_applicable or not item.item_type.scored:
        return None
    return [float(score.earned), float(score.possible), score.failed]


def item_rules(item: Item, fail_below: Decimal, field: Any = None) -> dict[str, Any]:
    """Return the item's rules for the phone; `fail_below` is the item's failure share.

    Shape: ``{"required": bool, "photo": "never"|"always"|"on_fail", "staff": bool,
    "outcomes": {value: [earned, possible, failed]}, "bands": [[upto, earned, possible,
    failed], ...], "possible": float}``; ``outcomes`` covers each choice of ``field`` (the
    item's WTForms radio field), ``bands`` a number item's bands in order (a number above the
    last band earns nothing).
    """
    choices = [
        choice.value if hasattr(choice, "value") else choice[0]
        for choice in getattr(field, "choices", None) or []
    ]
    rules: dict[str, Any] = {
        "required": item.required,
        "photo": item.photo,
        "staff": item.staff,
        "possible": float(item.item_type.max_points(item)),
        "outcomes": {},
        "bands": [],
    }
    for raw in choices:
        outcome = _outcome(item, raw, fail_below)
        if outcome is not None:
            rules["outcomes"][str(raw)] = outcome
    for upto in item.item_type.band_limits(item):
        outcome = _outcome(item, upto, fail_below)
        if outcome is not None:
            rules["bands"].append([float(upto), *outcome])
    return rules
