"""Sign-in, language and user administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from inspect_app.auth.session import LANGUAGES
from inspect_app.edge import IdField, IdListField


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter your username.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LanguageForm(FlaskForm):
    lang = SelectField(
        _l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()]
    )
    next = HiddenField()


class SignOutForm(FlaskForm):
    """Sign out: the form carries the CSRF token only."""


class UserForm(FlaskForm):
    """A user's account, role and scope, or (action "password") a new password. The rules
    (required, lengths, a known role, the last admin) are checked by auth.operations."""

    action = StringField()
    username = StringField()
    password = StringField()
    display_name = StringField()
    role = StringField()
    region_id = IdField()
    store_ids = IdListField()
    region_ids = IdListField()
    is_active = BooleanField(false_values=("",))
