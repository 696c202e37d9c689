// Names on a map, so people recognise where they are without tiles: each community's name at its centre, and the
// sites the platform knows (public activities' venues, renewal projects' sites) as small dots with their names.
// A name shows only where it fits: a community's once its outline is wider than the name, sites from SITE_ZOOM;
// a name that would overlap one already placed (communities first) waits for a closer zoom.
window.plannerLabels = function (map, sitesUrl) {
  "use strict";
  var SITE_ZOOM = 15;      // about 5 m a pixel: a courtyard or a hall is a few pixels wide
  var CENTRE_ZOOM = 14;    // communities known only by their centre (no outline recorded)
  var communities = [], sites = [], pending = null;
  var pane = map.createPane("plannerLabels");  // above outlines, below clusters and pins
  pane.style.zIndex = 450;
  pane.style.pointerEvents = "none";
  var layer = L.layerGroup().addTo(map);

  // Width in pixels of a name at the labels' 16 px: CJK characters are square, others about half as wide.
  function width(name) {
    var w = 12;
    for (var i = 0; i < name.length; i++) { w += name.charCodeAt(i) > 0x2e80 ? 16 : 9; }
    return w;
  }

  function fits(item) {
    if (item.kind !== "community") { return map.getZoom() >= SITE_ZOOM; }
    if (!item.bounds) { return map.getZoom() >= CENTRE_ZOOM; }
    var sw = map.latLngToContainerPoint(item.bounds.getSouthWest());
    var ne = map.latLngToContainerPoint(item.bounds.getNorthEast());
    return ne.x - sw.x >= width(item.name) && sw.y - ne.y >= 22;
  }

  // The box the name takes on screen: centred on a community, to the right of a site's dot.
  function box(item) {
    var p = map.latLngToContainerPoint(item.latlng), w = width(item.name);
    return item.kind === "community" ? L.bounds([p.x - w / 2, p.y - 11], [p.x + w / 2, p.y + 11])
      : L.bounds([p.x - 6, p.y - 11], [p.x + 10 + w, p.y + 11]);
  }

  function label(item) {
    var text = document.createElement("span");  // textContent: names are data, never parsed as HTML
    text.className = "map-label map-label-" + (item.kind === "community" ? "community" : "site");
    text.textContent = item.name;
    return L.marker(item.latlng, {
      pane: "plannerLabels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "map-label-anchor", iconSize: null, html: text })
    });
  }

  function refresh() {
    layer.clearLayers();
    var view = map.getBounds().pad(0.2), size = map.getSize(), placed = [];
    communities.concat(sites).forEach(function (item) {
      if (!view.contains(item.latlng) || !fits(item)) { return; }
      var taken = box(item);
      if (taken.max.x < 0 || taken.max.y < 0 || taken.min.x > size.x || taken.min.y > size.y) { return; }
      if (placed.some(function (other) { return other.intersects(taken); })) { return; }
      placed.push(taken);
      layer.addLayer(label(item));
    });
  }

  function loadSites() {
    if (!sitesUrl || map.getZoom() < SITE_ZOOM) { sites = []; refresh(); return; }
    var b = map.getBounds();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(sitesUrl + "?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
      return v.toFixed(5);
    }).join(","), { credentials: "same-origin", signal: pending.signal })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        sites = data.sites.map(function (s) {
          return { kind: s.kind, name: s.name, latlng: L.latLng(s.lat, s.lng) };
        });
        refresh();
      })
      .catch(function () { /* a newer request replaced this one */ });
  }

  map.on("zoomend", refresh);
  map.on("moveend", loadSites);

  return {
    // Community names for the outlines (or centre points) of a GeoJSON layer; replaces the previous set.
    outlines: function (geojson) {
      communities = [];
      geojson.eachLayer(function (shape) {
        var p = shape.feature.properties, centre = p.centre;
        var bounds = shape.getLatLng ? null : shape.getBounds();  // a point: a community known by its centre
        communities.push({
          kind: "community", name: p.name, bounds: bounds,
          latlng: centre ? L.latLng(centre[0], centre[1]) : bounds ? bounds.getCenter() : shape.getLatLng()
        });
      });
      map.whenReady(refresh);  // a page may give the outlines before it sets the view
    }
  };
};
