/* The dashboard's map: the scope's grids coloured by the chosen indicator (five classes
   from the lowest to the highest value shown; green is good whichever way the indicator
   runs), each linking to its own dashboard, and on demand a heat layer of the period's
   reported cases in cells of about 200 m. No tile layer unless one is configured. */
(function () {
  "use strict";
  var element = document.getElementById("assessment-map");
  if (!element) { return; }
  var data = JSON.parse(document.getElementById("assessment-map-data").textContent);
  var config = element.dataset;
  var map = L.map(element, { attributionControl: Boolean(config.tileUrl) });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
  }
  var GOOD_TO_BAD = ["#1a7f37", "#6fb36b", "#e3c64b", "#e5843d", "#d1242f"];
  var values = data.features
    .map(function (f) { return f.properties.value; })
    .filter(function (v) { return v !== null && v !== undefined; });
  // Quintile breaks: a few outlying grids must not wash out the colours of the rest.
  var sorted = values.slice().sort(function (a, b) { return a - b; });
  var breaks = [0.2, 0.4, 0.6, 0.8].map(function (q) {
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
  });

  function colour(value) {
    if (value === null || value === undefined) { return "#d0d7de"; }
    var index = breaks.filter(function (b) { return value >= b; }).length;
    if (data.metric.higher_is_better) { index = 4 - index; }
    return GOOD_TO_BAD[index];
  }

  function label(feature) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = feature.properties.code + " " + (feature.properties.name || "");
    var value = document.createElement("div");
    var v = feature.properties.value;
    value.textContent = data.metric.label + ": " + (v === null || v === undefined ? config.labelNone : v.toFixed(1));
    box.appendChild(link);
    box.appendChild(value);
    return box;
  }

  var grids = L.geoJSON(data, {
    style: function (feature) {
      return { color: "#57606a", weight: 1, fillColor: colour(feature.properties.value), fillOpacity: 0.6 };
    },
    onEachFeature: function (feature, layer) { layer.bindPopup(label(feature)); }
  }).addTo(map);
  if (grids.getLayers().length) {
    map.fitBounds(grids.getBounds(), { animate: false, padding: [8, 8] });
  } else {
    map.setView([parseFloat(config.centerLat), parseFloat(config.centerLng)], parseInt(config.zoom, 10) || 13);
  }

  var legend = document.getElementById("map-legend");
  legend.textContent = data.metric.label + ": ";
  var colours = data.metric.higher_is_better ? GOOD_TO_BAD.slice().reverse() : GOOD_TO_BAD;
  colours.forEach(function (c, index) {
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = c;
    legend.appendChild(swatch);
    legend.appendChild(document.createTextNode(
      (index ? "≥ " + breaks[index - 1].toFixed(1) : "< " + breaks[0].toFixed(1)) + "  "));
  });

  var heat = null;
  var CELL = 1 / 500;
  document.getElementById("heat-toggle").addEventListener("change", function (event) {
    if (!event.target.checked) {
      if (heat) { map.removeLayer(heat); }
      return;
    }
    if (heat) { heat.addTo(map); return; }
    fetch(config.heatUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var most = body.cells.reduce(function (m, c) { return Math.max(m, c[2]); }, 1);
        heat = L.layerGroup(body.cells.map(function (cell) {
          var strength = Math.sqrt(cell[2] / most);
          return L.rectangle(
            [[cell[0] - CELL / 2, cell[1] - CELL / 2], [cell[0] + CELL / 2, cell[1] + CELL / 2]],
            { stroke: false, fillColor: "#d1242f", fillOpacity: 0.15 + 0.7 * strength, interactive: false,
              className: "heat-cell" }
          );
        }));
        if (event.target.checked) { heat.addTo(map); }
      });
  });
}());
