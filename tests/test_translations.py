"""Every UI string has a Chinese translation, and the compiled catalogue is current."""

from __future__ import annotations

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from inspect_app.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "inspect_app" / "translations"
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo"


def _ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def test_every_string_in_the_code_is_translated_to_chinese(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(TRANSLATIONS / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ]
    )
    with pot.open("rb") as f:
        wanted = _ids(read_po(f))
    with PO.open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert len(wanted) > 150
    assert missing == [], f"untranslated: {missing[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id and not m.fuzzy}
    with MO.open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert mo == po, "run: pybabel compile -d inspect_app/translations"
