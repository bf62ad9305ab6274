"""The visit form gives each item's field names from the one codec, for the script to read."""

from __future__ import annotations

import re

from inspect_app.checklists.field_names import decode
from tests.fixtures.visits import VISIT_UUID
from tests.inspections.test_nojs_photos import item_block


def test_each_item_names_its_answer_field_for_the_script(visit) -> None:
    page = visit.client.get(f"/visits/{VISIT_UUID}").text
    for item in visit.definition.items:
        block = item_block(page, item.id)
        name = re.search(r'data-answer-field="([^"]+)"', block).group(1)
        assert decode(name) == ("a", item.id)
        assert f'name="{name}"' in block
