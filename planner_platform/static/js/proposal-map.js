// Public map of proposals: community outlines and names from the platform itself (no tile server), and proposals
// clustered by the server for the visible box, fetched again whenever the map moves.
(function () {
  "use strict";
  var box = document.getElementById("proposal-map");
  if (!box || !window.L) { return; }
  var map = window.plannerMap(box);
  var points = L.layerGroup().addTo(map);
  var pending = null;

  // Every point is a marker in Leaflet's marker pane, above the names' pane (map-labels.js), so a name never hides
  // one; each is a target of at least 44 × 44 px (a finger's width), whatever the dot or bubble drawn inside it.
  var TARGET = 44;

  function cellMarker(cell) {
    if (cell.count === 1) {
      var dot = document.createElement("span");  // built with the DOM: the CSP allows no inline style attributes
      dot.className = "map-point";
      var link = document.createElement("a");
      link.href = cell.url;
      link.textContent = cell.title + " (" + cell.state + ")";  // textContent: titles are never parsed as HTML
      return L.marker([cell.lat, cell.lng], {
        icon: L.divIcon({ className: "map-point-target", iconSize: [TARGET, TARGET], html: dot }),
        keyboard: true, title: cell.title
      }).bindPopup(link);
    }
    var size = Math.min(60, TARGET + (String(cell.count).length - 1) * 6);
    var bubble = document.createElement("div");
    bubble.className = "map-cluster";
    bubble.style.width = bubble.style.height = size + "px";
    bubble.textContent = String(cell.count);
    var icon = L.divIcon({ className: "", iconSize: [size, size], html: bubble });
    return L.marker([cell.lat, cell.lng], { icon: icon, keyboard: true, title: String(cell.count) })
      .on("click", function () { map.setView([cell.lat, cell.lng], map.getZoom() + 2); });
  }

  function load() {
    var b = map.getBounds();
    var url = box.dataset.cellsUrl + (box.dataset.cellsUrl.indexOf("?") < 0 ? "?" : "&") +
      "bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",") +
      "&zoom=" + map.getZoom();
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { credentials: "same-origin", signal: pending.signal })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        points.clearLayers();
        data.cells.forEach(function (cell) { points.addLayer(cellMarker(cell)); });
      })
      .catch(function () { /* a newer request replaced this one */ });
  }

  map.plannerOutlines(box.dataset.areasUrl, { style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.05 } })
    .then(function (outlines) {
      if (outlines.getLayers().length) { map.fitBounds(outlines.getBounds()); } else { map.setView([35, 105], 4); }
      map.on("moveend", load);
      load();
    });
})();
