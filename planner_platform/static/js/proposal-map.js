// Public map of proposals: community outlines and names from the platform itself (no tile server), and proposals
// clustered by the server for the visible box, fetched again whenever the map moves.
(function () {
  "use strict";
  var box = document.getElementById("proposal-map");
  if (!box || !window.L) { return; }
  var map = window.plannerMap(box);
  var points = L.layerGroup().addTo(map);
  var pending = null;

  function cellMarker(cell) {
    if (cell.count === 1) {
      var marker = L.circleMarker([cell.lat, cell.lng], { radius: 8, color: "#b91c1c", weight: 2, fillOpacity: 0.7,
        pane: "markerPane" });  // over the names
      var link = document.createElement("a");
      link.href = cell.url;
      link.textContent = cell.title + " (" + cell.state + ")";  // textContent: titles are never parsed as HTML
      return marker.bindPopup(link);
    }
    var size = Math.min(56, 28 + String(cell.count).length * 8);
    var bubble = document.createElement("div");  // built with the DOM: the CSP allows no inline style attributes
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

  fetch(box.dataset.areasUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var outlines = L.geoJSON(data, { style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.05 } }).addTo(map);
      map.plannerLabels.outlines(outlines);
      if (data.features.length) { map.fitBounds(outlines.getBounds()); } else { map.setView([35, 105], 4); }
      map.on("moveend", load);
      load();
    });
})();
