"""Reading place files (CSV or GeoJSON) into rows, each with its own list of problems."""
import csv
import io
import json
from dataclasses import dataclass, field

from flask_babel import gettext as _

from planner_platform.areas.geometry import validate_boundary
from planner_platform.areas.models import PlaceLevel
from planner_platform.core.errors import DomainError
from planner_platform.core.uploads import decode_text

COLUMNS = ("code", "name", "level", "parent_code", "population", "households", "boundary")
MAX_ROWS = 5000
#: Level names accepted in files, in English or Chinese.
LEVEL_ALIASES = {
    "city": PlaceLevel.city, "市": PlaceLevel.city,
    "district": PlaceLevel.district, "区": PlaceLevel.district, "县": PlaceLevel.district,
    "subdistrict": PlaceLevel.subdistrict, "街道": PlaceLevel.subdistrict, "乡镇": PlaceLevel.subdistrict,
    "镇": PlaceLevel.subdistrict, "乡": PlaceLevel.subdistrict,
    "community": PlaceLevel.community, "社区": PlaceLevel.community, "居委会": PlaceLevel.community,
    "村": PlaceLevel.community,
}


@dataclass
class PlaceRow:
    number: int
    code: str = ""
    name: str = ""
    level: PlaceLevel | None = None
    parent_code: str = ""
    population: int | None = None
    households: int | None = None
    boundary: dict | None = None
    errors: list[str] = field(default_factory=list)

    def fields(self) -> dict:
        return {"name": self.name, "population": self.population, "households": self.households,
                "boundary": self.boundary}


def _count(value, label, errors) -> int | None:
    value = str(value if value is not None else "").strip().replace(",", "")
    if not value:
        return None
    if not value.isdigit():
        errors.append(_("%(field)s must be a whole number of 0 or more.", field=label))
        return None
    return int(value)


def _row_from(number: int, data: dict, boundary) -> PlaceRow:
    row = PlaceRow(number=number)
    row.code = str(data.get("code") or "").strip()
    row.name = str(data.get("name") or "").strip()
    row.parent_code = str(data.get("parent_code") or "").strip()
    if not row.code or len(row.code) > 32:
        row.errors.append(_("A code of 1 to 32 characters is required."))
    if not row.name or len(row.name) > 100:
        row.errors.append(_("A name of 1 to 100 characters is required."))
    row.level = LEVEL_ALIASES.get(str(data.get("level") or "").strip().lower())
    if row.level is None:
        row.errors.append(_("The level must be one of city, district, subdistrict or community."))
    elif row.level is not PlaceLevel.city and not row.parent_code:
        row.errors.append(_("A parent code is required for every level below the city."))
    row.population = _count(data.get("population"), _("Population"), row.errors)
    row.households = _count(data.get("households"), _("Households"), row.errors)
    if boundary:
        try:
            row.boundary = validate_boundary(json.loads(boundary) if isinstance(boundary, str) else boundary)
        except (DomainError, ValueError) as error:
            row.errors.append(getattr(error, "message", _("The boundary is not valid GeoJSON.")))
    return row


def parse_csv(raw: bytes) -> list[PlaceRow]:
    reader = csv.DictReader(io.StringIO(decode_text(raw)))
    missing = {"code", "name", "level"} - set(reader.fieldnames or [])
    if missing:
        raise DomainError(_("The CSV header must include the columns: %(columns)s.", columns=", ".join(COLUMNS)))
    rows = [_row_from(index, data, data.get("boundary")) for index, data in enumerate(reader, start=2)]
    return _checked(rows)


def parse_geojson(raw: bytes) -> list[PlaceRow]:
    try:
        document = json.loads(decode_text(raw))
    except ValueError:
        raise DomainError(_("The file is not valid GeoJSON.")) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(
            document.get("features"), list):
        raise DomainError(_("The GeoJSON file must be a FeatureCollection."))
    rows = []
    for index, feature in enumerate(document["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            rows.append(PlaceRow(number=index, errors=[_("The feature has no properties.")]))
            continue
        rows.append(_row_from(index, properties, feature.get("geometry")))
    return _checked(rows)


def _checked(rows: list[PlaceRow]) -> list[PlaceRow]:
    if not rows:
        raise DomainError(_("The file contains no places."))
    if len(rows) > MAX_ROWS:
        raise DomainError(_("A file may hold at most %(n)d places.", n=MAX_ROWS))
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            row.errors.append(_("The code %(code)s also appears in row %(row)d.", code=row.code, row=seen[row.code]))
        seen.setdefault(row.code, row.number)
    return rows
