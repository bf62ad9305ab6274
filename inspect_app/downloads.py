"""Download names in Content-Disposition headers, safe for any user text (RFC 6266 / 5987).

Store codes, checklist keys and other names a user typed end up in file names. Put raw into
a header, a Chinese character fails to encode (a 500), and a quote, CR or LF would break or
split the header. `attachment(name)` gives the header value every download uses:

    attachment; filename="store-__0101-2026-11.pdf"; filename*=UTF-8''store-%E6%9D%AD...

`filename*` carries the exact name (UTF-8, percent-encoded); the quoted `filename` is a plain
ASCII fallback for old clients in which every character outside ``A-Z a-z 0-9 . _ -`` is
'_'. Control characters, quotes, backslashes and slashes are replaced by '_' in both.

Werkzeug's `send_file(download_name=...)` is not used for this: it raises on CR/LF in an
ASCII name and drops non-ASCII characters from the fallback, which can leave it empty.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# RFC 5987 attr-char, less the characters some clients mishandle in a file name.
_ATTR_SAFE = "!#$&+-.^_`|~"
_FALLBACK_KEEP = re.compile(r"[^A-Za-z0-9._-]")
_UNSAFE = frozenset('"\\/')
_MAX_CHARS = 180


def _clean(name: str) -> str:
    """The name a user should see: no control, format or separator characters, no quotes,
    backslashes or slashes (each becomes '_'), no leading or trailing dots and spaces."""
    out = []
    for char in name:
        category = unicodedata.category(char)
        if char in _UNSAFE or category in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append("_")
        elif category == "Zs":
            out.append(" ")
        else:
            out.append(char)
    cleaned = "".join(out).strip(" .")
    if len(cleaned) > _MAX_CHARS:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            cleaned = stem[: _MAX_CHARS - len(ext) - 1] + "." + ext
        else:
            cleaned = cleaned[:_MAX_CHARS]
    return cleaned or "download"


def download_name(name: str) -> str:
    """The exact (Unicode) name a browser saves the file under, as `filename*` gives it."""
    return _clean(name)


def ascii_fallback(name: str) -> str:
    """The ASCII-only `filename` for clients without RFC 5987: extension kept, others '_'."""
    return _FALLBACK_KEEP.sub("_", _clean(name))


def attachment(name: str) -> str:
    """The Content-Disposition value for downloading a file called `name`."""
    exact = _clean(name)
    fallback = _FALLBACK_KEEP.sub("_", exact)
    encoded = quote(exact, safe=_ATTR_SAFE, encoding="utf-8")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
