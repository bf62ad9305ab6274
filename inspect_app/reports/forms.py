"""The HR export form."""

from flask_wtf import FlaskForm
from wtforms import Field, StringField


class ValuesField(Field):
    """Every value posted under the field's name, as typed (a select that may be sent twice)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=list, **kwargs)

    def process_formdata(self, valuelist):
        self.data = list(valuelist)


class ExportForm(FlaskForm):
    """A period key and at most one region id; both are checked by the view (the period by
    periods.parse_period, the region against the user's scope)."""

    period = StringField()
    region = ValuesField()
