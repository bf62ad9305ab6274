"""Request hygiene at the edge: text the database cannot store, and bounded JSON bodies.

One hook runs before every other (sessions, CSRF, views), so every route, including those
added later, refuses a NUL character, a lone surrogate or invalid UTF-8 in its query string,
form fields, uploaded file names, path and JSON body (keys and values at any depth) with a 400
that names the field. JSON is read here once, with a size limit that holds whatever the
transfer encoding (a chunked body has no Content-Length) and a nesting limit checked before
the parser recurses; views take it from read_json.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Request, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map
from wtforms import Field, IntegerField
from wtforms.validators import Optional

#: Largest JSON body any route reads; a view may ask read_json for less.
MAX_JSON_BYTES = 1_000_000
#: Deepest nesting of JSON objects and arrays; the visit payload needs 3.
MAX_JSON_DEPTH = 32
#: JSON integers beyond this fit no database integer column (PostgreSQL's bigint).
MAX_JSON_INTEGER = 2**63 - 1
#: Ids and counts in URLs and forms beyond this fit no id column (PostgreSQL's integer).
MAX_ID = 2**31 - 1
#: Characters no text column can hold: NUL (PostgreSQL) and lone surrogates (not UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_RAW_BYTE = re.compile(rb"[\x80-\xff]")
_FIELD_SHOWN = 60
#: Where the parsed JSON body is kept for the rest of the request.
_JSON_KEY = "inspect_app.edge.json"


class RefusedInput(BadRequest):
    """Input the server cannot store or read: a 400 that says which field and what to do."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__()
        self.user_message = message
        self.field = field


class BodyTooLarge(RequestEntityTooLarge):
    """A body over the limit, however it was sent: a 413 that says what to do."""

    def __init__(self) -> None:
        super().__init__()
        self.user_message = _(
            "The data sent is too large to save. Shorten the longest texts and send it again."
        )


class BoundedIntConverter(IntegerConverter):
    """The <int:...> URL converter, not matching beyond MAX_ID: a 404, never an overflow."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)


class BoundedParameters(ImmutableMultiDict):
    """Query and form values whose get(..., type=int) treats an integer beyond MAX_ID as invalid.

    Such a number is no id or count in this app, and binding it fails in the database driver
    (SQLite) or in the query (PostgreSQL's integer): the caller gets its default instead.
    """

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and abs(value) > MAX_ID:
            return default
        return value

    def getlist(self, key: Any, type: Any = None) -> list:
        values = super().getlist(key, type=type)
        return [v for v in values if abs(v) <= MAX_ID] if type is int else values


class IdField(IntegerField):
    """An id or count posted in a form, optional: None when absent, not a number, or beyond
    MAX_ID (as BoundedParameters.get(..., type=int) reads it)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > MAX_ID:
            self.data = None


class IdListField(Field):
    """Ids posted under one name (a multiple select): the positive integers up to MAX_ID, in
    order; anything else is dropped."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=list, **kwargs)

    def process_formdata(self, valuelist):
        ids = []
        for value in valuelist:
            try:
                number = int(value)
            except ValueError:
                continue
            if 0 < number <= MAX_ID:
                ids.append(number)
        self.data = ids


class EdgeRequest(Request):
    """Flask's request with bounded integer parameters, closing every upload spool.

    A multipart body cut off at the size limit (413) or malformed part-way leaves Werkzeug's
    spooled temporary files unreferenced but open (on disk beyond 500 KB) until collected.
    """

    parameter_storage_class = BoundedParameters

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self.__dict__.setdefault("edge_spools", []).append(stream)
        return stream

    def close(self) -> None:
        """Close the uploads, parsed or not."""
        super().close()
        for stream in self.__dict__.get("edge_spools", ()):
            stream.close()


def init_app(app: Flask) -> None:
    """Use EdgeRequest and bounded <int:> URLs; run check_request before every other hook."""
    app.request_class = EdgeRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


def check_request() -> None:
    """Refuse unstorable text anywhere in the request, and read a JSON body within limits."""
    if not request.query_string.isascii():
        # A URI carries only ASCII; Werkzeug decodes raw bytes strictly in request.full_path,
        # which every page (error pages too) reads. Percent-encode them, then check them below.
        request.query_string = _RAW_BYTE.sub(lambda m: b"%%%02X" % m[0][0], request.query_string)
    _check_pairs(_url_pairs(request.query_string))
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            _check_text(name, value)
    if request.mimetype == "application/x-www-form-urlencoded":
        _check_pairs(_url_pairs(_read_body(None)))
    elif request.mimetype == "multipart/form-data":
        for name, value in request.form.items(multi=True):
            _check_text(name, name)
            _check_text(name, value)
        for name, upload in request.files.items(multi=True):
            _check_text(name, name)
            _check_text(name, upload.filename or "")
    elif request.is_json and request.method not in ("GET", "HEAD"):
        read_json(MAX_JSON_BYTES)


def read_json(max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Return the JSON body (None when empty), read once; RefusedInput (400) or BodyTooLarge (413)."""
    cached = request.environ.get(_JSON_KEY)
    if cached is None:
        if not request.is_json:
            raise RefusedInput(_("The data sent could not be read: send it as JSON."))
        raw = _read_body(min(max_bytes, MAX_JSON_BYTES))
        cached = request.environ[_JSON_KEY] = (len(raw), _parse_json(raw, max_depth))
    size, data = cached
    if size > max_bytes:
        raise BodyTooLarge()
    return data


def _read_body(max_bytes: int | None) -> bytes:
    """Read the whole body once (kept for the form parser); BodyTooLarge beyond max_bytes."""
    limit = request.max_content_length
    if limit is not None:
        max_bytes = limit if max_bytes is None else min(limit, max_bytes)
    if max_bytes is not None:
        # Set before the first read: Werkzeug then stops a chunked body (no Content-Length) at
        # this limit, silently; reading one byte more tells a body over the limit from one that
        # fits exactly.
        request.max_content_length = max_bytes + 1
    try:
        raw = request.get_data(cache=True, parse_form_data=False)
    except RequestEntityTooLarge:
        raise BodyTooLarge() from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise BodyTooLarge()
    return raw


def _parse_json(raw: bytes, max_depth: int) -> Any:
    unreadable = _("The data sent could not be read: it is not valid JSON.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedInput(unreadable) from None
    if not text.strip():
        return None
    if _nesting_depth(text, max_depth) > max_depth:
        raise RefusedInput(
            _("The data sent could not be read: it is nested more than %(n)s deep.", n=max_depth)
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise RefusedInput(unreadable) from None
    for path, value in _walk(data, ()):
        field = _path_text(path)
        if isinstance(value, str):
            _check_text(field, value)
        elif not _storable_number(value):
            raise RefusedInput(_number_message(field), field)
    return data


def unstorable_text_at(document: Any) -> str | None:
    """Return where (a dotted path) a parsed document first holds text no column can store."""
    for path, value in _walk(document, ()):
        if isinstance(value, str) and UNSTORABLE.search(value):
            return _shown(_path_text(path))
    return None


def _storable_number(value: Any) -> bool:
    """False for NaN, infinities (1e309 reads as one) and integers beyond bigint."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return abs(value) <= MAX_JSON_INTEGER
    return True


def _nesting_depth(text: str, stop_above: int) -> int:
    """Return how deep objects and arrays nest, ignoring brackets inside strings."""
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > stop_above:
            break
    return deepest


def _walk(document: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """Yield every key and leaf value, in document order, with the path that leads to it."""
    stack = [(path, document)]  # a stack, not recursion: documents may nest deeply
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key in value:
                yield (*path, key), key
            stack.extend(reversed([((*path, key), child) for key, child in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([((*path, i), child) for i, child in enumerate(value)]))
        else:
            yield path, value


def _path_text(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _url_pairs(raw: bytes) -> Iterator[tuple[str, bytes]]:
    """Yield each name=value of a query string or form body, the value still as bytes."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _sep, value = pair.partition(b"=")
        yield _decoded(name), unquote_to_bytes(value.replace(b"+", b" "))


def _decoded(raw: bytes) -> str:
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        shown = data.decode("utf-8", "replace")
        raise RefusedInput(_text_message(_shown(shown)), _shown(shown)) from None


def _check_pairs(pairs: Iterator[tuple[str, bytes]]) -> None:
    for name, value in pairs:
        _check_text(name, name)
        try:
            _check_text(name, value.decode("utf-8"))
        except UnicodeDecodeError:
            raise RefusedInput(_text_message(_shown(name)), _shown(name)) from None


def _check_text(field: str, value: str) -> None:
    if UNSTORABLE.search(value):
        shown = _shown(field)
        raise RefusedInput(_text_message(shown), shown)


def _shown(field: str) -> str:
    """The field's name as it can be shown and stored: unstorable characters replaced."""
    return UNSTORABLE.sub("\ufffd", field)[:_FIELD_SHOWN]


def _text_message(field: str) -> str:
    return _(
        'The field "%(field)s" contains characters that cannot be saved (such as a null '
        "character). Remove them and send it again.",
        field=field,
    )


def _number_message(field: str) -> str:
    return _(
        'The field "%(field)s" holds a number that is too large or not a number. '
        "Enter an ordinary number.",
        field=field,
    )
