/* Maps of the public report form and of the moderation page, drawn from GeoJSON outlines
   (no tile layer unless a tile URL is configured: no tile server is reachable offline).
   Report form: a click inside the grids puts the pin and fills the hidden lat/lng fields;
   the questions of the chosen service are shown, the others hidden; the contact fields are
   hidden for an anonymous report. Moderation: one numbered pin per report on the page.
   Without JavaScript the form still works with an address. */
(function () {
  "use strict";

  function baseMap(element, config) {
    var map = L.map(element, { attributionControl: Boolean(config.tileUrl) });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
    }
    return map;
  }

  function outlineStyle() {
    return { color: "#1f6feb", weight: 1.2, fillColor: "#1f6feb", fillOpacity: 0.08 };
  }

  function reportForm() {
    var element = document.getElementById("report-map");
    if (!element || !window.L) { return; }
    var config = document.getElementById("map-config").dataset;
    var map = baseMap(element, config);
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    var picked = document.getElementById("picked");
    var center = [parseFloat(config.centerLat), parseFloat(config.centerLng)];
    map.setView(center, parseInt(config.zoom, 10) || 13, { animate: false });
    var pin = null;

    function place(latlng) {
      if (pin) { pin.setLatLng(latlng); } else {
        pin = L.circleMarker(latlng, {
          radius: 9, color: "#fff", weight: 2, fillColor: "#d1242f", fillOpacity: 1,
          className: "report-location"
        }).addTo(map);
      }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      picked.textContent = picked.dataset.picked + " " + lat.value + ", " + lng.value;
      element.dataset.picked = "true";
    }

    map.on("click", function (event) { place(event.latlng); });
    fetch(config.outlinesUrl).then(function (response) { return response.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        style: outlineStyle,
        onEachFeature: function (feature, polygon) {
          polygon.bindTooltip(feature.properties.community + " · " + feature.properties.name, { sticky: true });
          polygon.on("click", function (event) { place(event.latlng); });
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { animate: false, padding: [8, 8] }); }
      if (lat.value && lng.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lng.value))); }
      element.dataset.ready = "true";
    });

    var service = document.getElementById("id_service");
    function showQuestions() {
      document.querySelectorAll(".service-questions").forEach(function (block) {
        block.hidden = block.dataset.service !== service.value;
      });
    }
    service.addEventListener("change", showQuestions);
    showQuestions();

    var anonymous = document.getElementById("id_anonymous");
    var contact = document.querySelector(".contact-fields");
    function showContact() { contact.hidden = anonymous.checked; }
    anonymous.addEventListener("change", showContact);
    showContact();
  }

  function moderation() {
    var element = document.getElementById("moderation-map");
    if (!element || !window.L) { return; }
    var config = document.getElementById("map-config").dataset;
    var map = baseMap(element, config);
    var grids = L.geoJSON(JSON.parse(document.getElementById("moderation-grids").textContent), {
      style: outlineStyle, interactive: false
    }).addTo(map);
    var bounds = grids.getBounds();
    JSON.parse(document.getElementById("moderation-points").textContent).forEach(function (point, index) {
      var icon = L.divIcon({ className: "", html: "<span class=\"report-pin\">" + (index + 1) + "</span>", iconSize: [22, 22] });
      var marker = L.marker([point.lat, point.lng], { icon: icon, title: point.reference }).addTo(map);
      marker.on("click", function () {
        var card = document.getElementById("report-" + point.id);
        document.querySelectorAll(".moderation-card.highlight").forEach(function (c) { c.classList.remove("highlight"); });
        card.classList.add("highlight");
        card.scrollIntoView({ block: "nearest" });
      });
      bounds = bounds.isValid() ? bounds.extend([point.lat, point.lng]) : L.latLngBounds([[point.lat, point.lng]]);
    });
    if (bounds.isValid()) { map.fitBounds(bounds, { animate: false, padding: [16, 16], maxZoom: 17 }); }
    element.dataset.ready = "true";
  }

  reportForm();
  moderation();
}());
