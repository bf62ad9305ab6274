"""The inspector's forms: starting a visit, and the CSRF field of the visit form.

The visit form's item fields are dynamic (one set per checklist item) and are read by
inspections.payload; the checklist's WTForms form (checklists.forms) renders them. What
the inspector posts is checked by inspections.operations.
"""

from flask_wtf import FlaskForm
from wtforms import StringField

from inspect_app.edge import IdField


class StartVisitForm(FlaskForm):
    """Start a visit: of an assignment (assignment_id), or of a hall and checklist chosen on
    the spot (store_id, checklist_id); `uuid` is the id the phone gave the visit, if any."""

    assignment_id = IdField()
    uuid = StringField()
    store_id = IdField()
    checklist_id = IdField()


class VisitForm(FlaskForm):
    """The visit form's own fields: the CSRF field (and the token the page's JavaScript reads
    from its meta tag) and the button pressed (action "submit", else a draft is saved). The
    item fields are the checklist's form, read by inspections.payload."""

    action = StringField()
