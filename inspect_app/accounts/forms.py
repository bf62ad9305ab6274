"""The admin's user form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from inspect_app.edge import IdField, IdListField


class UserForm(FlaskForm):
    """A user's account, role and scope, or (action "password") a new password. The rules
    (required, lengths, a known role, the last admin) are checked by accounts.operations."""

    action = StringField()
    username = StringField()
    password = StringField()
    display_name = StringField()
    role = StringField()
    region_id = IdField()
    store_ids = IdListField()
    region_ids = IdListField()
    is_active = BooleanField(false_values=("",))
