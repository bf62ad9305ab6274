"""JSON bodies: nesting depth checked before parsing, unreadable bodies and odd numbers refused."""

from __future__ import annotations

import json

from inspect_app.edge import MAX_JSON_BYTES, MAX_JSON_DEPTH
from tests.edge.conftest import saved_state
from tests.fixtures.visits import visit_payload


def _post(visit, body: bytes | str, kind: str = "draft", content_type: str = "application/json"):
    return visit.client.post(
        f"/api/visits/{visit.uuid}/{kind}",
        data=body,
        content_type=content_type,
        headers={"X-CSRFToken": visit.token},
    )


def test_json_nested_1000_deep_in_2_kb_is_a_400_not_a_500(db, visit):
    before = saved_state(db)
    body = "[" * 1000 + "]" * 1000
    assert len(body) == 2000
    deep_object = '{"answers": ' + '{"a": ' * 5000 + "1" + "}" * 5001
    for kind in ("draft", "submit"):
        response = _post(visit, body, kind)
        assert response.status_code == 400
        assert response.json["ok"] is False and str(MAX_JSON_DEPTH) in response.json["message"]
        assert _post(visit, deep_object, kind).status_code == 400
    assert saved_state(db) == before


def test_brackets_inside_strings_do_not_count_as_nesting(db, visit):
    body = visit_payload(visit.definition)
    body["answers"]["phrasing.greeting"]["comment"] = "[[[[" * 100 + '"\\{' * 50
    response = _post(visit, json.dumps(body))
    assert response.status_code == 200, response.text
    assert json.dumps(body).count("[") > MAX_JSON_DEPTH


UNREADABLE = [
    b'{"answers": ',  # cut off
    b"\xff\xfe{}",  # not UTF-8
    b'{"answers": {}}\xed\xa0\x80',
    b"\xef\xbb\xbf{}",  # a byte-order mark
    b"1" * 5000,  # more digits than Python reads as an int
    b"NaN",
    b"{'answers': {}}",
]


def test_unreadable_empty_or_non_json_bodies_are_a_400(db, visit):
    before = saved_state(db)
    for body in UNREADABLE:
        response = _post(visit, body)
        assert response.status_code == 400 and response.json["ok"] is False, body
    assert _post(visit, b"").status_code == 400
    form = _post(visit, b"answers=1", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400 and form.json["ok"] is False
    assert saved_state(db) == before


UNSTORABLE_NUMBERS = [
    ('"waiting_minutes": NaN', "visit.waiting_minutes"),
    ('"waiting_minutes": Infinity', "visit.waiting_minutes"),
    ('"waiting_minutes": -Infinity', "visit.waiting_minutes"),
    ('"waiting_minutes": 1e309', "visit.waiting_minutes"),
    ('"waiting_minutes": 1000000000000000000000000000000', "visit.waiting_minutes"),
    ('"counter_no": -99999999999999999999', "visit.counter_no"),
]


def test_numbers_no_column_can_hold_are_refused_with_the_field(db, visit):
    before = saved_state(db)
    for raw, field in UNSTORABLE_NUMBERS:
        response = _post(visit, '{"visit": {' + raw + '}, "answers": {}}')
        assert response.status_code == 400, raw
        assert response.json["field"] == field
    assert saved_state(db) == before


def test_odd_waiting_minutes_are_a_field_error_and_the_rest_is_saved(db, visit):
    for value in (10**18, -1, 0.5, -0.0, "1e3", "12abc", True, [1], {"a": 1}):
        body = visit_payload(visit.definition)
        body["visit"]["waiting_minutes"] = value
        response = visit.draft(body)
        assert response.status_code == 422, (value, response.text)
        assert "visit.waiting_minutes" in response.json["errors"]


def test_absurd_item_values_are_refused(db, visit):
    number_item = next(item for item in visit.definition.items if item.type == "number")
    cases = [(1e308, 422), (10**18, 422), (-0.0, 200), ("1e999999", 422), (10**30, 400)]
    for value, status in [*cases, (-(10**30), 400)]:
        body = visit_payload(visit.definition)
        body["answers"][number_item.id] = {"value": value}
        response = visit.draft(body)
        assert response.status_code == status, (value, response.text)
        if status == 422:
            assert number_item.id in response.json["errors"]
        if status == 400:  # beyond any integer column: refused at the edge, naming the answer
            assert response.json["field"] == f"answers.{number_item.id}.value"


def test_a_json_body_just_over_the_limit_is_a_413(db, visit):
    before = saved_state(db)
    body = visit_payload(visit.definition)
    body["visit"]["counter_no"] = "x" * MAX_JSON_BYTES
    response = visit.draft(body)
    assert response.status_code == 413 and response.json["ok"] is False
    assert saved_state(db) == before
