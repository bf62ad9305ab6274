"""What the visit form is filled with: the saved answers, and why a submission was refused."""

from __future__ import annotations

from flask_babel import gettext as _

from inspect_app.checklists.definition import ChecklistDefinition
from inspect_app.checklists.forms import answer_field_name, comment_field_name
from inspect_app.context import current_lang
from inspect_app.inspections.models import Inspection
from inspect_app.inspections.operations import inspection_definition


def answer_form_data(inspection: Inspection, definition: ChecklistDefinition) -> dict[str, str]:
    """{answer or comment field name: saved text} for the visit form, from the visit's answers.

    Answers to items the checklist version no longer has are left out.
    """
    data = {}
    for answer in inspection.answers:
        try:
            item = definition.item(answer.item_id)
        except KeyError:
            continue
        if answer.value is not None:
            data[answer_field_name(item)] = str(answer.value)
        if answer.comment:
            data[comment_field_name(item)] = answer.comment
    return data


def refusal_reasons(inspection: Inspection) -> list[tuple[str, list[str]]]:
    """The server's reasons for refusing a visit's last submission, labelled for the inspector."""
    definition = inspection_definition(inspection)
    lang = current_lang()
    visit_fields = {
        "visit.arrived_at": _("Arrived at"),
        "visit.left_at": _("Left at"),
        "visit.waiting_minutes": _("Waiting time (minutes)"),
        "visit.counter_no": _("Counter number"),
        "visit.served_by": _("Who served you (接待员工)"),
    }
    reasons = []
    for key, messages in (inspection.submit_errors or {}).items():
        try:
            label = definition.item(key).label(lang)
        except KeyError:
            label = visit_fields.get(key, key)
        reasons.append((label, list(messages)))
    return reasons
