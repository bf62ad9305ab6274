"""Three months of approved demo inspections, so every page shows real figures.

Each visit records who served the inspector (1–2 staff of the hall's roster on the visit date).
Person-items fall to the first of them; the greeter at the door is named on the few items that
concern them; now and then the inspector could not identify someone and the reviewer resolved
it. Answers are drawn as full marks, partial credit or failure by the checklist's own rules, and
`store_scores` attributes and flags them, so the staff results are what real visits would give.

A visit fails a handful of items at most: 0–4 as a rule, more in the weaker halls, never more
than `MAX_FAILED`. In two halls the guide at the door (引导员) is weak: on one visit a month the
inspector names them on the door and appearance items, and they fail four or five of those, so
their month is around or below 70 % on a sample that is still large enough. Everyone else lands between 70 and
100 %, and one veto (customer data leaked) falls in the last complete month. Each visit with
failed items has one corrective action.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.checklists.models import Checklist
from inspect_app.checklists.operations import definition_of
from inspect_app.demo_actions import add_corrective_action
from inspect_app.demo_photos import add_evidence
from inspect_app.extensions import db
from inspect_app.inspections.models import Answer, Inspection, InspectionStatus, ServedStaff
from inspect_app.inspections.operations import store_scores
from inspect_app.photos.storage import PhotoStorage
from inspect_app.stores.models import Staff, Store
from inspect_app.stores.queries import roster_on

VISITS_PER_MONTH = 2
DEMO_CHECKLIST = "business-hall-mystery-shop"
#: (store index, month offset, visit index) of the one visit where customer data leaked.
VETO_VISIT = (4, 1, 0)
VETO_ITEM = "process.data_confidential"
#: Items about the person who greets at the door: named on the second served staff member.
DOOR_ITEMS = ("phrasing.greeting", "process.queue_guidance", "process.special_groups")
#: What the inspector sees of the guide at the door besides the greeting: named on the weak
#: guide's visits (see WEAK_GUIDES).
GUIDE_ITEMS = (
    *DOOR_ITEMS,
    "appearance.hair_men",
    "appearance.hair_women",
    "appearance.makeup",
    "appearance.jewellery",
    "appearance.badge_worn",
    "appearance.badge_readable",
    "appearance.posture",
    "uniform.worn",
    "uniform.clean",
    "uniform.inner_layers",
    "uniform.shoes_socks",
    "uniform.tie_scarf",
    "uniform.no_sunglasses_hat",
)
#: The item an unidentified person failed (someone behind the counter, not the one serving).
UNIDENTIFIED_ITEM = "behaviour.no_grooming"
UNIDENTIFIED_DESCRIPTION = "柜台后方一名女员工在吃零食，短发，未看清工牌"
#: Per store index, the 1-based roster position of a weak guide (引导员) at the door, whose
#: month is below 70 %: they fail this many of the items they are named on, one visit a month.
WEAK_GUIDES = {2: 4, 5: 4}
WEAK_GUIDE_FAILURES = (4, 5)
#: Failed items a visit has besides the weak guide's, as a rule (0–4), and never more in all.
USUAL_MAX_FAILED = 4
MAX_FAILED = 8
#: Share of the scored items, by type, that earn partial credit rather than full marks.
PARTIAL_SHARE = 0.3


def answer_outcomes(definition: ChecklistDefinition) -> dict[str, dict[str, list]]:
    """Every scored item's possible answers sorted by the checklist's rules into
    full marks, partial credit (points lost, not failed) and failed."""
    outcomes: dict[str, dict[str, list]] = {}
    for item in definition.items:
        classes: dict[str, list] = {"full": [], "partial": [], "fail": []}
        for value in item.item_type.example_answers(item):
            score = item.item_type.score(item, value, fail_below=definition.fail_below(item))
            kind = "fail" if score.failed else "partial" if score.lost_points else "full"
            classes[kind].append(value)
        for kind, limit in item.item_type.example_limits.items():
            classes[kind] = classes[kind][:limit]
        if classes["full"]:
            outcomes[item.id] = classes
    return outcomes


def load_demo_history(
    storage: PhotoStorage,
    tz: ZoneInfo,
    today: date,
    seed: int = 2026,
    *,
    store_ids: list[int] | None = None,
    visits_per_month: int = VISITS_PER_MONTH,
) -> int:
    """Create approved inspections for the last three months; return how many."""
    rng = random.Random(seed)
    checklist = db.session.scalar(select(Checklist).where(Checklist.key == DEMO_CHECKLIST))
    users = _demo_users()
    if checklist is None or "inspector" not in users or "reviewer" not in users:
        return 0
    version = checklist.active_version
    definition = definition_of(version)
    outcomes = answer_outcomes(definition)
    managed = {s.id for s in users["manager"].stores} if "manager" in users else set()
    created = 0
    for store_index, store in enumerate(_stores(store_ids)):
        # Each hall has its own level, so ratings and ranks differ; people differ within it.
        hall_failures = 0.6 + 0.5 * store_index  # failed items a visit, on average
        staff = list(db.session.scalars(select(Staff).where(Staff.store_id == store.id)))
        levels = {person.id: rng.uniform(0.5, 1.5) for person in staff}
        weak = _weak_guide(staff, store_index)
        recorder = users["manager"] if store.id in managed else users.get("admin")
        for month_offset in range(3):
            for visit_index, day in enumerate(
                _visit_days(today, month_offset, visits_per_month, rng)
            ):
                roster = roster_on(store.id, day)
                if not roster:
                    continue
                served = _served(roster, weak, visit_index, rng)
                inspection = _visit(store, version.id, day, tz, users, rng, today)
                for position, person in enumerate(served):
                    inspection.served_by.append(ServedStaff(staff=person, position=position))
                other = next((p for p in roster if p not in served), None)
                _answer_items(
                    inspection,
                    definition,
                    outcomes,
                    rng,
                    served=served,
                    weak_guide=weak if weak in served else None,
                    hall_failures=hall_failures,
                    levels=levels,
                    vetoed=(store_index, month_offset, visit_index) == VETO_VISIT,
                    unidentified=(store_index + month_offset) % 3 == 0 and visit_index == 1,
                    # The reviewer names the person in older months, else confirms nobody.
                    resolved_to=other if month_offset == 2 else None,
                    reviewer=users["reviewer"],
                )
                add_evidence(inspection, definition, rng, users["inspector"], storage, tz)
                add_corrective_action(inspection, today, recorder, users["reviewer"], definition)
                created += 1
    db.session.flush()
    return created


def _weak_guide(staff: list[Staff], store_index: int) -> Staff | None:
    """The hall's weak guide at the door (WEAK_GUIDES), if the hall has one."""
    if store_index in WEAK_GUIDES and len(staff) >= WEAK_GUIDES[store_index]:
        return sorted(staff, key=lambda s: s.employee_no)[WEAK_GUIDES[store_index] - 1]
    return None


def _demo_users() -> dict[str, User]:
    """The demo's inspector, reviewer, manager and admin by username (those that exist)."""
    names = ["inspector", "reviewer", "manager", "admin"]
    return {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}


def _stores(store_ids: list[int] | None) -> list[Store]:
    query = select(Store).order_by(Store.code)
    if store_ids is not None:
        query = query.where(Store.id.in_(store_ids))
    return list(db.session.scalars(query))


def _visit_days(today: date, month_offset: int, count: int, rng: random.Random) -> list[date]:
    month_index = today.year * 12 + today.month - 1 - month_offset
    month_start = date(month_index // 12, month_index % 12 + 1, 1)
    if month_offset == 0:
        # Every visit is over and approved before today began in the halls: none is from today
        # (on the 1st of a month this month has none yet).
        last_day = today - timedelta(days=1)
        if last_day < month_start:
            return []
    else:
        last_day = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    span = (last_day - month_start).days
    return sorted(month_start + timedelta(days=rng.randint(0, span)) for _ in range(count))


def _served(roster: list[Staff], weak: Staff | None, visit_index: int, rng: random.Random):
    """One or two staff of the roster; a weak guide greets at the door on the first visit.

    The guide never serves at the counter (nor on the other visits), so their month is the
    visit where the inspector watched them.
    """
    counter = [p for p in roster if p is not weak]
    if weak is not None and weak in roster and visit_index == 0 and counter:
        return [rng.choice(counter), weak]
    count = 2 if len(counter) > 1 and rng.random() < 0.6 else 1
    return rng.sample(counter, min(count, len(counter)))


def _visit(store, version_id, day, tz, users, rng, today: date) -> Inspection:
    """An approved visit on ``day``: approved the next day, or the same evening if that is
    yesterday, so no time of the demo lies after the halls' midnight that began ``today``."""
    start = datetime.combine(day, time(rng.choice([9, 10, 14, 16]), rng.randint(0, 59)), tz)
    review_delay = timedelta(days=1) if day < today - timedelta(days=1) else timedelta(hours=3)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        store_id=store.id,
        checklist_version_id=version_id,
        inspector_id=users["inspector"].id,
        status=InspectionStatus.APPROVED,
        visit_started_at=start.astimezone(UTC),
        visit_ended_at=(start + timedelta(minutes=rng.randint(25, 50))).astimezone(UTC),
        visit_date=day,
        counter_no=str(rng.randint(1, 6)),
        submitted_at=(start + timedelta(hours=1)).astimezone(UTC),
        approved_at=(start + review_delay).astimezone(UTC),
        approved_by_id=users["reviewer"].id,
    )
    db.session.add(inspection)
    db.session.flush()
    return inspection


def _answer_items(
    inspection: Inspection,
    definition: ChecklistDefinition,
    outcomes: dict[str, dict[str, list]],
    rng: random.Random,
    *,
    served: list[Staff],
    weak_guide: Staff | None,
    hall_failures: float,
    levels: dict[int, float],
    vetoed: bool,
    unidentified: bool,
    resolved_to: Staff | None,
    reviewer: User,
) -> None:
    named = _named_at_door(served, weak_guide)
    failing = _failing_items(
        definition,
        outcomes,
        rng,
        served=served,
        named=named,
        weak_guide=weak_guide,
        hall_failures=hall_failures,
        levels=levels,
        unidentified=unidentified,
    )
    values: dict[str, object] = {}
    for item in definition.items:
        if item.show_if is not None and not item.show_if.is_met(values.get(item.show_if.item_id)):
            continue
        if item.id not in outcomes:  # the text remark: written now and then
            if rng.random() < 0.2:
                values[item.id] = "服务整体规范，个别细节待改进。"
                inspection.answers.append(Answer(item_id=item.id, value=values[item.id]))
            continue
        answer = Answer(item_id=item.id)
        if item.staff and item.id in named:
            answer.is_staff_named, answer.employee_no = True, named[item.id].employee_no
        if item.allow_na and "不适用" in (item.guidance or "") and rng.random() < 0.3:
            kind = "na"
        elif item.veto:
            kind = "fail" if vetoed and item.id == VETO_ITEM else "full"
        elif item.id == UNIDENTIFIED_ITEM and unidentified:
            kind = "fail"
            _unidentified(answer, inspection, resolved_to, reviewer)
        elif item.id in failing:
            kind = "fail"
        else:
            partial = outcomes[item.id]["partial"] and rng.random() < PARTIAL_SHARE
            kind = "partial" if partial else "full"
        value = "na" if kind == "na" else rng.choice(outcomes[item.id][kind])
        values[item.id] = answer.value = value
        if kind == "fail" and item.item_type.demo_failure_comment:
            answer.comment = _failure_comment(item)
        if item.id == "process.waiting_minutes" and kind != "na":
            inspection.waiting_minutes = value
        inspection.answers.append(answer)
    store_scores(inspection, definition)


def _named_at_door(served: list[Staff], weak_guide: Staff | None) -> dict[str, Staff]:
    """The items named for the second served person (the door): the guide's items when that
    person is the hall's weak guide, else the door's."""
    door = served[1] if len(served) > 1 else None
    if door is None:
        return {}
    return {item_id: door for item_id in (GUIDE_ITEMS if door is weak_guide else DOOR_ITEMS)}


def _failure_comment(item: Item) -> str:
    return "现场发现未达标，已拍照留存。" if item.photo != "never" else "现场观察未达标。"


def _failing_items(
    definition: ChecklistDefinition,
    outcomes: dict[str, dict[str, list]],
    rng: random.Random,
    *,
    served: list[Staff],
    named: dict[str, Staff],
    weak_guide: Staff | None,
    hall_failures: float,
    levels: dict[int, float],
    unidentified: bool,
) -> set[str]:
    """The items this visit fails (before n/a and hidden items drop out): a handful at most.

    A weak guide fails several of the items they are named on, heavier ones more often; the
    rest are the hall's usual few, more likely on the items of a weaker person.
    """
    failable = [
        item
        for item in definition.items
        if item.id in outcomes
        and outcomes[item.id]["fail"]
        and not item.veto
        and item.id != UNIDENTIFIED_ITEM
    ]
    failing: set[str] = set()
    if weak_guide is not None:
        guide_items = [item for item in failable if named.get(item.id) is weak_guide]
        count = rng.choice(WEAK_GUIDE_FAILURES)
        failing |= _pick(guide_items, [float(item.points) for item in guide_items], count, rng)
    # Binomial(6, mean / 6): 0–4 failed items as a rule, around the hall's own mean.
    usual = sum(rng.random() < min(hall_failures / 6, 1) for _ in range(6))
    usual = min(usual, USUAL_MAX_FAILED, MAX_FAILED - len(failing) - int(unidentified))
    rest = [item for item in failable if item.id not in failing and item.id not in named]
    weights = [
        levels.get(served[0].id, 1.0) if item.staff else 1.0 for item in rest
    ]  # a person's level: how often their items fail
    return failing | _pick(rest, weights, usual, rng)


def _pick(items: list[Item], weights: list[float], count: int, rng: random.Random) -> set[str]:
    """Draw `count` distinct items, each draw in proportion to the weights."""
    items, weights, picked = list(items), list(weights), set()
    while items and len(picked) < count:
        index = rng.choices(range(len(items)), weights)[0]
        picked.add(items.pop(index).id)
        weights.pop(index)
    return picked


def _unidentified(answer: Answer, inspection: Inspection, person: Staff | None, reviewer) -> None:
    """The inspector could not name the person; the reviewer resolved it before approving."""
    answer.is_unidentified = True
    answer.person_description = UNIDENTIFIED_DESCRIPTION
    answer.attribution_resolved_at = inspection.submitted_at + timedelta(hours=1)
    answer.attribution_resolved_by_id = reviewer.id
    if person is not None:
        answer.is_unidentified = False
        answer.is_staff_named, answer.employee_no = True, person.employee_no
