/* Street grid map: the street's grid polygons from GeoJSON, coloured by grid kind; a click
   (on a polygon or on the grid list) opens a card with the grid's figures and its
   responsible (primary) grid worker, read once from the grid-assignments API. No tile layer
   unless a tile URL is configured: no tile server is reachable offline. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("grids-geojson").textContent);
  var kinds = JSON.parse(document.getElementById("grid-kinds").textContent);
  var config = document.getElementById("map-config").dataset;
  var element = document.getElementById("street-map");
  var map = L.map(element, { attributionControl: Boolean(config.tileUrl) });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
  }

  function escapeHtml(value) {
    var div = document.createElement("div");
    div.textContent = value == null ? "" : String(value);
    return div.innerHTML;
  }

  function kindOf(p) {
    return kinds[p.kind] || { label: p.kind, color: "#57606a" };
  }

  function row(label, value, cls) {
    return "<dt>" + escapeHtml(label) + "</dt><dd" + (cls ? " class=\"" + cls + "\"" : "") + ">" +
      escapeHtml(value) + "</dd>";
  }

  // Grid id → name of its primary worker; null until the assignments have been read.
  var workers = null;

  function workerRow(p) {
    if (workers === null) { return ""; }
    var name = workers[p.id];
    return name ? row(config.labelWorker, name, "grid-worker")
      : row(config.labelWorker, config.labelNoWorker, "grid-worker grid-worker-none");
  }

  function card(p) {
    var kind = kindOf(p);
    return "<div class=\"grid-card\"><strong class=\"grid-name\">" + escapeHtml(p.name) + "</strong>" +
      "<span class=\"grid-kind\" style=\"--swatch: " + escapeHtml(kind.color) + "\">" + escapeHtml(kind.label) + "</span>" +
      "<dl>" +
      row(config.labelCode, p.code, "grid-code") +
      row(config.labelCommunity, p.community_name) +
      workerRow(p) +
      row(config.labelPopulation, p.population, "grid-population") +
      row(config.labelHouseholds, p.households) +
      row(config.labelArea, Math.round(p.area_m2 || 0)) +
      "</dl></div>";
  }

  function style(feature) {
    var color = kindOf(feature.properties).color;
    return { color: color, weight: 1.5, fillColor: color, fillOpacity: 0.18 };
  }

  var byId = {};
  var layer = L.geoJSON(data, {
    style: style,
    onEachFeature: function (feature, polygon) {
      byId[feature.properties.id] = polygon;
      polygon.bindPopup(card(feature.properties), { minWidth: 180 });
      var tooltip = escapeHtml(feature.properties.name);
      polygon.bindTooltip(tooltip, { sticky: true, direction: "top" });
      // The card says more than the tooltip: hide the tooltip while the card is open.
      polygon.on("popupopen", function () { polygon.unbindTooltip(); });
      polygon.on("popupclose", function () {
        polygon.bindTooltip(tooltip, { sticky: true, direction: "top" });
      });
      polygon.on("mouseover", function () { polygon.setStyle({ fillOpacity: 0.4, weight: 2.5 }); });
      polygon.on("mouseout", function () { layer.resetStyle(polygon); });
    }
  }).addTo(map);

  // Community borders over the grids, so that a grid is seen within its community.
  var outlines = JSON.parse(document.getElementById("communities-geojson").textContent);
  L.geoJSON(outlines, {
    interactive: false,
    style: function () { return { color: "#24292f", weight: 3, opacity: 0.8, fill: false }; }
  }).addTo(map);

  if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds(), { animate: false, padding: [12, 12] });
  } else {
    map.setView([parseFloat(config.centerLat), parseFloat(config.centerLng)],
      parseInt(config.zoom, 10) || 13, { animate: false });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".grid-link"), function (button) {
    button.addEventListener("click", function () {
      var polygon = byId[button.dataset.gridId];
      if (!polygon) { return; }
      map.fitBounds(polygon.getBounds(), { animate: false, maxZoom: map.getZoom() });
      polygon.openPopup(polygon.getBounds().getCenter());
    });
  });

  // The responsible workers, page by page (a street rarely has more than one page).
  function loadWorkers(url, found) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("grid assignments: HTTP " + response.status); }
        return response.json();
      })
      .then(function (page) {
        page.results.forEach(function (assignment) { found[assignment.grid] = assignment.worker_name; });
        if (page.next) { loadWorkers(page.next, found); return; }
        workers = found;
        layer.eachLayer(function (polygon) {
          polygon.setPopupContent(card(polygon.feature.properties));
        });
        element.dataset.workersReady = "true";
      })
      .catch(function () {
        // Without the assignments the cards show the grid's figures only.
        element.dataset.workersReady = "failed";
      });
  }
  if (config.workersUrl && window.fetch) { loadWorkers(config.workersUrl, {}); }

  element.dataset.ready = "true";
})();
