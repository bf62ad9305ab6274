"""Size limits hold for chunked bodies (no Content-Length), tested on a real server socket.

Werkzeug's test client never sends a chunked body the way a server passes it on, so these
tests start the app in Werkzeug's HTTP server on 127.0.0.1 and write raw HTTP/1.1 to it.
"""

from __future__ import annotations

import http.client
import json
import socket
import uuid
from collections.abc import Iterable

from inspect_app.edge import MAX_JSON_BYTES
from tests.edge.conftest import BOUNDARY, MULTIPART, saved_state
from tests.fixtures.visits import jpeg_bytes, visit_payload

CHUNK = 64 * 1024


def _send_chunked(
    address: str, path: str, headers: dict[str, str], chunks: Iterable[bytes], *, finish: bool
) -> tuple[int, bytes]:
    """POST a chunked body; without finish, the body never ends (the server must stop reading)."""
    host, port = address.split(":")
    sock = socket.create_connection((host, int(port)), timeout=20)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        try:
            sock.sendall(head.encode())
            for chunk in chunks:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if finish:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()
    finally:
        sock.close()


def _split(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def _session_headers(visit, content_type: str) -> dict[str, str]:
    cookie = visit.client.get_cookie("inspect_session")
    return {
        "Cookie": f"inspect_session={cookie.value}",
        "X-CSRFToken": visit.token,
        "Content-Type": content_type,
        "Accept": "application/json",
    }


def test_chunked_json_is_held_to_the_limit(db, visit, live_app):
    url, headers = f"/api/visits/{visit.uuid}/draft", _session_headers(visit, "application/json")
    body = json.dumps(visit_payload(visit.definition)).encode()
    status, reply = _send_chunked(live_app, url, headers, _split(body), finish=True)
    assert status == 200, reply  # a chunked body within the limit is read as usual
    before = saved_state(db)
    assert before[1] == 1  # draft revision

    large = visit_payload(visit.definition)
    large["answers"]["phrasing.greeting"]["comment"] = "长" * 700_000  # 2.1 MB as UTF-8
    raw = json.dumps(large, ensure_ascii=False).encode()
    assert len(raw) > 2_000_000
    status, reply = _send_chunked(live_app, url, headers, _split(raw), finish=True)
    assert status == 413
    assert json.loads(reply)["ok"] is False

    # A body that never ends gets its 413 too: the server stopped reading at the limit.
    endless = [b'{"answers": {}, "pad": "', *_split(b"x" * (MAX_JSON_BYTES + 2 * CHUNK))]
    status, _reply = _send_chunked(live_app, url, headers, endless, finish=False)
    assert status == 413
    assert saved_state(db) == before


def _photo_body(photo_uuid: str, data: bytes, *, close: bool = True) -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="uuid"\r\n\r\n{photo_uuid}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="item_id"\r\n\r\n'
        "hygiene.cleanliness\r\n"
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + data + (f"\r\n--{BOUNDARY}--\r\n".encode() if close else b"")


def test_a_chunked_multipart_body_over_the_limit_is_a_413_not_parsed_whole(
    app, db, visit, live_app
):
    url, headers = f"/api/visits/{visit.uuid}/photos", _session_headers(visit, MULTIPART)
    photo_uuid = str(uuid.uuid4())
    body = _photo_body(photo_uuid, jpeg_bytes())
    status, reply = _send_chunked(live_app, url, headers, _split(body), finish=True)
    assert status == 201, reply  # a chunked upload within the limit is stored as usual
    before = saved_state(db)
    assert before[7] == [photo_uuid]

    limit = app.config["MAX_CONTENT_LENGTH"]
    oversized = _photo_body(str(uuid.uuid4()), jpeg_bytes() + b"\xff" * (limit + CHUNK))
    status, reply = _send_chunked(live_app, url, headers, _split(oversized), finish=True)
    assert status == 413, reply
    assert json.loads(reply)["ok"] is False

    # A body that never ends gets its 413 too: the form parser stopped at the limit.
    endless = _photo_body(str(uuid.uuid4()), b"\xff" * (limit + CHUNK), close=False)
    status, _reply = _send_chunked(live_app, url, headers, _split(endless), finish=False)
    assert status == 413
    assert saved_state(db) == before
