"""Reading place files (CSV or GeoJSON) into rows, each with its own list of problems."""
import json

from flask_babel import gettext as _

from planner_platform.areas.geometry import validate_boundary
from planner_platform.areas.models import PlaceLevel
from planner_platform.core import tabular
from planner_platform.core.errors import DomainError

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


def _count(row: tabular.Row, column: str, label) -> int | None:
    value = row.string(column).replace(",", "")
    if not value:
        return None
    if not value.isdigit():
        row.errors.append(_("%(field)s must be a whole number of 0 or more.", field=label))
        return None
    return int(value)


def _read(row: tabular.Row, boundary) -> tabular.Row:
    code, name, parent_code = row.string("code"), row.string("name"), row.string("parent_code")
    if not code or len(code) > 32:
        row.errors.append(_("A code of 1 to 32 characters is required."))
    if not name or len(name) > 100:
        row.errors.append(_("A name of 1 to 100 characters is required."))
    level = LEVEL_ALIASES.get(row.string("level").lower())
    if level is None:
        row.errors.append(_("The level must be one of city, district, subdistrict or community."))
    elif level is not PlaceLevel.city and not parent_code:
        row.errors.append(_("A parent code is required for every level below the city."))
    row.values.update(code=code, name=name, level=level, parent_code=parent_code,
                      population=_count(row, "population", _("Population")),
                      households=_count(row, "households", _("Households")), boundary=None)
    if boundary:
        try:
            row.values["boundary"] = validate_boundary(json.loads(boundary) if isinstance(boundary, str) else boundary)
        except (DomainError, ValueError) as error:
            row.errors.append(getattr(error, "message", _("The boundary is not valid GeoJSON.")))
    return row


def parse_csv(raw: bytes) -> list[tabular.Row]:
    table = tabular.read_csv(raw, MAX_ROWS, _("A file may hold at most %(n)d places.", n=MAX_ROWS))
    header = tabular.Header(table[0][1] if table else [], dict.fromkeys(COLUMNS, ()))
    if header.missing(("code", "name", "level")):
        raise DomainError(_("The CSV header must include the columns: %(columns)s.", columns=", ".join(COLUMNS)))
    rows = [header.row(number, cells) for number, cells in table[1:]]
    return _checked([_read(row, row.raw.get("boundary")) for row in rows])


def parse_geojson(raw: bytes) -> list[tabular.Row]:
    try:
        document = json.loads(tabular.decode_text(raw))
    except ValueError:
        raise DomainError(_("The file is not valid GeoJSON.")) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(
            document.get("features"), list):
        raise DomainError(_("The GeoJSON file must be a FeatureCollection."))
    rows = []
    for index, feature in enumerate(document["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            rows.append(_read(tabular.Row(index, properties), feature.get("geometry")))
            continue
        rows.append(tabular.Row(index))
        rows[-1].errors.append(_("The feature has no properties."))
    return _checked(rows)


def _checked(rows: list[tabular.Row]) -> list[tabular.Row]:
    if not rows:
        raise DomainError(_("The file contains no places."))
    if len(rows) > MAX_ROWS:
        raise DomainError(_("A file may hold at most %(n)d places.", n=MAX_ROWS))
    seen: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code", "")
        if code in seen:
            row.errors.append(_("The code %(code)s also appears in row %(row)d.", code=code, row=seen[code]))
        seen.setdefault(code, row.number)
    return rows
