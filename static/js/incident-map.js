/* Incident maps (Leaflet, vendored; no base map unless a tile URL is configured):
 * - [data-incident-map]: markers of the incidents listed in the page ([data-incident-point]
 *   elements with data-lat, data-lng, data-clock, data-label, data-url), the grids drawn from
 *   the areas' GeoJSON when it loads;
 * - [data-pick-map]: the report form's "choose on the map": a tap sets lat/lng
 *   (location_source=map; coords as the tiles are, see MAP_TILE_COORDS).
 */
(function () {
  "use strict";
  if (!window.L) { return; }
  var tiles = {};
  try { tiles = JSON.parse(document.getElementById("map-tiles").textContent); } catch (e) {}
  var COLOURS = { overdue: "#c62828", warning: "#b86e00", normal: "#2b8a3e", paused: "#1d5fbf" };

  function baseMap(el, interactive) {
    var map = L.map(el, { zoomControl: true, attributionControl: !!tiles.url, tap: true });
    if (tiles.url) {
      var options = { maxZoom: tiles.max_zoom || 18, attribution: tiles.attribution || "" };
      if (tiles.subdomains) { options.subdomains = tiles.subdomains; }
      L.tileLayer(tiles.url, options).addTo(map);
      if (tiles.labels) { L.tileLayer(tiles.labels, options).addTo(map); }
    }
    var url = el.getAttribute("data-geojson-url");
    if (url && navigator.onLine) {
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "kind=grid", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var layer = L.geoJSON(data, {
            interactive: false,
            style: { color: "#2b8a3e", weight: 1.2, fillOpacity: 0.04 },
          }).addTo(map).bringToBack();
          // A picker with no point yet shows the whole town.
          if (el.hasAttribute("data-pick-map") && !el.getAttribute("data-has-point")) {
            map.fitBounds(layer.getBounds());
          }
        })
        .catch(function () {});
    }
    return map;
  }

  document.querySelectorAll("[data-incident-map]").forEach(function (el) {
    var points = [];
    document.querySelectorAll("[data-incident-point]").forEach(function (node) {
      var lat = parseFloat(node.getAttribute("data-lat"));
      var lng = parseFloat(node.getAttribute("data-lng"));
      if (!isNaN(lat) && !isNaN(lng)) { points.push({ node: node, lat: lat, lng: lng }); }
    });
    var shown = false;
    function show() {
      if (shown) { return; }
      shown = true;
      el.hidden = false;
      var map = baseMap(el);
      var bounds = [];
      points.forEach(function (p) {
        var colour = COLOURS[p.node.getAttribute("data-clock")] || "#5b6470";
        var marker = L.circleMarker([p.lat, p.lng], {
          radius: 9, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95,
        }).addTo(map);
        var link = document.createElement("a");
        link.href = p.node.getAttribute("data-url");
        link.textContent = p.node.getAttribute("data-label");
        marker.bindPopup(link);
        bounds.push([p.lat, p.lng]);
      });
      if (bounds.length) {
        map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
      } else {
        map.setView([27.6, 113.7], 12);
      }
    }
    var toggle = document.querySelector("[data-incident-map-toggle]");
    if (toggle) {
      toggle.addEventListener("click", function () {
        if (!shown) { show(); toggle.setAttribute("aria-expanded", "true"); return; }
        el.hidden = !el.hidden;
        toggle.setAttribute("aria-expanded", String(!el.hidden));
      });
    } else {
      show();
    }
  });

  document.querySelectorAll("[data-pick-map]").forEach(function (el) {
    var form = el.closest("form");
    var toggle = form && form.querySelector("[data-pick-map-toggle]");
    if (!form || !toggle) { return; }
    var map = null;
    var marker = null;
    toggle.addEventListener("click", function () {
      el.hidden = !el.hidden;
      toggle.setAttribute("aria-expanded", String(!el.hidden));
      if (el.hidden || map) { if (map) { map.invalidateSize(); } return; }
      map = baseMap(el);
      var lat = parseFloat(form.elements.lat.value);
      var lng = parseFloat(form.elements.lng.value);
      if (!isNaN(lat) && !isNaN(lng)) {
        el.setAttribute("data-has-point", "1");
        map.setView([lat, lng], 17);
        marker = L.marker([lat, lng]).addTo(map);
      } else {
        map.setView([parseFloat(el.getAttribute("data-lat") || "27.6"),
                     parseFloat(el.getAttribute("data-lng") || "113.7")], 13);
      }
      map.on("click", function (event) {
        var p = event.latlng;
        el.setAttribute("data-has-point", "1");
        if (marker) { marker.setLatLng(p); } else { marker = L.marker(p).addTo(map); }
        form.elements.lat.value = p.lat.toFixed(7);
        form.elements.lng.value = p.lng.toFixed(7);
        form.elements.location_source.value = "map";
        form.elements.coords.value = el.getAttribute("data-coords") || "wgs84";
        form.dispatchEvent(new CustomEvent("incident:located", { detail: { map: true } }));
      });
    });
  });
})();
