"""Small GeoJSON helpers: validate a boundary, find its centre, draw it as SVG without any tile server."""
from flask_babel import gettext as _

from planner_platform.core.errors import DomainError


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    return [polygon[0] for polygon in geometry["coordinates"]]


def validate_boundary(geometry) -> dict:
    """Return a clean GeoJSON Polygon/MultiPolygon in WGS-84 or raise DomainError saying what is wrong."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise DomainError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."), field="boundary")
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        raise DomainError(_("The boundary has no coordinates."), field="boundary")
    clean = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise DomainError(_("The boundary has no coordinates."), field="boundary")
        rings = []
        for ring in polygon:
            try:
                points = [[float(lng), float(lat)] for lng, lat, *_rest in ring]
            except (TypeError, ValueError):
                raise DomainError(_("The boundary coordinates must be [longitude, latitude] pairs."),
                                  field="boundary") from None
            if len(points) < 4 or points[0] != points[-1]:
                raise DomainError(_("Each boundary ring needs at least four points and must end where it starts."),
                                  field="boundary")
            if any(not (-180 <= lng <= 180 and -90 <= lat <= 90) for lng, lat in points):
                raise DomainError(_("The boundary coordinates must be WGS-84 longitude and latitude."),
                                  field="boundary")
            rings.append(points)
        clean.append(rings)
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": clean[0]}
    return {"type": "MultiPolygon", "coordinates": clean}


def centre_of(geometry: dict) -> tuple[float, float]:
    """Area-weighted centroid (lat, lng) of the outer rings; good enough for a map pin at community scale."""
    total_area = cx = cy = 0.0
    for ring in _rings(geometry):
        for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
            cross = x0 * y1 - x1 * y0
            total_area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if abs(total_area) < 1e-15:
        points = [pt for ring in _rings(geometry) for pt in ring]
        return sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points)
    return cy / (3 * total_area), cx / (3 * total_area)


def bounds_of(geometries: list[dict]) -> tuple[float, float, float, float] | None:
    points = [pt for geometry in geometries for ring in _rings(geometry) for pt in ring]
    if not points:
        return None
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lngs), min(lats), max(lngs), max(lats)


def svg_paths(geometries: list[dict], width: int = 400, height: int = 300) -> tuple[list[str], str]:
    """SVG path data for each geometry, projected into a shared viewBox (north up, aspect kept)."""
    bounds = bounds_of(geometries)
    if bounds is None:
        return [], f"0 0 {width} {height}"
    min_lng, min_lat, max_lng, max_lat = bounds
    scale = min(width / max(max_lng - min_lng, 1e-9), height / max(max_lat - min_lat, 1e-9))
    paths = []
    for geometry in geometries:
        parts = []
        for ring in _rings(geometry):
            coords = " ".join(f"{(lng - min_lng) * scale:.1f},{(max_lat - lat) * scale:.1f}" for lng, lat in ring)
            parts.append(f"M{coords}Z")
        paths.append(" ".join(parts))
    return paths, f"0 0 {(max_lng - min_lng) * scale:.1f} {(max_lat - min_lat) * scale:.1f}"


def _in_ring(lng: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray casting: does a ray from the point to the east cross the ring an odd number of times?"""
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        if (y0 > lat) != (y1 > lat) and lng < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def check_point(community, lat: float | None, lng: float | None) -> None:
    """Refuse a map point that is half given or lies outside the community's outline (when it has one)."""
    if (lat is None) != (lng is None):
        raise DomainError(_("The map point is incomplete. Tap the map again."), field="lat")
    if lat is not None and community.boundary and not contains_point(community.boundary, lat, lng):
        raise DomainError(_("The map point is outside %(community)s. Put it inside the outlined area.",
                            community=community.name), field="lat")


def contains_point(geometry: dict, lat: float, lng: float) -> bool:
    """Is the WGS-84 point inside the Polygon/MultiPolygon (holes respected)?"""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return any(_in_ring(lng, lat, polygon[0]) and not any(_in_ring(lng, lat, hole) for hole in polygon[1:])
               for polygon in polygons)
