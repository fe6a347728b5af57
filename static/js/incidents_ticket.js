/* The ticket page: a small map of the ticket's location in its grid, and the preview of the
   new deadline in the extension form, worked out by the calendar API (working time,
   holidays) before the user approves. Without JavaScript the forms work as they are. */
(function () {
  "use strict";

  function drawMap() {
    var element = document.getElementById("ticket-map");
    if (!element || !window.L) { return; }
    var data = JSON.parse(document.getElementById("ticket-map-data").textContent);
    var config = document.getElementById("ticket-map-config").dataset;
    var map = L.map(element, { attributionControl: Boolean(config.tileUrl) });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
    }
    var layers = [];
    var bounds = L.latLngBounds([[data.lat, data.lng]]);
    if (data.grid) {
      var grid = L.geoJSON(data.grid, {
        interactive: false,
        style: function () {
          return { color: "#57606a", weight: 1.5, fillOpacity: 0.05, className: "ticket-grid" };
        }
      });
      layers.push(grid);
      bounds.extend(grid.getBounds());
    }
    layers.push(L.circleMarker([data.lat, data.lng], {
      radius: 8, color: "#fff", weight: 2, fillColor: data.colour, fillOpacity: 1,
      className: "ticket-location", interactive: false
    }));
    map.fitBounds(bounds, { animate: false, padding: [12, 12], maxZoom: parseInt(config.zoom, 10) || 17 });
    layers.forEach(function (layer) { layer.addTo(map); });
    element.dataset.ready = "true";
  }

  // "2025-03-10T15:00:00+08:00" → "2025-03-10 15:00": the API answers in the site's time
  // zone, the one the page shows its times in.
  function shortTime(iso) {
    return iso.slice(0, 10) + " " + iso.slice(11, 16);
  }

  function extensionPreview(form) {
    var preview = form.querySelector(".extension-preview");
    var amount = form.querySelector("[name=amount]");
    var unit = form.querySelector("[name=unit]");
    var config = form.dataset;
    if (!preview || !amount || !unit || !config.start || !window.fetch) { return; }
    var asked = 0;

    function update() {
      var value = parseInt(amount.value, 10);
      preview.textContent = "";
      delete preview.dataset.dueAt;
      if (!(value >= 1)) { return; }
      var query = new URLSearchParams({
        start: config.start, amount: String(value), unit: unit.value, priority: config.priority
      });
      var ticket = ++asked;  // only the latest question's answer is shown
      fetch(config.deadlineUrl + "?" + query.toString(), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("deadline: HTTP " + response.status); }
          return response.json();
        })
        .then(function (body) {
          if (ticket !== asked) { return; }
          preview.textContent = config.labelPreview + " " + shortTime(body.due_at);
          preview.dataset.dueAt = body.due_at;
        })
        .catch(function () {
          if (ticket !== asked) { return; }
          preview.textContent = config.labelFailed;
        });
    }

    amount.addEventListener("input", update);
    amount.addEventListener("change", update);
    unit.addEventListener("change", update);
    update();
  }

  drawMap();
  Array.prototype.forEach.call(document.querySelectorAll("form[data-extension-form]"), extensionPreview);
})();
