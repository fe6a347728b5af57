/* The map of open tickets: the user's grids outlined, one dot per ticket coloured by its SLA
   colour (red drawn last, on top), a popup with the number, title and status linking to the
   ticket page. No tile layer unless a tile URL is configured: no tile server is reachable
   offline. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("incident-map-data").textContent);
  var config = document.getElementById("incident-map-config").dataset;
  var element = document.getElementById("incident-map");
  var map = L.map(element, { attributionControl: Boolean(config.tileUrl), preferCanvas: false });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
  }

  // Built with DOM nodes, not HTML strings: titles are typed by the public.
  function popup(ticket) {
    var box = document.createElement("div");
    box.className = "ticket-popup";
    var link = document.createElement("a");
    link.href = ticket.url;
    link.textContent = ticket.number;
    link.title = config.labelOpen;
    var title = document.createElement("div");
    title.textContent = ticket.title;
    var status = document.createElement("small");
    status.textContent = ticket.status;
    box.appendChild(link);
    box.appendChild(title);
    box.appendChild(status);
    return box;
  }

  var layers = [];
  var bounds = L.latLngBounds([]);
  var grids = L.geoJSON(data.grids, {
    interactive: false,
    style: function () {
      return { color: "#57606a", weight: 1.5, fillOpacity: 0.05, className: "incident-grid" };
    }
  });
  layers.push(grids);
  if (grids.getLayers().length) { bounds.extend(grids.getBounds()); }

  // The most urgent come first in the data: add them last so that they lie on top.
  data.tickets.slice().reverse().forEach(function (ticket) {
    var colour = data.colours[ticket.colour] || "#57606a";
    layers.push(L.circleMarker([ticket.lat, ticket.lng], {
      radius: 7, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.95,
      className: "ticket-marker sla-" + ticket.colour
    }).bindPopup(popup(ticket)));
    bounds.extend([ticket.lat, ticket.lng]);
  });

  if (bounds.isValid()) {
    map.fitBounds(bounds, { animate: false, padding: [16, 16], maxZoom: 18 });
  } else {
    map.setView([parseFloat(config.centerLat), parseFloat(config.centerLng)],
      parseInt(config.zoom, 10) || 13, { animate: false });
  }
  layers.forEach(function (layer) { layer.addTo(map); });
  element.dataset.ready = "true";
})();
