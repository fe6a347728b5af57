/* A worker's patrol track for one day: the outlines of their grids, one line per patrol
   session, and flagged points (outside the worker's grids) as red dots. The totals and the
   coverage table are in the page itself; this only draws. No tile layer unless a tile URL
   is configured: no tile server is reachable offline. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("track-data").textContent);
  var config = document.getElementById("track-config").dataset;
  var element = document.getElementById("track-map");
  var map = L.map(element, { attributionControl: Boolean(config.tileUrl) });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
  }

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  // Layers are built first and added once the view is set: Leaflet projects a path when it
  // is added, which needs a map with a view.
  var layers = [];
  var bounds = L.latLngBounds([]);
  var grids = L.geoJSON(data.grids, {
    interactive: false,
    style: function () {
      return { color: config.colorGrid, weight: 2, dashArray: "4 4", fillOpacity: 0.05, className: "track-grid" };
    }
  });
  layers.push(grids);
  if (grids.getLayers().length) { bounds.extend(grids.getBounds()); }

  data.sessions.forEach(function (session) {
    layers.push(L.polyline(session.line, {
      color: config.colorTrack, weight: 3, opacity: 0.9, className: "track-line", interactive: false
    }));
    session.line.forEach(function (latlng) { bounds.extend(latlng); });
    session.flagged.forEach(function (fix) {
      layers.push(L.circleMarker([fix.lat, fix.lng], {
        radius: 5, color: config.colorFlagged, fillColor: config.colorFlagged, fillOpacity: 0.9,
        weight: 1, className: "track-flagged"
      }).bindTooltip(textNode(config.labelFlagged + " " + fix.time), { direction: "top" }));
    });
  });

  if (bounds.isValid()) {
    map.fitBounds(bounds, { animate: false, padding: [16, 16], maxZoom: 19 });
  } else {
    map.setView([parseFloat(config.centerLat), parseFloat(config.centerLng)],
      parseInt(config.zoom, 10) || 13, { animate: false });
  }
  layers.forEach(function (layer) { layer.addTo(map); });
  element.dataset.ready = "true";
})();
