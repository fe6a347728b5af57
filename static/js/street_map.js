(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("grids-geojson").textContent);
  var labels = JSON.parse(document.getElementById("map-labels").textContent);
  var config = document.getElementById("map-config").dataset;
  var map = L.map("street-map", { preferCanvas: false });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
  }
  function escapeHtml(value) {
    var div = document.createElement("div");
    div.textContent = value == null ? "" : String(value);
    return div.innerHTML;
  }
  function card(p) {
    return "<div class=\"grid-card\"><strong>" + escapeHtml(p.name) + "</strong>" +
      "<dl><dt>" + escapeHtml(labels.code) + "</dt><dd class=\"grid-code\">" + escapeHtml(p.code) + "</dd>" +
      "<dt>" + escapeHtml(labels.community) + "</dt><dd>" + escapeHtml(p.community_name) + "</dd>" +
      "<dt>" + escapeHtml(labels.population) + "</dt><dd>" + escapeHtml(p.population) + "</dd>" +
      "<dt>" + escapeHtml(labels.households) + "</dt><dd>" + escapeHtml(p.households) + "</dd>" +
      "<dt>" + escapeHtml(labels.area) + "</dt><dd>" + escapeHtml(Math.round(p.area_m2 || 0)) + "</dd></dl></div>";
  }
  var layer = L.geoJSON(data, {
    style: function () { return { color: "#1f6feb", weight: 1, fillOpacity: 0.15 }; },
    onEachFeature: function (feature, polygon) {
      polygon.bindPopup(card(feature.properties));
      polygon.on("mouseover", function () { polygon.setStyle({ fillOpacity: 0.35 }); });
      polygon.on("mouseout", function () { polygon.setStyle({ fillOpacity: 0.15 }); });
    }
  }).addTo(map);
  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds(), { animate: false });
  } else {
    map.setView([35.80, 116.10], 13, { animate: false });
  }
  document.getElementById("street-map").dataset.ready = "true";
})();
