// A proposal's own page: the spot its proposer marked, as a red dot, inside the community's outline and names.
(function () {
  "use strict";
  var box = document.getElementById("proposal-point-map");
  if (!box || !window.L) { return; }
  var map = window.plannerMap(box);
  var point = L.latLng(parseFloat(box.dataset.lat), parseFloat(box.dataset.lng));
  L.circleMarker(point, { radius: 10, color: "#fff", weight: 3, fillColor: "#b91c1c", fillOpacity: 1,
    interactive: false, className: "map-marked-point", pane: "markerPane" }).addTo(map);  // over the names
  map.setView(point, 16);
  map.plannerOutlines(box.dataset.areasUrl, { style: { color: "#1d4ed8", weight: 3, fillOpacity: 0.08 } })
    .then(function (outline) {
      if (outline.getLayers().length) {
        map.fitBounds(outline.getBounds().extend(point), { padding: [16, 16], maxZoom: 17 });
      }
    });
})();
