// A place's page: its communities' outlines with their names (and, closer in, the sites the platform knows), so a
// resident recognises the streets around them without any tile service. A community's page shows its
// neighbours in the sub-district too, its own outline stronger; a tap on another outline opens that place's page.
// Without JavaScript the outline drawn by the server (the SVG inside the box) stays.
(function () {
  "use strict";
  var box = document.getElementById("place-map");
  if (!box || !window.L) { return; }
  box.textContent = "";
  var own = parseInt(box.dataset.place, 10);
  var map = window.plannerMap(box);
  var focus = null;
  map.plannerOutlines(box.dataset.areasUrl, {
    style: function (feature) {
      var mine = feature.properties.id === own;
      return { color: "#1d4ed8", weight: mine ? 4 : 1.5, fillOpacity: mine ? 0.15 : 0.04 };
    },
    onEachFeature: function (feature, layer) {
      if (feature.properties.id === own) { focus = layer; return; }
      layer.on("click", function () {
        window.location.href = box.dataset.placeUrl.replace(/0$/, feature.properties.id);
      });
    }
  }).then(function (outlines) {
    var bounds = (focus || outlines).getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 }); }
  });
})();
