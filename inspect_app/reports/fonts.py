"""The PDF reports' fonts: a chain of TrueType fonts, embedded as subsets, and its fallback.

Each character is set in the first font of the chain whose cmap has it, so a comment with 𠮷
(U+20BB7), 😀 or 鿏 (U+9FCF) prints those glyphs, and every viewer shows the same glyphs because
only embedded fonts are used. A character no font has (and any private-use code point, whose glyph
would be a guess) prints as ``[U+XXXX]``, never as nothing. The fonts come from the ``PDF_FONTS``
setting (`inspect_app.config`), a list of font files, body font first; nothing is downloaded.
When none of them loads, the reports fall back to ReportLab's CID font STSong-Light, which the PDF
reader supplies, with stand-ins for what it lacks (□ past U+FFFF), and a warning is logged once.

ReportLab embeds TrueType outlines only (glyf), not the CFF outlines of .otf or Noto CJK's .ttc: a
file it cannot load is skipped with a warning. Fallback fonts load lazily, the first time a
character needs them.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from flask import current_app, has_app_context
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from inspect_app.config import Config, settings_from_env

log = logging.getLogger(__name__)

#: ReportLab's built-in Chinese font, used when no configured font loads; not embedded.
CID_FONT = "STSong-Light"
#: What a character no font has prints as: its code point, so a reader can tell what was typed.
REPLACEMENT = "[U+{:04X}]"
#: In the fallback only: characters STSong-Light's Unicode map lacks, and what to print instead.
CID_STAND_INS = str.maketrans(
    {"·": "・", "•": "・", "‧": "・", "⋅": "・", "−": "-", "©": "(C)", "®": "(R)", "™": "TM",
     "✓": "√", "✔": "√"}
)  # fmt: skip
#: Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, Unicode 15) that are
#: not format characters (Cf, dropped by category): variation selectors, fillers, the combining
#: grapheme joiner. They render as nothing by definition, so they are dropped, not replaced.
IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF),
)  # fmt: skip
_MARKUP_PARTS = re.compile(r"(<[^>]*>)|([^<]+)")
_LOAD_LOCK = threading.Lock()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """Return ReportLab's ToUnicode CMap with code points past U+FFFF as UTF-16 surrogate pairs.

    ReportLab 4-5 writes ``<%04X>``, so U+20BB7 became ``<20BB7>`` and text extraction read
    U+20BB (PDF 32000-1 §9.10.3: bfchar destinations are UTF-16BE).
    """
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


# The writer looks the function up in its module when it saves a document; for BMP characters the
# output is byte for byte ReportLab's own.
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def is_ignorable(code: int) -> bool:
    """Return whether a code point is default-ignorable beyond Cf (see `IGNORABLE_RANGES`)."""
    return any(low <= code <= high for low, high in IGNORABLE_RANGES)


def font_files(setting: str | Iterable[str]) -> tuple[str, ...]:
    """Return the font paths of a PDF_FONTS value: a list, or a string split at os.pathsep."""
    parts = setting.split(os.pathsep) if isinstance(setting, str) else setting
    return tuple(p.strip() for p in parts if p and p.strip())


def configured_chain() -> FontChain:
    """Return the chain for PDF_FONTS: the app's setting in an app context, else the environment's."""
    setting: object
    if has_app_context():
        setting = current_app.config.get("PDF_FONTS", Config.PDF_FONTS)
    else:
        setting = settings_from_env().get("PDF_FONTS", Config.PDF_FONTS)
    return font_chain(font_files(setting if isinstance(setting, str) else list(setting)))


@cache
def font_chain(paths: tuple[str, ...]) -> FontChain:
    """Return the (process-wide) chain for these font files, in order."""
    return FontChain(paths)


@cache
def _load(path: str) -> TTFont | None:
    """Register the TrueType font at path under a name of its own; None (logged) if it fails."""
    digest = hashlib.sha1(path.encode()).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9_-]", "", Path(path).stem)[:40] + "-" + digest
    try:
        font = TTFont(name, path)  # a .ttc: its first face
    except Exception as exc:  # TTFError, OSError, struct.error ... for a file not a font
        log.warning("PDF font %s cannot be used and is skipped: %s", path, exc)
        return None
    pdfmetrics.registerFont(font)
    return font


class FontChain:
    """Fonts in order of preference; splits text into runs each set in one of them."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        self._fonts: list[TTFont | None] = []  # loaded so far, in order; None: unusable file
        self._pieces: dict[str, list[tuple[str | None, str]]] = {}  # by character, as they come
        self.body = self._first_usable()
        self.is_embedded = self.body != CID_FONT
        if not self.is_embedded:
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
            log.warning(
                "No font of INSPECT_PDF_FONTS (%s) could be loaded: PDFs use %s, not embedded, "
                "and print stand-ins for what it lacks. Install fonts-wqy-zenhei, fonts-dejavu-core, "
                "fonts-symbola and fonts-hanazono.",
                os.pathsep.join(self.paths) or "empty",
                CID_FONT,
            )

    def _first_usable(self) -> str:
        while self._load_next():
            if self._fonts[-1] is not None:
                return self._fonts[-1].fontName
        return CID_FONT

    def _load_next(self) -> bool:
        """Load the chain's next font (None where unusable); False when all are loaded."""
        with _LOAD_LOCK:
            if len(self._fonts) == len(self.paths):
                return False
            path = self.paths[len(self._fonts)]
            if Path(path).is_file():
                self._fonts.append(_load(path))
            else:
                log.warning("PDF font %s is missing and is skipped", path)
                self._fonts.append(None)
            return True

    def font_for(self, code: int) -> str | None:
        """Return the name of the first font with a glyph for code, or None if none has one.

        None for private-use code points too: their glyphs differ from font to font.
        """
        if unicodedata.category(chr(code)) == "Co":
            return None
        index = 0
        while index < len(self._fonts) or self._load_next():
            font = self._fonts[index]
            if font is not None and code in font.face.charToGlyph:
                return font.fontName
            index += 1
        return None

    def runs(self, text: str) -> list[tuple[str, str]]:
        """Return text as (font name, text) runs; what no font has as `REPLACEMENT`.

        Expects text through `printable` first (no control characters). In the fallback, the
        whole text is one STSong-Light run with `CID_STAND_INS` and □ past U+FFFF.
        """
        if not self.is_embedded:
            shown = "".join(
                "□" if ord(c) > 0xFFFF else c
                for c in text.translate(CID_STAND_INS)
                if not is_ignorable(ord(c))
            )
            return [(CID_FONT, shown)] if shown else []
        runs: list[list[str]] = []
        for char in text:
            pieces = self._pieces.get(char)
            if pieces is None:
                pieces = self._pieces[char] = self._pieces_of(char)
            for font, piece in pieces:
                if not runs or (font is not None and font != runs[-1][0]):
                    runs.append([font or self.body, piece])
                else:
                    runs[-1][1] += piece
        return [(font, piece) for font, piece in runs]

    def _pieces_of(self, char: str) -> list[tuple[str | None, str]]:
        """Return how char prints: (font, text) pieces; font None for a space, which fits any."""
        code = ord(char)
        if char in " \n":
            return [(None, char)]
        if is_ignorable(code):
            return []
        font = self.font_for(code)
        if font is not None:
            return [(font, char)]
        return [(self.font_for(ord(c)) or self.body, c) for c in REPLACEMENT.format(code)]

    def markup(self, markup: str) -> str:
        """Return Paragraph markup with its text wrapped in ``<font name>`` runs of the chain.

        Expects markup whose text is escaped (entities are decoded, routed and escaped again).
        """
        out = []
        for tag, text in _MARKUP_PARTS.findall(markup):
            if tag:
                out.append(tag)
                continue
            for font, run in self.runs(html.unescape(text)):
                run = escape(run)
                out.append(run if font == self.body else f'<font name="{font}">{run}</font>')
        return "".join(out)

    def width(self, text: str, size: float) -> float:
        """Return the width in points of text set at size by the chain."""
        return sum(pdfmetrics.stringWidth(run, font, size) for font, run in self.runs(text))
