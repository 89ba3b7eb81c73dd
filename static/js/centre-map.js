/* The command centre's map: the town's villages and grids from /api/v1/areas/ (no base map
 * unless a tile URL is configured), grids coloured by their open and late incidents, a pin per
 * open incident by urgency (clustered when many: leaflet.markercluster), the squads' last known
 * positions during call-outs and the places they were called to. The layers come from
 * /api/v1/centre/map/, polled with If-None-Match like the board. A click opens the item. */
(function () {
  "use strict";
  var el = document.getElementById("centre-map");
  if (!el || !window.L) { return; }
  var tiles = JSON.parse(document.getElementById("map-tiles").textContent);
  var labels = JSON.parse(document.getElementById("centre-map-labels").textContent);
  var statusEl = document.querySelector("[data-map-status]");
  var poll = Math.max(2, parseInt(el.dataset.poll || "3", 10)) * 1000;
  var etag = "";
  var grids = {};
  var gridLayers = {};
  var URGENCY_COLOUR = { urgent: "#d6336c", complex: "#e8590c", ordinary: "#1c7ed6" };
  var big = document.body.classList.contains("centre-screen");

  function status(text) { if (statusEl) { statusEl.textContent = text || ""; } }
  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  // maxZoom on the map itself: the clusters need it, and without a base map no tile layer sets it.
  var map = L.map(el, { preferCanvas: true, attributionControl: !!tiles.url, zoomSnap: 0.25, maxZoom: tiles.max_zoom || 18 });
  if (tiles.url) {
    var options = { maxZoom: tiles.max_zoom || 18, attribution: tiles.attribution || "" };
    if (tiles.subdomains) { options.subdomains = tiles.subdomains; }
    L.tileLayer(tiles.url, options).addTo(map);
    if (tiles.labels) { L.tileLayer(tiles.labels, options).addTo(map); }
  }
  map.setView([27.6, 113.7], 12);

  var clusters = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    maxClusterRadius: big ? 60 : 45,
    disableClusteringAtZoom: 17
  });
  var gridClusters = L.layerGroup();
  var squads = L.layerGroup();
  var places = L.layerGroup();
  map.addLayer(clusters);
  map.addLayer(gridClusters);
  map.addLayer(places);
  map.addLayer(squads);

  function gridStyle(code) {
    var g = grids[code];
    if (g && g.late) { return { color: "#c92a2a", weight: 1.5, fillColor: "#fa5252", fillOpacity: 0.35 }; }
    if (g && g.warning) { return { color: "#e67700", weight: 1.2, fillColor: "#fcc419", fillOpacity: 0.3 }; }
    if (g && g.open) { return { color: "#2b8a3e", weight: 1, fillColor: "#69db7c", fillOpacity: 0.18 }; }
    return { color: "#2b8a3e", weight: 0.8, fillColor: "#2b8a3e", fillOpacity: 0.03 };
  }

  function gridPopup(feature) {
    var code = feature.properties.code;
    var g = grids[code] || { open: 0, late: 0, warning: 0 };
    var link = g.id ? '<br><a href="' + el.dataset.gridUrl.replace("ID", encodeURIComponent(g.id)) + '">' + esc(labels.open) + " " + g.open + "</a>" : "";
    return "<strong>" + esc(feature.properties.name) + "</strong><br>" + esc(labels.late) + " " + g.late +
      " · " + esc(labels.warning) + " " + g.warning + link;
  }

  function restyle() {
    Object.keys(gridLayers).forEach(function (code) { gridLayers[code].setStyle(gridStyle(code)); });
  }

  fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var villages = L.geoJSON(data.features.filter(function (f) { return f.properties.kind !== "grid"; }), {
        style: function () { return { color: "#1c5fb8", weight: 2.2, fill: false }; },
        interactive: false
      }).addTo(map);
      L.geoJSON(data.features.filter(function (f) { return f.properties.kind === "grid"; }), {
        style: function (f) { return gridStyle(f.properties.code); },
        onEachFeature: function (feature, layer) {
          gridLayers[feature.properties.code] = layer;
          layer.bindPopup(function () { return gridPopup(feature); });
        }
      }).addTo(map);
      if (villages.getLayers().length) { map.fitBounds(villages.getBounds(), { padding: [8, 8] }); }
      villages.bringToBack();
      el.dataset.areas = String(data.features.length);
    })
    .catch(function () { status(el.dataset.msgFailed); });

  function pin(p) {
    var number = p[0], urgency = p[3], clock = p[4];
    var marker = L.circleMarker([p[1], p[2]], {
      radius: urgency === "urgent" ? (big ? 10 : 8) : (big ? 7 : 6),
      color: clock === "overdue" ? "#000" : "#fff",
      weight: clock === "overdue" ? 2.5 : 1.5,
      fillColor: URGENCY_COLOUR[urgency] || "#868e96",
      fillOpacity: 0.9
    });
    marker.bindPopup('<a href="' + el.dataset.incidentUrl.replace("NUMBER", encodeURIComponent(number)) + '"><strong>' +
      esc(number) + "</strong></a><br>" + esc(labels.urgency[urgency] || urgency) + " · " + esc(labels.clock[clock] || clock));
    return marker;
  }

  // Many open incidents: the server gathers those not urgent (all, when the urgent ones alone
  // are too many) per grid [code, lat, lng, count, overdue, warning, urgent]; one marker each,
  // its count on it, a click lists the grid's incidents.
  function gridCluster(c) {
    var code = c[0], count = c[3], late = c[4], warning = c[5], urgent = c[6] || 0;
    var tone = late ? "late" : (warning ? "warning" : "open");
    var icon = L.divIcon({ className: "c-grid-cluster c-grid-cluster-" + tone, html: String(count), iconSize: null });
    var g = grids[code];
    var link = g && g.id ? '<br><a href="' + el.dataset.gridUrl.replace("ID", encodeURIComponent(g.id)) + '">' + esc(labels.open) + " " + g.open + "</a>" : "";
    return L.marker([c[1], c[2]], { icon: icon })
      .bindPopup("<strong>" + esc(code) + "</strong><br>" + esc(labels.open) + " " + count + " · " +
        esc(labels.late) + " " + late + " · " + esc(labels.warning) + " " + warning +
        (urgent ? " · " + esc(labels.urgency.urgent || "urgent") + " " + urgent : "") + link);
  }

  function draw(layer) {
    grids = {};
    layer.grids.forEach(function (g) { grids[g.code] = g; });
    restyle();
    clusters.clearLayers();
    clusters.addLayers(layer.pins.map(pin));
    gridClusters.clearLayers();
    (layer.clusters || []).forEach(function (c) { gridCluster(c).addTo(gridClusters); });
    squads.clearLayers();
    layer.squads.forEach(function (s) {
      var icon = L.divIcon({ className: "c-squad-icon", html: "▲ " + esc(s.squad_name), iconSize: null });
      L.marker([s.lat, s.lng], { icon: icon, zIndexOffset: 1000 })
        .bindPopup('<a href="' + el.dataset.calloutUrl.replace("NUMBER", encodeURIComponent(s.number)) + '"><strong>' +
          esc(s.squad_name) + "</strong></a><br>" + esc(s.state_label) + " · " + esc(labels.squad))
        .addTo(squads);
    });
    places.clearLayers();
    layer.callouts.forEach(function (c) {
      L.circleMarker([c.lat, c.lng], { radius: big ? 14 : 11, color: "#c92a2a", weight: 3, dashArray: "4 3", fill: false })
        .bindPopup('<a href="' + el.dataset.calloutUrl.replace("NUMBER", encodeURIComponent(c.number)) + '"><strong>' +
          esc(labels.callout) + " " + esc(c.number) + "</strong></a><br>" + esc(c.squad_name) + " · " + esc(c.state_label))
        .addTo(places);
    });
    el.dataset.pins = String(layer.pins.length);
    el.dataset.clusters = String((layer.clusters || []).length);
    el.dataset.squads = String(layer.squads.length);
  }

  function tick() {
    fetch(el.dataset.layerUrl, {
      credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json", "If-None-Match": etag }
    }).then(function (r) {
      if (r.status === 304) { return null; }
      if (!r.ok) { throw new Error(r.status); }
      etag = r.headers.get("ETag") || "";
      return r.json();
    }).then(function (layer) {
      if (layer) { draw(layer); }
      status("");
    }).catch(function () {
      status(el.dataset.msgFailed);
    }).then(function () { window.setTimeout(tick, poll); });
  }
  tick();
})();
