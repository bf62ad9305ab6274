"""The reviewer's and the store's forms: decisions on a visit, attributions, appeals and
corrective actions.

The fields only read what was posted (and carry the CSRF token); the rules (a reason to
reject, the appeal window …) are checked by review.operations, which says why a change is
refused. Photos are read from the request's files (uploads.chosen_files); the attempt id of a
replayable form by inspections.attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from inspect_app.edge import IdField


class ApproveForm(FlaskForm):
    """Approve a submitted visit (named in the URL), with an optional note to the hall: the only
    reviewer text the store reads (the comments for the inspector stay internal)."""

    hall_note = TextAreaField()


class ReturnForm(FlaskForm):
    """Return a visit to the inspector: an overall comment (the per-item comments are the
    visit's item fields `rc__<item>`, read with the item field names)."""

    comment = TextAreaField()


class AttributionForm(FlaskForm):
    """Name the person behind an unidentified finding (decision "name" and a 工号), or confirm
    nobody can be (decision "unidentified")."""

    answer_id = IdField()
    decision = StringField()
    employee_no = StringField()


class AppealDecisionForm(FlaskForm):
    """Uphold or reject an appeal (decision "uphold" or "reject") with a reason."""

    decision = StringField()
    reason = TextAreaField()


class AppealForm(FlaskForm):
    """A store manager's appeal against one finding (the answer), with a reason and photos."""

    answer_id = IdField()
    reason = TextAreaField()


class ActionRecordForm(FlaskForm):
    """What the store did about one corrective-action item, with photos."""

    description = TextAreaField()


class ActionVerifyForm(FlaskForm):
    """A reviewer's check of one item's fix (decision "verified" or "not_verified")."""

    decision = StringField()
    comment = TextAreaField()


@dataclass(frozen=True)
class KeptForm:
    """A refused form, shown again with what was typed and each error beside its field."""

    #: Which form on the page: "appeal-<answer id>", "decide-<appeal id>",
    #: "attribution-<answer id>", "record-<action item id>", "verify-<action item id>".
    form: str
    text: str
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class VisitForms:
    """The forms of the visit page, for their CSRF fields (each form on the page has its own)."""

    approve: ApproveForm
    send_back: ReturnForm
    attribution: AttributionForm
    decide: AppealDecisionForm
    appeal: AppealForm


def visit_forms() -> VisitForms:
    """Blank forms for the visit page (never filled from the request)."""
    return VisitForms(
        approve=ApproveForm(formdata=None),
        send_back=ReturnForm(formdata=None),
        attribution=AttributionForm(formdata=None),
        decide=AppealDecisionForm(formdata=None),
        appeal=AppealForm(formdata=None),
    )
