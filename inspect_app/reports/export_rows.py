"""The rows of the HR workbook, read from the database as plain rows for the writer.

Item detail is streamed (server-side cursor on PostgreSQL, yield_per everywhere), so a
province's quarter of 1.4 million rows never sits in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from inspect_app.checklists.answer_text import answer_in_words
from inspect_app.checklists.definition import ChecklistDefinition, Item, RatingRules
from inspect_app.checklists.item_types import NOT_APPLICABLE
from inspect_app.checklists.models import Checklist, ChecklistVersion
from inspect_app.checklists.operations import definition_of
from inspect_app.extensions import db
from inspect_app.inspections.filters import approved_visits_in
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.periods import Period
from inspect_app.photos.models import Photo, PhotoPurpose
from inspect_app.ratings.staff_queries import staff_period_ratings
from inspect_app.ratings.store_queries import period_versions, rate_period, rules_of
from inspect_app.reports.workbook_tables import DetailRow, StaffRow, StoreRatingRow
from inspect_app.stores.models import Store

#: 样本充足: whether the person-items reach the checklist's staff_min_items.
ENOUGH_LABELS = {True: "是", False: "否"}


def rated_checklists(period: Period) -> list[Checklist]:
    """The checklists the store-ratings table rates for the period, by key: every checklist in
    use (with an active version) and every other one with an approved visit in the period."""
    used = (
        select(ChecklistVersion.checklist_id)
        .join(Inspection, Inspection.checklist_version_id == ChecklistVersion.id)
        .where(*approved_visits_in(period))
    )
    return list(
        db.session.scalars(
            select(Checklist)
            .where(or_(Checklist.active_version_id.is_not(None), Checklist.id.in_(used)))
            .order_by(Checklist.key)
        )
    )


def checklist_rules(checklist: Checklist) -> RatingRules:
    """The rules a checklist rates with where the period has no visit: those of the version in
    use, else of its newest version."""
    version = checklist.active_version or max(checklist.versions, key=lambda v: v.number)
    return rules_of(version.id)


def store_rating_rows(period: Period, region_id: int | None) -> list[StoreRatingRow]:
    """One row per hall, period and checklist (the region's halls, or every hall).

    Each checklist of `rated_checklists` rates every active hall (a hall without a visit on it
    has a row with empty figures) and ranks the halls on that checklist alone. 检查表版本 lists
    the versions of the visits behind the figures ("2, 3" when the period spans two); the
    rules of the newest of them apply. Rows come by checklist key, then region and rank.
    """
    out = []
    for checklist in rated_checklists(period):
        rows = rate_period(period, checklist.id, checklist_rules(checklist))
        if region_id is not None:
            rows = [r for r in rows if r.region_id == region_id]
        rows.sort(
            key=lambda r: (r.region_name, r.rank_in_region is None, r.rank_in_region or 0, r.code)
        )
        versions = period_versions(period, checklist.id)
        out.extend(
            StoreRatingRow(
                period=period.key,
                region=r.region_name,
                store_code=r.code,
                store_name=r.name,
                inspections=r.rating.count,
                mean_score=r.rating.mean_percent,
                stars=r.rating.stars,
                vetoes=r.rating.veto_count,
                rank_in_region=r.rank_in_region,
                rank_overall=r.rank_overall,
                checklist_key=checklist.key,
                checklist_title=checklist.title,
                checklist_versions=", ".join(
                    str(number) for _id, number in versions.get(r.store_id, [])
                ),
            )
            for r in rows
        )
    return out


def staff_rows(period: Period, region_id: int | None) -> list[StaffRow]:
    """One row per person and hall observed in the period (the region's, or everyone's)."""
    return [
        StaffRow(
            employee_no=r.employee_no,
            name=r.name,
            store_code=r.store_code,
            store_name=r.store_name,
            region=r.region_name,
            period=period.key,
            visits=r.rating.tally.visits,
            person_items=r.rating.tally.person_items,
            points_earned=r.rating.tally.earned,
            points_possible=r.rating.tally.possible,
            score=r.rating.percent,
            failed_items=r.rating.tally.failed_items,
            veto_findings=r.rating.tally.veto_findings,
            enough=ENOUGH_LABELS[r.rating.is_enough],
            rank_in_hall=r.rating.rank_in_hall,
            rank_in_region=r.rating.rank_in_region,
            score_before_cap=r.rating.percent_before_cap,
        )
        for r in staff_period_ratings(period, region_ids=None if region_id is None else [region_id])
    ]


def _detail_query(period: Period, region_id: int | None):
    query = (
        select(
            Inspection.id,
            Inspection.uuid,
            Inspection.visit_date,
            Inspection.checklist_version_id,
            Store.code,
            Store.name,
            Answer.item_id,
            Answer.value,
            Answer.is_not_applicable,
            Answer.is_failed,
            Answer.points_earned,
            Answer.points_possible,
            Answer.employee_no,
            Answer.comment,
        )
        .join(Inspection, Inspection.id == Answer.inspection_id)
        .join(Store, Store.id == Inspection.store_id)
        .where(*approved_visits_in(period))
    )
    if region_id is not None:
        query = query.where(Store.region_id == region_id)
    return query


def count_detail_rows(period: Period, region_id: int | None) -> int:
    query = _detail_query(period, region_id).with_only_columns(func.count())
    return db.session.scalar(query) or 0


def _photo_counts(period: Period, region_id: int | None) -> dict[tuple[int, str], int]:
    query = (
        select(Photo.inspection_id, Photo.item_id, func.count())
        .join(Inspection, Inspection.id == Photo.inspection_id)
        .where(*approved_visits_in(period), Photo.purpose == PhotoPurpose.EVIDENCE)
        .group_by(Photo.inspection_id, Photo.item_id)
    )
    if region_id is not None:
        query = query.join(Store, Store.id == Inspection.store_id).where(
            Store.region_id == region_id
        )
    return {(i, item): n for i, item, n in db.session.execute(query)}


#: Babel's name of each UI language the exports are written in.
_LOCALES = {"zh_CN": "zh_Hans_CN", "en": "en"}


class _Results:
    """The 结果 column: each answer in the words its checklist version gives it (合格, the
    option's label, 4★, 17 分钟, the remark as typed), in the export's language whatever the
    request's or worker's, each distinct scored answer worded once."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._cache: dict[tuple[int, str, str], str] = {}

    def __call__(self, version_id: int, item: Item | None, value, failed: bool) -> str:
        if item is not None and not item.item_type.scored:
            return "" if value is None else str(value)  # a remark, exactly as typed
        key = (version_id, item.id if item else "", repr(value))
        if key not in self._cache:
            with force_locale(_LOCALES.get(self.lang, self.lang)):
                words = answer_in_words(item, value, self.lang)
                if failed and words != _("Fail"):
                    words = _("%(answer)s (failed)", answer=words)
            self._cache[key] = words
        return self._cache[key]


def _labels(definition: ChecklistDefinition, lang: str) -> dict[str, tuple[str, str, Item]]:
    return {
        item.id: (section.label(lang), item.label(lang), item)
        for section in definition.sections
        for item in section.items
    }


def detail_rows(period: Period, region_id: int | None, lang: str = "zh_CN") -> Iterator[DetailRow]:
    """Every answer of every approved visit in the period, oldest visit first, each with the
    section and item text of the checklist version its visit was made with."""
    photos = _photo_counts(period, region_id)
    #: version id -> item id -> (section title, item text), looked up once per version.
    labels: dict[int, dict[str, tuple[str, str, Item]]] = {}
    results = _Results(lang)
    query = _detail_query(period, region_id).order_by(
        Inspection.visit_date, Inspection.id, Answer.id
    )
    for row in db.session.execute(query.execution_options(yield_per=5000, stream_results=True)):
        (inspection_id, uuid, visit_date, version_id, store_code, store_name, item_id, value,
         not_applicable, failed, earned, possible, employee_no, comment) = row  # fmt: skip
        if version_id not in labels:
            labels[version_id] = _labels(
                definition_of(db.session.get(ChecklistVersion, version_id)), lang
            )
        # Read with the visit's own version, never the one in use today; an id that version
        # lacks (a damaged record) still gets its row, titled by its id.
        label = labels[version_id].get(item_id) or ("", item_id, None)
        scored = label[2] is None or label[2].item_type.scored
        yield DetailRow(
            inspection_id=uuid,
            visit_date=visit_date or date.min,
            store_code=store_code,
            store_name=store_name,
            section=label[0],
            item_id=item_id,
            item_text=label[1],
            result=results(
                version_id, label[2], NOT_APPLICABLE if not_applicable else value, failed
            ),
            # A remark is not scored: no points at all rather than 0 of 0.
            points_earned=earned if scored else None,
            points_possible=possible if scored else None,
            employee_no=employee_no,
            comment=comment,
            photo_count=photos.get((inspection_id, item_id), 0),
        )
