"""The audit log's filters: a GET form (no CSRF token: it changes nothing)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import DateInput, TextInput

#: The dates the filter takes: enough for any event, and safe to turn into instants.
FIRST_YEAR, LAST_YEAR = 2000, 2199
MAX_NUMBER = 2**31 - 1
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class TypedField(StringField):
    """A value typed as text: blank reads as not given, text that `parse` refuses is an error,
    and the page shows back exactly what was typed."""

    def parse(self, text: str) -> Any:
        """Return the value of non-blank `text`; raise ValueError with the message to show."""
        raise NotImplementedError

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.raw_data = [text]
        self.data = self.parse(text) if text else None

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else (str(self.data) if self.data else "")


class DayField(TypedField):
    """A halls' calendar date typed as YYYY-MM-DD, years FIRST_YEAR to LAST_YEAR."""

    widget = DateInput()

    def parse(self, text: str) -> date:
        try:
            day = date.fromisoformat(text) if ISO_DAY.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(
                _("%(value)s is not a date; use the form 2026-03-14.", value=text[:20])
            )
        return day


class WholeNumberField(TypedField):
    """A whole number from 1 to MAX_NUMBER."""

    widget = TextInput()

    def parse(self, text: str) -> int:
        if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_NUMBER:
            raise ValueError(_("%(value)s is not a whole number from 1.", value=text[:20]))
        return int(text)


def _a_listed_choice(message: str):
    """Accept blank (any) or one of the field's choices; else the message."""

    def check(form: FlaskForm, field: Field) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(message)

    return check


class AuditFilterForm(FlaskForm):
    """Which events the audit log shows: kind, actor, object, dates and page.

    The view sets the selects' choices (the kinds, the people and the objects in the log).
    """

    class Meta:
        csrf = False

    kind = SelectField(
        _l("What happened"),
        default="",
        validate_choice=False,
        validators=[_a_listed_choice(_l("There is no such kind of event."))],
    )
    actor = SelectField(
        _l("Who"),
        default="",
        validate_choice=False,
        validators=[_a_listed_choice(_l("No one by that choice has anything in the log."))],
    )
    object_type = SelectField(
        _l("About"),
        default="",
        validate_choice=False,
        validators=[_a_listed_choice(_l("There is no such kind of object."))],
    )
    object_id = WholeNumberField(_l("Its number"), render_kw={"inputmode": "numeric", "size": 6})
    since = DayField(_l("From"))
    until = DayField(_l("To"))
    page = WholeNumberField(_l("Page"))  # set by the pager's links

    def validate_object_id(self, field: Field) -> None:
        if field.data is not None and not self.object_type.data:
            raise ValidationError(_("Choose what the number is of (a user, a hall, …)."))

    def validate_until(self, field: Field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("The end date is before the start date."))
