// A Leaflet map that needs no tile server: outlines, names and sites are drawn from the platform's own data.
// When the deployment configures a tile service (MAP_TILE_*: README "Maps and tile services"), its tiles go
// underneath, in WGS-84 (Tianditu) or GCJ-02 (AMap, Tencent: map-coords.js shifts the projection, not the data).
// Every map gets a metric scale bar and names (map.plannerLabels, map-labels.js), and no animation for people who
// asked their device for reduced motion.
window.plannerMap = function (box) {
  "use strict";
  var tiles = box.dataset;
  var maxZoom = parseInt(tiles.tileMaxZoom, 10) || 18;
  // Whoever asks their device for less motion gets a map that changes at once: no fading popups, no zoom glide.
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(box, {
    fadeAnimation: !still,
    zoomAnimation: !still,
    markerZoomAnimation: !still,
    crs: tiles.tileCrs === "gcj02" ? window.plannerCoords.gcj02Crs() : L.CRS.EPSG3857,
    attributionControl: false,
    maxZoom: maxZoom
  });
  if (tiles.tileUrl) {
    // The provider's credit and 审图号 in the corner; Leaflet's credit as plain text, not a link too small to tap.
    L.control.attribution({ prefix: "Leaflet" }).addTo(map);
  }
  [tiles.tileUrl, tiles.tileOverlay].forEach(function (url, i) {
    if (!url) { return; }
    L.tileLayer(url, {
      maxZoom: maxZoom,
      subdomains: tiles.tileSubdomains || "abc",
      attribution: i === 0 ? tiles.tileAttribution || "" : ""
    }).addTo(map);
  });
  L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);
  map.plannerLabels = window.plannerLabels(map, tiles.sitesUrl);
  // Community outlines from the platform (proposals' map/areas.json), drawn and named; resolves to the layer.
  map.plannerOutlines = function (url, options) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, options).addTo(map);
        map.plannerLabels.outlines(layer);
        return layer;
      });
  };
  return map;
};
