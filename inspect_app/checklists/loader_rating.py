"""The checklist validator's reading of `rating`: star thresholds, minimum visits, veto cap."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from inspect_app.checklists.definition import (
    DEFAULT_FAIL_BELOW,
    DEFAULT_STAFF_MIN_ITEMS,
    RatingRules,
)
from inspect_app.checklists.loader_base import ValidatorBase, line_of, to_decimal

RATING_KEYS = {"star_thresholds", "min_inspections", "veto", "fail_below", "staff_min_items"}


class RatingValidator(ValidatorBase):
    """Reads a checklist's `rating` mapping."""

    def rating(self, node: Any, line: int) -> RatingRules | None:
        """Read `rating`: star thresholds, minimum visits, the veto cap and the failure shares."""
        if not isinstance(node, Mapping):
            self.error(_("`rating` is required: star_thresholds, min_inspections and veto."), line)
            return None
        self.unknown_keys(node, RATING_KEYS)
        parsed = self.star_thresholds(node)
        minimum = self.count(
            node,
            "min_inspections",
            None,
            _("`min_inspections` must be a whole number of at least 1."),
            line,
        )
        max_percent, max_stars = self.veto(node)
        fail_below = self.fail_share(node, DEFAULT_FAIL_BELOW)
        staff_min = self.count(
            node,
            "staff_min_items",
            DEFAULT_STAFF_MIN_ITEMS,
            _("`staff_min_items` must be a whole number of at least 1."),
            line,
        )
        if len(parsed) != 5:
            return None
        return RatingRules(
            tuple(parsed),
            minimum,
            max_percent,
            max_stars,
            fail_below=fail_below,
            staff_min_items=staff_min,
        )

    def star_thresholds(self, node: Mapping) -> list[Decimal]:
        """The minimum percentage of each of 1 to 5 stars, increasing from 0; all five or
        fewer (each bad one reported)."""
        thresholds = node.get("star_thresholds")
        parsed: list[Decimal] = []
        t_line = line_of(node, "star_thresholds")
        if not isinstance(thresholds, Mapping) or set(thresholds) != {1, 2, 3, 4, 5}:
            self.error(
                _("`star_thresholds` must give the minimum percentage for each of 1 to 5 stars."),
                t_line,
            )
        else:
            for stars in range(1, 6):
                value = to_decimal(thresholds[stars])
                if value is None or not 0 <= value <= 100:
                    self.error(
                        _("The %(n)s-star threshold must be a percentage from 0 to 100.", n=stars),
                        line_of(thresholds, stars),
                    )
                    continue
                parsed.append(value)
            if len(parsed) == 5:
                if parsed[0] != 0:
                    self.error(
                        _("The 1-star threshold must be 0, so that every score earns a rating."),
                        line_of(thresholds, 1),
                    )
                for lower, higher, stars in zip(parsed, parsed[1:], range(2, 6), strict=False):
                    if higher <= lower:
                        self.error(
                            _(
                                "Star thresholds must increase: %(n)s stars needs more than %(m)s stars.",
                                n=stars,
                                m=stars - 1,
                            ),
                            line_of(thresholds, stars),
                        )
        return parsed

    def veto(self, node: Mapping) -> tuple[Decimal, int]:
        """The cap a failed veto item puts on a visit: (max_percent, max_stars)."""
        veto = node.get("veto", {})
        max_percent, max_stars = Decimal(0), 1
        if not isinstance(veto, Mapping):
            self.error(
                _("`veto` must be a mapping with max_percent and max_stars."), line_of(node, "veto")
            )
        else:
            self.unknown_keys(veto, {"max_percent", "max_stars"})
            percent = to_decimal(veto.get("max_percent", 0))
            if percent is None or not 0 <= percent <= 100:
                self.error(
                    _("`veto.max_percent` must be a percentage from 0 to 100."),
                    line_of(veto, "max_percent"),
                )
            else:
                max_percent = percent
            stars_cap = veto.get("max_stars", 1)
            if (
                isinstance(stars_cap, bool)
                or not isinstance(stars_cap, int)
                or not 1 <= stars_cap <= 5
            ):
                self.error(
                    _("`veto.max_stars` must be a whole number from 1 to 5."),
                    line_of(veto, "max_stars"),
                )
            else:
                max_stars = stars_cap
        return max_percent, max_stars
