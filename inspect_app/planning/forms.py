"""The plan page's forms: propose a month, publish it, reassign a visit."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, IntegerField, SelectField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from inspect_app.checklists.models import Checklist
from inspect_app.checklists.version_texts import checklist_title
from inspect_app.edge import IdListField
from inspect_app.stores.models import Region

#: Visits per hall when the form does not say: the propose form's starting value.
DEFAULT_VISITS = 4
#: Most visits per hall a proposal may ask for.
MAX_VISITS = 10


class VisitsField(IntegerField):
    """A number of visits typed as text: blank, or not a whole number, reads as not given."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = None


def _visits_in_range(form: FlaskForm, field: Field) -> None:
    """Accept no number, or one from 0 to MAX_VISITS."""
    if field.data is not None and not 0 <= field.data <= MAX_VISITS:
        raise ValidationError(_("Visits per hall must be from 0 to %(n)s.", n=MAX_VISITS))


class ProposeForm(FlaskForm):
    """The month's proposal: a checklist, visits per hall, and per region an optional other number.

    Build it with `propose_form`, which adds a `visits_<region id>` field per region.
    """

    # Any checklist id is taken as given: the view answers 404 for one that does not exist.
    checklist_id = SelectField(_l("Checklist"), coerce=int, validate_choice=False)
    visits = VisitsField(
        _l("Visits per hall"), default=DEFAULT_VISITS, validators=[_visits_in_range]
    )
    region_ids: tuple[int, ...] = ()

    def region_fields(self) -> list[Field]:
        """Return the per-region visits fields, in the regions' order."""
        return [self[f"visits_{region_id}"] for region_id in self.region_ids]

    def default_visits(self) -> int:
        """Return the visits per hall: as typed, or DEFAULT_VISITS when not given."""
        return DEFAULT_VISITS if self.visits.data is None else self.visits.data

    def visits_by_region(self) -> dict[int, int]:
        """Return {region id: visits per hall}, the default where a region's field is blank."""
        default = self.default_visits()
        return {
            region_id: default if field.data is None else field.data
            for region_id, field in zip(self.region_ids, self.region_fields(), strict=True)
        }


def propose_form(regions: Sequence[Region], checklists: Sequence[Checklist] = ()) -> ProposeForm:
    """Return a propose form with a visits field per region, labelled with the region's name.

    `checklists` are the select's options, needed only to show the form.
    """

    class RegionsProposeForm(ProposeForm):
        region_ids = tuple(region.id for region in regions)

    for region in regions:
        field = VisitsField(region.name, validators=[_visits_in_range])
        setattr(RegionsProposeForm, f"visits_{region.id}", field)
    form = RegionsProposeForm()
    form.checklist_id.choices = [
        (checklist.id, checklist_title(checklist)) for checklist in checklists
    ]
    return form


class PublishForm(FlaskForm):
    """Publish the month's proposal.

    When it leaves halls without a visit, the page lists them and sends their ids in `halls`;
    `confirm` must be ticked for those halls to be left out.
    """

    halls = IdListField()
    confirm = BooleanField(_l("Publish anyway: I know these halls get no visit this month."))

    def confirmed_halls(self) -> list[int]:
        """Return the ids of the halls the admin confirmed leaving unvisited (none unticked)."""
        return self.halls.data if self.confirm.data else []


class ReassignForm(FlaskForm):
    """Give a visit to another inspector.

    The plan page writes each visit's select itself, since its options are the inspectors of
    that visit's region; the field only reads the choice (not a number: none).
    """

    inspector_id = IntegerField()
