"""Text the database cannot store (NUL, lone surrogates, invalid UTF-8) is a 400 naming the field."""

from __future__ import annotations

import io
import json
import uuid

from flask_babel import force_locale, gettext
from markupsafe import escape

from inspect_app.auth.models import Role
from inspect_app.checklists.models import Checklist
from tests.conftest import DEFAULT_CHECKLIST, csrf_token, post_form
from tests.edge.conftest import MULTIPART, multipart, saved_state
from tests.fixtures.visits import jpeg_bytes, visit_payload

TEXT_REFUSED = (
    'The field "%(field)s" contains characters that cannot be saved (such as a null '
    "character). Remove them and send it again."
)


def _json_post(visit, kind: str, body: bytes):
    return visit.client.post(
        f"/api/visits/{visit.uuid}/{kind}",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": visit.token},
    )


def _refusal(field: str) -> str:
    """The refusal as the error page shows it (Chinese, the default language), HTML-escaped."""
    with force_locale("zh_CN"):
        return str(escape(gettext(TEXT_REFUSED, field=field)))


def test_nul_or_invalid_utf8_in_the_sign_in_form_is_a_400_page_naming_the_field(client, make_user):
    make_user(Role.INSPECTOR, username="inspector1")
    token = csrf_token(client)
    for data, field in (
        ({"username": "inspector1\x00", "password": "x"}, "username"),
        ({"username": "inspector1", "password": "p\x00"}, "password"),
    ):
        response = client.post("/login", data={**data, "csrf_token": token})
        assert response.status_code == 400
        assert "text/html" in response.content_type
        assert _refusal(field) in response.text
    # A lone surrogate, UTF-8 encoded, is not valid UTF-8.
    body = f"csrf_token={token}&username=%ED%A0%80&password=x".encode()
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and _refusal("username") in response.text
    # The CSRF check still guards the form: without a token it is refused as before.
    no_token = client.post("/login", data={"username": "inspector1", "password": "x"})
    assert no_token.status_code == 400 and _refusal("username") not in no_token.text


QUERIES = [
    b"q=%00abc",
    b"q=%ED%A0%80",  # a lone surrogate, UTF-8 encoded: not valid UTF-8
    b"q=%FF",
    b"q=\xff",  # a raw byte that is no UTF-8 at all
]


def test_nul_or_invalid_utf8_in_a_search_box_is_a_400(inspector_client, visit):
    for query in QUERIES:
        # WSGI carries the raw query bytes as a latin-1 string.
        environ = {"QUERY_STRING": query.decode("latin-1")}
        response = inspector_client.get("/visits/new", environ_overrides=environ)
        assert response.status_code == 400, query
        assert _refusal("q") in response.text
    for query in (b"%FF=1", b"q%00=1"):  # in the name, too
        environ = {"QUERY_STRING": query.decode("latin-1")}
        assert inspector_client.get("/visits/new", environ_overrides=environ).status_code == 400
    assert inspector_client.get("/visits/new?q=%E4%B8%AD").status_code == 200  # 中 is fine
    assert inspector_client.get("/visits/new?q=\u202e😀").status_code == 200


def test_nul_comment_in_a_draft_is_a_json_400_with_the_field(db, visit):
    assert visit.draft(visit_payload(visit.definition)).status_code == 200
    before = saved_state(db)
    body = visit_payload(visit.definition)
    body["answers"]["phrasing.greeting"]["comment"] = "很好\x00"
    response = visit.draft(body)
    assert response.status_code == 400
    assert response.json["ok"] is False and response.json["status"] == 400
    assert response.json["field"] == "answers.phrasing.greeting.comment"
    assert "answers.phrasing.greeting.comment" in response.json["message"]
    assert saved_state(db) == before


def test_nul_and_lone_surrogates_in_json_are_refused_on_any_database(db, visit):
    before = saved_state(db)
    for kind in ("draft", "submit"):
        for text in ("\ud800", "a\udfffb", "\x00", "ok\ud83d"):
            body = visit_payload(visit.definition)
            body["answers"]["phrasing.greeting"]["comment"] = text
            raw = json.dumps(body)  # escapes them as \ud800 and \u0000, as a browser would
            response = _json_post(visit, kind, raw.encode())
            assert response.status_code == 400, (kind, text, response.text)
            assert response.json["field"] == "answers.phrasing.greeting.comment"
    assert saved_state(db) == before


def test_unstorable_json_keys_and_deep_values_are_named(db, visit):
    response = _json_post(visit, "draft", b'{"visit": {}, "answers": {"x\\u0000y": {}}}')
    assert response.status_code == 400 and response.json["field"] == "answers.x\ufffdy"
    response = _json_post(visit, "draft", b'{"answers": [[{"a": ["ok", "\\ud83d"]}]]}')
    assert response.status_code == 400 and response.json["field"] == "answers[0][0].a[1]"


def test_surrogate_encoded_as_utf8_bytes_in_json_is_refused(db, visit):
    raw = '{"answers": {"phrasing.greeting": {"comment": "\ud800"}}}'.encode(
        "utf-8", "surrogatepass"
    )
    response = _json_post(visit, "draft", raw)
    assert response.status_code == 400 and response.json["ok"] is False


def test_photo_upload_checks_the_file_name_not_the_binary_content(db, visit):
    data = jpeg_bytes()
    assert b"\x00" in data  # binary content is full of NUL bytes, and that is fine
    stored = visit.photo(str(uuid.uuid4()), "hygiene.cleanliness", data, filename="a.jpg")
    assert stored.status_code == 201
    before = saved_state(db)
    body = multipart({"uuid": str(uuid.uuid4()).encode()}, {"photo": (b"evil\x00.jpg", data)})
    refused = visit.client.post(
        f"/api/visits/{visit.uuid}/photos",
        data=body,
        content_type=MULTIPART,
        headers={"X-CSRFToken": visit.token},
    )
    assert refused.status_code == 400 and refused.json["field"] == "photo"
    body = multipart(
        {"uuid": str(uuid.uuid4()).encode(), "item_id": b"x\x00"}, {"photo": (b"a.jpg", data)}
    )
    refused = visit.client.post(
        f"/api/visits/{visit.uuid}/photos",
        data=body,
        content_type=MULTIPART,
        headers={"X-CSRFToken": visit.token},
    )
    assert refused.status_code == 400 and refused.json["field"] == "item_id"
    assert saved_state(db) == before


def test_nul_in_a_path_segment_is_a_400(inspector_client, visit):
    assert inspector_client.get("/visits/abc%00def").status_code == 400


def test_nul_in_an_ordinary_form_post_is_refused_before_the_view(admin_client, org):
    response = post_form(admin_client, "/admin/regions", {"code": "X\x00", "name": "西区"})
    assert response.status_code == 400 and _refusal("code") in response.text


def test_unstorable_escapes_in_an_uploaded_checklist_are_refused_with_the_field(db, admin_client):
    text = DEFAULT_CHECKLIST.read_text()
    for n, title in enumerate(('"营业厅\\0暗访"', '"营业厅\\uD800"', '"x\\x00"')):
        evil = text.replace("title: 营业厅暗访检查表", f"title: {title}", 1)
        evil = evil.replace("key: business-hall-mystery-shop", f"key: evil-{n}", 1)
        response = post_form(
            admin_client,
            "/checklists/upload",
            {"file": (io.BytesIO(evil.encode()), "c.yaml")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, title
        assert "title" in response.text
    assert db.session.query(Checklist).count() == 0
