"""Checklist titles, item and section texts in the reader's language, read with the checklist
version an answer was made with.

An answer is always shown in the words of its own visit's checklist version, never the version
in use today: a version that dropped or reworded an item must not break or change old findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.operations import definition_of
from inspect_app.context import current_lang


class AnsweredItem(Protocol):
    """What an answer needs here: its id, its item id and its visit's checklist version."""

    id: int
    item_id: str
    inspection: Any  # an Inspection: its checklist_version is read


class Definitions:
    """Checklist definitions by version, each parsed once for the life of this object (a page,
    a PDF or an export): `definition_of` rebuilds the definition from its JSON on every call."""

    def __init__(self) -> None:
        self._by_version: dict[int, ChecklistDefinition] = {}

    def __call__(self, version: ChecklistVersion) -> ChecklistDefinition:
        """Return the definition of this version."""
        if version.id not in self._by_version:
            self._by_version[version.id] = definition_of(version)
        return self._by_version[version.id]


def item_texts(definition: ChecklistDefinition, item_id: str, lang: str) -> tuple[str, str]:
    """Return (section title, item text) of an item in this definition, in `lang`.

    An id the definition lacks (never so for an answer read with its own visit's version) gives
    ("", the id) rather than an error, so a damaged record still shows.
    """
    for section in definition.sections:
        for item in section.items:
            if item.id == item_id:
                return section.label(lang), item.label(lang)
    return "", item_id


def answer_item_texts(
    answers: Iterable[AnsweredItem], lang: str, definitions: Definitions | None = None
) -> dict[int, str]:
    """Each answer's item text by answer id, read with its own visit's checklist version."""
    definitions = definitions or Definitions()
    return {
        answer.id: item_texts(
            definitions(answer.inspection.checklist_version), answer.item_id, lang
        )[1]
        for answer in answers
    }


def version_title(version: ChecklistVersion | None, lang: str | None = None) -> str:
    """A checklist version's title in `lang` (the request's language if not given): its English
    title in English where it has one, else its Chinese title."""
    if version is None:
        return ""
    data = version.definition
    if (lang or current_lang()).startswith("en") and data.get("title_en"):
        return data["title_en"]
    return data["title"]


def checklist_title(checklist: Checklist, lang: str | None = None) -> str:
    """A checklist's title in `lang` (the request's language if not given), as its version in use
    words it: `Checklist.title` keeps the Chinese title only."""
    version = checklist.active_version or (checklist.versions[-1] if checklist.versions else None)
    return version_title(version, lang) if version is not None else checklist.title
