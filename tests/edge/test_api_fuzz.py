"""Hostile input to the visit form's API, sign-in and store search never makes a 5xx.

Hypothesis sends hostile strings (NUL, lone surrogates, RTL marks, 10,000 characters, emoji,
SQL, HTML), dates out of any range, numbers (huge, NaN, infinite, -0), deep nesting, wrong
types and bytes that are not UTF-8. Every refused request leaves the saved draft as it was.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from inspect_app.checklists.loader import load_checklist_file
from inspect_app.edge import UNSTORABLE
from tests.conftest import DEFAULT_CHECKLIST, csrf_token
from tests.edge.conftest import MULTIPART, multipart, saved_state
from tests.fixtures.visits import jpeg_bytes, visit_payload

FUZZ = settings.get_profile("edge-fuzz")
ITEM_IDS = [item.id for item in load_checklist_file(DEFAULT_CHECKLIST).definition.items]
PHOTO = jpeg_bytes(size=(64, 48))
#: Answers the server took (wholly or in part): the draft may have changed.
TAKEN = (200, 201, 422)

HOSTILE = [
    "\x00", "a\x00b", "\ud800", "x\udfff", "\ud83d\ude00", "\u202eevil\u202c", "\u200f", "\ufeff",
    "😀" * 40, "x" * 10_000, "'; DROP TABLE answers; --", "<script>alert(1)</script>", "%00",
    "\\u0000", "\r\n", " ", "", "null", "NaN", "1e309", "０１２", "工号\u0301", "a" * 33,
]  # fmt: skip
HOSTILE_DATES = [
    "0001-01-01T00:00", "9999-12-31T23:59", "2026-03-14T10:00+99:00", "2026-03-14T10:00+23:59",
    "99999-01-01T00:00", "1999-12-31T23:59", "2026-02-30T10:00", "now", "2026-03-14T25:61",
    "0001:01:01 00:00:00", "9999:12:31 23:59:59", "2026:03:14 10:00:00",
]  # fmt: skip

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=30),  # NUL, surrogates too
    st.text(max_size=80),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    st.sampled_from([-0.0, 10**30, 2**63, 2**63 - 1, -(2**63), 2**31, 0.1, 1e308]),
)
dates = st.one_of(
    st.sampled_from(HOSTILE_DATES),
    st.builds(
        lambda moment, offset: moment.isoformat() + offset,
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(["", "Z", "+08:00", "+14:00", "-12:00", "+23:59", "-23:59"]),
    ),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, dates)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
answer_values = st.one_of(st.sampled_from(["pass", "fail", "na", 0, 1, 3, 5, "3"]), values)
answers = st.fixed_dictionaries(
    {},
    optional={
        "value": answer_values,
        "comment": st.one_of(texts, values),
        "employee_no": st.one_of(st.sampled_from(["00001", "001-02", "00101"]), texts, values),
        "unidentified": st.one_of(st.booleans(), values),
        "person_description": st.one_of(texts, values),
    },
)
#: Who served: on the roster, another hall's, unknown, malformed, or not a list at all.
served_lists = st.one_of(
    st.lists(
        st.one_of(st.sampled_from(["00001", "00101", "0009999", "00 01!"]), texts), max_size=5
    ),
    values,
)
visits = st.fixed_dictionaries(
    {},
    optional={
        "arrived_at": st.one_of(dates, values),
        "left_at": st.one_of(dates, values),
        "waiting_minutes": st.one_of(numbers, texts, values),
        "counter_no": st.one_of(texts, numbers, values),
        "served_by": served_lists,
    },
)
payloads = st.one_of(
    st.fixed_dictionaries(
        {
            "visit": st.one_of(visits, values),
            "answers": st.one_of(
                st.dictionaries(
                    st.one_of(st.sampled_from(ITEM_IDS), texts),
                    st.one_of(answers, values),
                    max_size=6,
                ),
                values,
            ),
        }
    ),
    values,
)


def _encode(text: str) -> bytes:
    """UTF-8, lone surrogates included as the invalid bytes a broken client would send."""
    return text.encode("utf-8", "surrogatepass")


bodies = st.one_of(
    payloads.map(lambda p: json.dumps(p).encode()),  # surrogates and NUL as \\u escapes
    payloads.map(lambda p: _encode(json.dumps(p, ensure_ascii=False))),
    st.integers(1, 3000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.integers(1, 3000).map(lambda n: ('{"answers": ' * n + "{}" + "}" * n).encode()),
    st.binary(max_size=200),
)


@pytest.fixture
def api(visit):
    """The started visit, with one draft saved, and a CSRF token for its session."""
    assert visit.draft(visit_payload(visit.definition)).status_code == 200
    return visit, visit.token


@FUZZ
@given(body=bodies, kind=st.sampled_from(["draft", "submit"]))
def test_visit_json_api_never_answers_5xx(db, api, body, kind):
    visit, token = api
    before = saved_state(db)
    response = visit.client.post(
        f"/api/visits/{visit.uuid}/{kind}",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, response.text
    assert response.is_json, response.text
    if response.status_code not in TAKEN:
        assert saved_state(db) == before, response.text


@FUZZ
@given(
    photo_uuid=st.one_of(st.uuids().map(str), texts),
    item_id=st.one_of(st.none(), st.sampled_from(ITEM_IDS), texts),
    captured_at=st.one_of(st.none(), dates, texts),
    filename=st.one_of(st.just("p.jpg"), texts),
)
def test_photo_upload_never_answers_5xx(db, api, photo_uuid, item_id, captured_at, filename):
    visit, token = api
    before = saved_state(db)
    fields = {"uuid": _encode(photo_uuid)}
    if item_id is not None:
        fields["item_id"] = _encode(item_id)
    if captured_at is not None:
        fields["captured_at"] = _encode(captured_at)
    safe_name = _encode(filename.replace('"', "").replace("\r", "").replace("\n", ""))
    response = visit.client.post(
        f"/api/visits/{visit.uuid}/photos",
        data=multipart(fields, {"photo": (safe_name, PHOTO)}),
        content_type=MULTIPART,
        headers={"X-CSRFToken": token},
    )
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, response.text
    if response.status_code not in TAKEN:
        assert saved_state(db) == before, response.text
    if "\x00" in photo_uuid + (item_id or "") + (captured_at or "") + filename:
        assert response.status_code == 400


def _urlencoded(pairs: dict[str, str]) -> bytes:
    return b"&".join(
        quote_from_bytes(_encode(k)).encode() + b"=" + quote_from_bytes(_encode(v)).encode()
        for k, v in pairs.items()
    )


@FUZZ
@given(username=texts, password=texts)
def test_sign_in_never_answers_5xx(client, username, password):
    token = csrf_token(client)
    body = _urlencoded({"csrf_token": token, "username": username, "password": password})
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, response.text
    if UNSTORABLE.search(username + password):
        assert response.status_code == 400


@FUZZ
@given(q=st.one_of(texts, st.binary(max_size=40)))
def test_store_search_never_answers_5xx(db, api, q):
    visit, _token = api
    raw = q if isinstance(q, bytes) else _encode(q)
    response = visit.client.get(f"/visits/new?q={quote_from_bytes(raw)}")
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, response.text
    try:
        refused = bool(UNSTORABLE.search(raw.decode("utf-8")))
    except UnicodeDecodeError:
        refused = True
    assert response.status_code == (400 if refused else 200)
