// A Leaflet map that needs no tile server: outlines and points are drawn from the platform's own GeoJSON.
// When the deployment configures MAP_TILE_URL (e.g. Tianditu inside a government network), tiles go underneath.
window.plannerMap = function (box) {
  "use strict";
  var map = L.map(box, { attributionControl: Boolean(box.dataset.tileUrl) });
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, { maxZoom: 19, attribution: box.dataset.tileAttribution || "" }).addTo(map);
  }
  return map;
};
