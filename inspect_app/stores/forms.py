"""Forms of the organisation pages: regions, halls, staff and the roster import.

The fields only read what was posted (and carry the CSRF token); the rules (required, lengths,
unique codes) are checked by stores.operations, which says why a change is refused.
"""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField

from inspect_app.edge import IdField

# A checkbox is ticked when it is posted with any non-empty value.
UNTICKED = ("",)


class RegionForm(FlaskForm):
    id = IdField()
    code = StringField()
    name = StringField()
    is_active = BooleanField(false_values=UNTICKED)


class StoreForm(FlaskForm):
    code = StringField()
    name = StringField()
    address = StringField()
    region_id = IdField()
    is_active = BooleanField(false_values=UNTICKED)


class StaffForm(FlaskForm):
    employee_no = StringField()
    name = StringField()
    position = StringField()
    store_id = IdField()
    is_active = BooleanField(false_values=UNTICKED)


class RosterUploadForm(FlaskForm):
    file = FileField()


class RosterApplyForm(FlaskForm):
    token = HiddenField()
