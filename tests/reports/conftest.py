"""Shared fixtures: an approved visit with findings (from the review tests)."""

from tests.inspections.conftest import assignment, visit
from tests.review.conftest import approved, manager, reviewer, submitted
