"""Typed, immutable checklist definitions and their canonical JSON form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from inspect_app.checklists.item_type_base import ItemType, to_json_number
from inspect_app.checklists.item_types import get_item_type

PHOTO_RULES = ("never", "on_fail", "always")
#: An item fails when it earns less than this share of its points (the rating rule's default).
#: Pass/fail items then fail at 0; partial credit (4 of 5 stars, 3 of 4) loses points only.
DEFAULT_FAIL_BELOW = Decimal("0.5")
#: A staff member's result rests on at least this many observed person-items by default.
DEFAULT_STAFF_MIN_ITEMS = 10


@dataclass(frozen=True)
class Condition:
    """Show an item only when another item's answer is one of `values`."""

    item_id: str
    values: tuple[Any, ...]

    def is_met(self, answer: Any) -> bool:
        return answer is not None and answer in self.values


@dataclass(frozen=True)
class Item:
    id: str
    section_id: str
    type: str
    text: str
    text_en: str | None = None
    guidance: str | None = None
    guidance_en: str | None = None
    points: Decimal = Decimal(0)
    photo: str = "never"
    staff: bool = False
    veto: bool = False
    required: bool = True
    allow_na: bool = False
    show_if: Condition | None = None
    #: This item's own failure threshold (share of its points, 0 < x <= 1); None uses the
    #: checklist's `rating.fail_below`.
    fail_below: Decimal | None = None
    #: Type-specific settings as plain JSON (options, bands, scale max, unit ...).
    config: dict[str, Any] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return (self.text_en or self.text) if lang.startswith("en") else self.text

    def guidance_for(self, lang: str) -> str | None:
        return (self.guidance_en or self.guidance) if lang.startswith("en") else self.guidance

    @property
    def item_type(self) -> ItemType:
        """The registered type that reads, scores and draws this item."""
        return get_item_type(self.type)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    weight: Decimal
    items: tuple[Item, ...]
    title_en: str | None = None

    def label(self, lang: str) -> str:
        return (self.title_en or self.title) if lang.startswith("en") else self.title


@dataclass(frozen=True)
class RatingRules:
    #: Minimum percentage for 1..5 stars, in order; the first is always 0.
    star_thresholds: tuple[Decimal, ...]
    min_inspections: int
    #: A failed veto item caps the inspection's percentage at this.
    veto_max_percent: Decimal
    #: A store with a veto in the period gets at most this many stars.
    veto_max_stars: int
    #: An item fails when it earns less than this share of its points (0 < x <= 1).
    fail_below: Decimal = DEFAULT_FAIL_BELOW
    #: A staff member's period result is "enough" from this many observed person-items.
    staff_min_items: int = DEFAULT_STAFF_MIN_ITEMS

    def stars_for(self, percent: Decimal) -> int:
        """Return the star count (1-5) a percentage earns."""
        stars = 1
        for count, minimum in enumerate(self.star_thresholds, start=1):
            if percent >= minimum:
                stars = count
        return stars


@dataclass(frozen=True)
class ChecklistDefinition:
    key: str
    title: str
    rating: RatingRules
    sections: tuple[Section, ...]
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None

    def label(self, lang: str) -> str:
        return (self.title_en or self.title) if lang.startswith("en") else self.title

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def fail_below(self, item: Item) -> Decimal:
        """Return the share of its points below which `item` fails (its own, else the rule's)."""
        return item.fail_below if item.fail_below is not None else self.rating.fail_below

    def item(self, item_id: str) -> Item:
        """Return the item with this id; KeyError if the checklist has none."""
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(item_id)

    @property
    def max_points(self) -> Decimal:
        return sum((i.item_type.max_points(i) for i in self.items), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical plain-JSON form stored with each version."""
        return {
            "key": self.key,
            "title": self.title,
            "title_en": self.title_en,
            "description": self.description,
            "description_en": self.description_en,
            "rating": {
                "star_thresholds": [to_json_number(t) for t in self.rating.star_thresholds],
                "min_inspections": self.rating.min_inspections,
                "veto": {
                    "max_percent": to_json_number(self.rating.veto_max_percent),
                    "max_stars": self.rating.veto_max_stars,
                },
                # Written only when not the default, so versions stored before these rules
                # existed keep their content hash.
                **(
                    {"fail_below": to_json_number(self.rating.fail_below)}
                    if self.rating.fail_below != DEFAULT_FAIL_BELOW
                    else {}
                ),
                **(
                    {"staff_min_items": self.rating.staff_min_items}
                    if self.rating.staff_min_items != DEFAULT_STAFF_MIN_ITEMS
                    else {}
                ),
            },
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "title_en": s.title_en,
                    "weight": to_json_number(s.weight),
                    "items": [_item_to_dict(i) for i in s.items],
                }
                for s in self.sections
            ],
        }

    def content_hash(self) -> str:
        """Return the sha256 of the canonical JSON; equal content gives an equal hash."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChecklistDefinition:
        """Rebuild a definition from its stored canonical JSON."""
        rating = data["rating"]
        sections = tuple(
            Section(
                id=s["id"],
                title=s["title"],
                title_en=s.get("title_en"),
                weight=Decimal(str(s["weight"])),
                items=tuple(_item_from_dict(s["id"], i) for i in s["items"]),
            )
            for s in data["sections"]
        )
        return cls(
            key=data["key"],
            title=data["title"],
            title_en=data.get("title_en"),
            description=data.get("description"),
            description_en=data.get("description_en"),
            rating=RatingRules(
                star_thresholds=tuple(Decimal(str(t)) for t in rating["star_thresholds"]),
                min_inspections=int(rating["min_inspections"]),
                veto_max_percent=Decimal(str(rating["veto"]["max_percent"])),
                veto_max_stars=int(rating["veto"]["max_stars"]),
                fail_below=Decimal(str(rating.get("fail_below", DEFAULT_FAIL_BELOW))),
                staff_min_items=int(rating.get("staff_min_items", DEFAULT_STAFF_MIN_ITEMS)),
            ),
            sections=sections,
        )


def _item_to_dict(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        "text": item.text,
        "text_en": item.text_en,
        "guidance": item.guidance,
        "guidance_en": item.guidance_en,
        "points": to_json_number(item.points),
        "photo": item.photo,
        "staff": item.staff,
        "veto": item.veto,
        "required": item.required,
        "na": item.allow_na,
        "show_if": (
            {"item": item.show_if.item_id, "in": list(item.show_if.values)}
            if item.show_if
            else None
        ),
        "config": item.config,
        **({"fail_below": to_json_number(item.fail_below)} if item.fail_below is not None else {}),
    }


def _item_from_dict(section_id: str, data: dict[str, Any]) -> Item:
    show_if = data.get("show_if")
    return Item(
        id=data["id"],
        section_id=section_id,
        type=data["type"],
        text=data["text"],
        text_en=data.get("text_en"),
        guidance=data.get("guidance"),
        guidance_en=data.get("guidance_en"),
        points=Decimal(str(data["points"])),
        photo=data["photo"],
        staff=data["staff"],
        veto=data["veto"],
        required=data["required"],
        allow_na=data["na"],
        show_if=Condition(show_if["item"], tuple(show_if["in"])) if show_if else None,
        config=data.get("config") or {},
        fail_below=Decimal(str(data["fail_below"])) if "fail_below" in data else None,
    )
