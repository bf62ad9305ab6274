"""Who can be picked on the visit form, whom each item is attributed to, and what will fail.

Read for the form page: the hall's roster on the visit date (its 接待员工 picker and each
person-item's choice), and, from the saved answers, the items that failed and so open a
corrective action and the person-items not yet attributed to anyone.
"""

from __future__ import annotations

from datetime import tzinfo

from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition, Item
from inspect_app.db import utcnow
from inspect_app.inspections.attribution import MAX_SERVED, UNIDENTIFIED_CHOICE, visit_day
from inspect_app.inspections.models import Answer, Inspection
from inspect_app.inspections.operations import scoring_inputs
from inspect_app.inspections.payload import SERVED_FIELD, description_field_name, staff_field_name
from inspect_app.inspections.queries import people_by_employee_no
from inspect_app.scoring.inspection import score_inspection
from inspect_app.stores.queries import roster_on


def _stored_choice(answer: Answer | None) -> str:
    """An answer's staff choice as the form's select holds it ("" = the served staff)."""
    if answer is None:
        return ""
    if answer.is_unidentified:
        return UNIDENTIFIED_CHOICE
    return answer.employee_no if answer.is_staff_named and answer.employee_no else ""


class StaffChoices:
    """Who can be picked on the form: the hall's roster on the visit date, and who is chosen.

    Someone already chosen but no longer on that roster stays listed (a select would
    otherwise silently fall back to its first option); the server refuses them on saving.
    """

    def __init__(
        self, inspection: Inspection, definition: ChecklistDefinition, formdata, tz: tzinfo
    ) -> None:
        answers = {a.item_id: a for a in inspection.answers}
        self.day = visit_day(inspection.visit_started_at, utcnow(), tz)
        self.roster = roster_on(inspection.store_id, self.day)
        if formdata is not None:
            self.served = [v for v in formdata.getlist(SERVED_FIELD) if v]
            self.choices = {
                item.id: (formdata.get(staff_field_name(item)) or "").strip()
                for item in definition.items
            }
            self.descriptions = {
                item.id: formdata.get(description_field_name(item)) or ""
                for item in definition.items
            }
        else:
            self.served = [s.staff.employee_no for s in inspection.served_by]
            self.choices = {i: _stored_choice(a) for i, a in answers.items()}
            self.descriptions = {i: a.person_description or "" for i, a in answers.items()}
        self.people = {s.employee_no: (s.name, s.position) for s in self.roster}
        wanted = [*self.served, *self.choices.values()]
        missing = [n for n in wanted if n and n != UNIDENTIFIED_CHOICE and n not in self.people]
        known = people_by_employee_no(missing)
        self.extra = []
        for number in dict.fromkeys(missing):
            person = known.get(number)
            self.people[number] = (person.name if person else "", None)
            self.extra.append(number)

    @property
    def options(self) -> list[tuple[str, str, str | None]]:
        """(工号, name, position) of everyone who can be picked, the roster first."""
        return [(no, *self.people[no]) for no in [s.employee_no for s in self.roster] + self.extra]

    #: At most this many can be chosen as having served (the form's hint says so).
    max_served = MAX_SERVED

    def slots(self) -> list[str]:
        return (self.served + [""] * MAX_SERVED)[:MAX_SERVED]

    def label(self, number: str) -> str:
        name = self.people.get(number, ("", None))[0]
        return f"{name} {number}".strip()

    def attributed(self, item: Item) -> tuple[str, str]:
        """(kind, words) of whom an item is attributed to: named, served, unidentified, none."""
        choice = self.choices.get(item.id, "")
        if choice == UNIDENTIFIED_CHOICE:
            return "unidentified", _("Not identified")
        if choice:
            return "named", self.label(choice)
        if self.served:
            return "served", self.label(self.served[0])
        return "none", _("Nobody yet")

    def as_json(self) -> dict:
        return {no: {"name": name, "position": position} for no, name, position in self.options}


def form_summary(inspection: Inspection, definition: ChecklistDefinition) -> dict[str, list]:
    """The saved answers' failed items (they open a corrective action) and unattributed ones."""
    served = [s.staff.employee_no for s in inspection.served_by]
    score = score_inspection(definition, scoring_inputs(inspection.answers), served)
    return {
        "failed": [i for i in definition.items if score.items[i.id].failed],
        "unattributed": [i for i in definition.items if score.items[i.id].unattributed],
    }
