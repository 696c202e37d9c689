"""The city's tile service, as configuration: what the maps' scripts are told and which hosts the CSP allows.

Nothing here is required: without MAP_TILE_URL the maps draw the platform's own outlines, names and sites on a
blank background (closed government networks). Coordinates are stored in WGS-84 whatever the tiles use; with
MAP_TILE_CRS=gcj02 the browser shifts them for display (static/js/map-coords.js), never the database.
"""
from urllib.parse import urlsplit

from flask import Flask

CRS_CHOICES = ("wgs84", "gcj02")


def check_tile_settings(app: Flask) -> None:
    """Fail at start-up on a tile setting the maps could not use, rather than with a grey map in a browser."""
    crs = app.config["MAP_TILE_CRS"]
    if crs not in CRS_CHOICES:
        raise RuntimeError(f"MAP_TILE_CRS must be one of {', '.join(CRS_CHOICES)}, not {crs!r}")
    for name in ("MAP_TILE_URL", "MAP_TILE_OVERLAY_URL"):
        url = app.config[name]
        if url and (urlsplit(url).scheme not in ("http", "https") or "{z}" not in url):
            raise RuntimeError(f"{name} must be an http(s) URL template with {{z}}, {{x}} and {{y}}, not {url!r}")
        if url and "{key}" in url and not app.config["MAP_TILE_KEY"]:
            raise RuntimeError(f"{name} has a {{key}} placeholder but MAP_TILE_KEY is empty")


def _with_key(url: str, key: str) -> str:
    return url.replace("{key}", key) if url else ""


def tile_settings(config) -> dict:
    """What a map's box carries as data-tile-* attributes (the key is in the URL: tile requests show it anyway,
    which is why Tianditu's browser keys are bound to the site's domain)."""
    key = config["MAP_TILE_KEY"]
    return {"url": _with_key(config["MAP_TILE_URL"], key), "overlay": _with_key(config["MAP_TILE_OVERLAY_URL"], key),
            "subdomains": config["MAP_TILE_SUBDOMAINS"], "attribution": config["MAP_TILE_ATTRIBUTION"],
            "max-zoom": config["MAP_TILE_MAX_ZOOM"], "crs": config["MAP_TILE_CRS"]}


def tile_sources(*urls: str) -> list[str]:
    """The CSP img-src sources for tile URL templates: scheme and host, a {s} subdomain label as a wildcard
    (https://t{s}.tianditu.gov.cn/... → https://*.tianditu.gov.cn); never '*'."""
    sources = []
    for url in filter(None, urls):
        parts = urlsplit(url)
        host = parts.netloc
        if "{" in host:
            host = "*." + host.split(".", 1)[1]
        source = f"{parts.scheme}://{host}"
        if source not in sources:
            sources.append(source)
    return sources
