/* Admin boundary preview: a small Leaflet map of a place's GeoJSON boundary.
   Reads the stored boundary from a json_script element and follows the boundary textarea as
   it is edited. No tile layer unless a tile URL is configured (no tile server offline). */
(function () {
  "use strict";

  var STYLE = { color: "#1f6feb", weight: 2, fillOpacity: 0.2 };

  function init(container) {
    var dataset = container.dataset;
    var source = document.getElementById(dataset.geojsonId);
    var status = container.parentNode.querySelector(".boundary-preview-status");
    var map = L.map(container, { scrollWheelZoom: false, attributionControl: Boolean(dataset.tileUrl) });
    if (dataset.tileUrl) {
      L.tileLayer(dataset.tileUrl, { attribution: dataset.tileAttribution || "" }).addTo(map);
    }
    var layer = L.geoJSON(null, { style: function () { return STYLE; } }).addTo(map);
    var center = [parseFloat(dataset.centerLat), parseFloat(dataset.centerLng)];
    var zoom = parseInt(dataset.zoom, 10) || 13;

    function say(key) {
      if (status) { status.textContent = status.dataset[key] || ""; }
    }

    function show(geojson) {
      // Polygons only: a boundary is a Polygon or MultiPolygon (saving says why otherwise).
      var fresh = L.geoJSON(null, {
        style: function () { return STYLE; },
        filter: function (object) {
          var geometry = object.type === "Feature" ? object.geometry : object;
          return Boolean(geometry) && /Polygon$/.test(geometry.type || "");
        }
      });
      if (geojson) {
        try {
          fresh.addData(geojson);
        } catch (error) {
          return false;
        }
      }
      layer.clearLayers();
      fresh.eachLayer(function (polygon) { layer.addLayer(polygon); });
      if (layer.getLayers().length) {
        map.fitBounds(layer.getBounds(), { animate: false, padding: [16, 16] });
        say("ok");
      } else {
        map.setView(center, zoom, { animate: false });
        say("empty");
      }
      return true;
    }

    show(source ? JSON.parse(source.textContent) : null);

    var field = document.getElementById(dataset.sourceField);
    if (field) {
      var timer = null;
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          var text = field.value.trim();
          if (!text || text === "null") { show(null); return; }
          var parsed;
          try {
            parsed = JSON.parse(text);
          } catch (error) {
            say("invalid");
            return;
          }
          if (!show(parsed)) { say("invalid"); }
        }, 300);
      });
    }
    container.dataset.ready = "true";
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".boundary-preview-map"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
