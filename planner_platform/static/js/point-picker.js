// Map point picker for the proposal form: draws the chosen community's outline (no tile server needed) and
// puts a tapped point into the hidden lat/lng inputs. The server checks again that the point is inside.
(function () {
  "use strict";
  var box = document.getElementById("point-map");
  if (!box || !window.L) { return; }
  var select = document.getElementById(box.dataset.communitySelect);
  var latInput = document.getElementById(box.dataset.latInput);
  var lngInput = document.getElementById(box.dataset.lngInput);
  var status = document.getElementById("point-status");
  var map = window.plannerMap(box);
  var outline = null;
  var marker = null;

  function setPoint(latlng, announce) {
    if (marker) { marker.remove(); marker = null; }
    if (!latlng) {
      latInput.value = ""; lngInput.value = ""; status.textContent = "";
      return;
    }
    marker = L.circleMarker(latlng, { radius: 9, color: "#b91c1c", weight: 3, fillOpacity: 0.6, pane: "markerPane" })
      .addTo(map);  // over the names
    latInput.value = latlng.lat.toFixed(6);
    lngInput.value = latlng.lng.toFixed(6);
    if (announce) { status.textContent = "✓ " + latInput.value + ", " + lngInput.value; }
  }

  function showCommunity(id, keepPoint) {
    var url = box.dataset.areasUrl + "?only=1&place=" + encodeURIComponent(id);
    map.plannerOutlines(url, { style: { color: "#1d4ed8", weight: 2, fillOpacity: 0.08 } })
      .then(function (layer) {
        if (outline) { outline.remove(); }
        outline = layer;
        if (outline.getLayers().length) { map.fitBounds(outline.getBounds(), { padding: [10, 10] }); }
        else { map.setView([35, 105], 4); }  // no outline recorded: show the country
        if (!keepPoint) { setPoint(null); }
      });
  }

  map.on("click", function (event) { setPoint(event.latlng, true); });
  document.getElementById("point-clear").addEventListener("click", function () { setPoint(null); });
  if (select) {
    select.addEventListener("change", function () { showCommunity(select.value, false); });
    showCommunity(select.value, true);
  }
  if (latInput.value && lngInput.value) {
    setPoint(L.latLng(parseFloat(latInput.value), parseFloat(lngInput.value)), false);
  }
})();
