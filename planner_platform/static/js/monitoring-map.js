// The dashboard's choropleth: communities filled by the chosen indicator in five classes (a colour-blind-safe
// sequential palette), names on the map and with each value as tooltips, a scale bar (map-base.js), a legend; a click opens the community's dashboard. The
// choice stays in the address (?map=key) so a reload or a shared link shows the same map.
(function () {
  "use strict";
  var box = document.getElementById("monitoring-map");
  var select = document.getElementById("map-indicator");
  var legend = document.getElementById("map-legend");
  if (!box || !select || typeof L === "undefined") return;
  var PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var NO_DATA = "#d9d9d9";
  var map = window.plannerMap(box);
  var layer = null, data = null;

  // Five equal classes from the lowest value to the highest; whole numbers for counts, so no class reads "7.6".
  function breaks(values, kind) {
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    var step = (high - low) / PALETTE.length || 1;
    return PALETTE.map(function (_c, i) {
      var limit = low + step * (i + 1);
      return kind === "rate" ? limit : Math.ceil(limit);
    });
  }

  function colour(value, limits) {
    if (value === null || value === undefined) return NO_DATA;
    for (var i = 0; i < limits.length; i++) { if (value <= limits[i]) return PALETTE[i]; }
    return PALETTE[PALETTE.length - 1];
  }

  function format(value, kind) {
    if (value === null || value === undefined) return box.dataset.noData;
    return kind === "rate" ? value.toFixed(1) + "%" : String(Math.round(value * 10) / 10);
  }

  function draw() {
    var key = select.value;
    var indicator = data.indicators.filter(function (i) { return i.key === key; })[0];
    var values = data.features.map(function (f) { return f.properties.values[key]; })
      .filter(function (v) { return v !== null && v !== undefined; });
    var limits = values.length ? breaks(values, indicator.kind) : [];
    if (layer) map.removeLayer(layer);
    layer = L.geoJSON(data, {
      style: function (f) {
        return {color: "#555", weight: 1, fillOpacity: 0.8, fillColor: colour(f.properties.values[key], limits)};
      },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 9}); },
      onEachFeature: function (f, shape) {
        var p = f.properties;
        shape.bindTooltip(p.name + ": " + format(p.values[key], indicator.kind));
        shape.on("click", function () { window.location.href = p.url; });
        if (shape.getElement) shape.once("add", function () {
          var element = shape.getElement();
          if (element) element.setAttribute("data-community-id", p.id);
        });
      }
    }).addTo(map);
    map.plannerLabels.outlines(layer);
    map.fitBounds(layer.getBounds(), {padding: [10, 10]});
    legend.textContent = "";
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = indicator.name;
    legend.appendChild(title);
    var low = values.length ? Math.min.apply(null, values) : null;
    limits.forEach(function (limit, i) {
      var from = i === 0 ? low : limits[i - 1];
      legendEntry(PALETTE[i], format(from, indicator.kind) + " – " + format(limit, indicator.kind));
    });
    legendEntry(NO_DATA, box.dataset.noData);
  }

  function legendEntry(fill, text) {
    var entry = document.createElement("span");
    entry.className = "me-3 text-nowrap";
    var swatch = document.createElement("span");
    swatch.className = "map-swatch";
    swatch.style.background = fill;
    entry.appendChild(swatch);
    entry.appendChild(document.createTextNode(" " + text));
    legend.appendChild(entry);
  }

  fetch(box.dataset.url, {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (response) { return response.json(); })
    .then(function (json) {
      data = json;
      if (!data.features.length) {  // no community here has a boundary or a centre yet
        box.hidden = true;
        legend.textContent = box.dataset.noData;
        return;
      }
      draw();
    });
  select.addEventListener("change", function () {
    if (!data) return;
    draw();
    var address = new URL(window.location.href);
    address.searchParams.set("map", select.value);
    window.history.replaceState(null, "", address);
  });
})();
