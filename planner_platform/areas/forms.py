"""Place forms."""
import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from planner_platform.areas.geometry import validate_boundary
from planner_platform.core.errors import DomainError
from planner_platform.core.forms import NoControlCharacters, strip


class GeoJSONField(TextAreaField):
    """A textarea holding a GeoJSON Polygon/MultiPolygon; `data` is the parsed geometry or None."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw_text = raw
        self.data = None
        if raw:
            try:
                self.data = validate_boundary(json.loads(raw))
            except ValueError:
                raise ValueError(_l("The boundary is not valid JSON.")) from None
            except DomainError as error:
                raise ValueError(error.message) from None

    def _value(self):
        return getattr(self, "raw_text", None) or (json.dumps(self.data, ensure_ascii=False) if self.data else "")


class PlaceEditForm(FlaskForm):
    name = StringField(_l("Name"), [DataRequired(), Length(max=100), NoControlCharacters()], filters=[strip])
    population = IntegerField(_l("Population"), [Optional(), NumberRange(min=0, max=50_000_000)])
    households = IntegerField(_l("Households"), [Optional(), NumberRange(min=0, max=20_000_000)])
    boundary = GeoJSONField(_l("Boundary (GeoJSON)"), description=_l(
        "A GeoJSON Polygon or MultiPolygon in WGS-84 longitude/latitude. Leave empty if unknown."))

    def validate_households(self, field):
        if field.data and self.population.data is not None and field.data > self.population.data:
            raise ValidationError(_l("There cannot be more households than people."))


class PlaceCreateForm(PlaceEditForm):
    code = StringField(_l("Code"), [DataRequired(), Length(max=32), Regexp(r"^[0-9A-Za-z_-]+$", message=_l(
        "Use digits, letters, '-' or '_' only."))], filters=[strip],
        description=_l("The administrative division code, unique across the platform."))


class PlaceImportForm(FlaskForm):
    file = FileField(_l("File (.geojson, .json or .csv)"), [FileRequired(message=_l("Choose a file to import."))])
