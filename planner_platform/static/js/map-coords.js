// WGS-84 ↔ GCJ-02, the public "Mars coordinates" transform used by AMap and Tencent tiles. The platform stores
// WGS-84 (DOMAIN.md); with MAP_TILE_CRS=gcj02 the map's projection shifts every point for display and shifts taps
// back (gcj02Crs), so outlines, pins and stored coordinates never see GCJ-02. Outside China nothing is shifted.
(function () {
  "use strict";
  var A = 6378245.0;               // the transform's ellipsoid (Krasovsky 1940)
  var EE = 0.00669342162296594323; // its first eccentricity squared
  var PI = Math.PI;

  function outOfChina(lat, lng) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function shiftLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
  }

  function shiftLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
  }

  // [lat, lng] in GCJ-02 of a WGS-84 point.
  function toGcj02(lat, lng) {
    if (outOfChina(lat, lng)) { return [lat, lng]; }
    var dLat = shiftLat(lng - 105, lat - 35), dLng = shiftLng(lng - 105, lat - 35);
    var radLat = lat / 180 * PI, magic = 1 - EE * Math.sin(radLat) * Math.sin(radLat), sqrtMagic = Math.sqrt(magic);
    dLat = dLat * 180 / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
    dLng = dLng * 180 / (A / sqrtMagic * Math.cos(radLat) * PI);
    return [lat + dLat, lng + dLng];
  }

  // [lat, lng] in WGS-84 of a GCJ-02 point: the forward shift inverted by a few fixed-point steps (to millimetres;
  // the one-step inverse found in many snippets is off by metres).
  function toWgs84(lat, lng) {
    var wLat = lat, wLng = lng;
    for (var i = 0; i < 10; i++) {
      var g = toGcj02(wLat, wLng), eLat = lat - g[0], eLng = lng - g[1];
      wLat += eLat; wLng += eLng;
      if (Math.abs(eLat) < 1e-10 && Math.abs(eLng) < 1e-10) { break; }
    }
    return [wLat, wLng];
  }

  // Web Mercator over GCJ-02: the tiles' pixel grid, with WGS-84 coordinates going in and coming out.
  function gcj02Crs() {
    var mercator = L.Projection.SphericalMercator;
    var projection = {
      R: mercator.R,
      bounds: mercator.bounds,
      project: function (latlng) { var g = toGcj02(latlng.lat, latlng.lng); return mercator.project(L.latLng(g[0], g[1])); },
      unproject: function (point) { var m = mercator.unproject(point), w = toWgs84(m.lat, m.lng); return L.latLng(w[0], w[1]); }
    };
    return L.extend({}, L.CRS.EPSG3857, { code: "GCJ02:3857", projection: projection });
  }

  window.plannerCoords = { toGcj02: toGcj02, toWgs84: toWgs84, gcj02Crs: gcj02Crs };
})();
