/* The grid map: the town's areas from /api/v1/areas/ drawn with Leaflet (no base map unless a
 * tile URL is configured), tap an area for its card. Built for one thumb on a phone: the level
 * switch, "my position" and "my grids" sit at the bottom, the card slides up from the bottom. */
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || !window.L) { return; }

  var tiles = JSON.parse(document.getElementById("map-tiles").textContent);
  var mine = JSON.parse(document.getElementById("map-mine").textContent);
  var statusEl = document.querySelector("[data-map-status]");
  var card = document.getElementById("area-card");
  var cardBody = card.querySelector("[data-card-body]");
  var STYLE = {
    village: { color: "#1c5fb8", weight: 2.5, fillColor: "#1c5fb8", fillOpacity: 0.04 },
    community: { color: "#6741d9", weight: 2.5, fillColor: "#6741d9", fillOpacity: 0.04 },
    grid: { color: "#2b8a3e", weight: 1.6, fillColor: "#2b8a3e", fillOpacity: 0.07 },
    micro_grid: { color: "#868e96", weight: 0.8, dashArray: "3 3", fillOpacity: 0.0, fillColor: "#868e96" },
    special_grid: { color: "#e8590c", weight: 2, fillColor: "#e8590c", fillOpacity: 0.18 }
  };
  var LABEL_ZOOM = { village: 0, community: 0, grid: 14, micro_grid: 16, special_grid: 15 };
  var level = "grid";
  var byCode = {};
  var groups = {};
  var selected = null;

  function status(text) { statusEl.textContent = text || ""; }

  var map = L.map(el, { zoomControl: false, preferCanvas: true, attributionControl: !!tiles.url });
  L.control.zoom({ position: "bottomright" }).addTo(map);
  if (tiles.url) {
    var options = { maxZoom: tiles.max_zoom || 18, attribution: tiles.attribution || "" };
    if (tiles.subdomains) { options.subdomains = tiles.subdomains; }
    L.tileLayer(tiles.url, options).addTo(map);
    if (tiles.labels) { L.tileLayer(tiles.labels, options).addTo(map); }
  }
  map.setView([27.6, 113.7], 12);

  function kindOf(code) { var f = byCode[code]; return f && f.feature.properties.kind; }
  function levelOf(kind) { return kind === "community" ? "village" : kind; }

  function styleFor(kind, active) {
    var s = Object.assign({}, STYLE[kind]);
    if (active) { s.weight = (s.weight || 1) + 2.5; s.color = "#b4232a"; s.fillOpacity = 0.2; s.fillColor = "#b4232a"; }
    return s;
  }

  function setInteractive() {
    Object.keys(groups).forEach(function (kind) {
      var on = levelOf(kind) === level;
      groups[kind].eachLayer(function (layer) {
        layer.options.interactive = on;
        var path = layer.getElement && layer.getElement();
        if (path) { path.style.pointerEvents = on ? "auto" : "none"; }
      });
    });
    var micro = groups.micro_grid;
    if (micro) {
      var show = level === "micro_grid" || map.getZoom() >= 15;
      if (show && !map.hasLayer(micro)) { map.addLayer(micro); }
      if (!show && map.hasLayer(micro)) { map.removeLayer(micro); }
    }
    updateLabels();
  }

  function updateLabels() {
    var zoom = map.getZoom();
    Object.keys(byCode).forEach(function (code) {
      var item = byCode[code];
      var kind = item.feature.properties.kind;
      var want = zoom >= LABEL_ZOOM[kind] && (kind !== "micro_grid" || level === "micro_grid") && map.hasLayer(groups[kind]);
      if (want && !item.label) {
        var p = item.feature.properties.label;
        item.label = L.tooltip({ permanent: true, direction: "center", className: "area-label area-label-" + kind, interactive: false })
          .setLatLng([p[1], p[0]]).setContent(item.feature.properties.name);
        item.label.addTo(map);
      } else if (!want && item.label) {
        map.removeLayer(item.label);
        item.label = null;
      }
    });
  }

  function select(code, fit) {
    var item = byCode[code];
    if (!item) { status(el.dataset.msgNotfound); return; }
    if (selected && byCode[selected]) { byCode[selected].layer.setStyle(styleFor(kindOf(selected), false)); }
    selected = code;
    item.layer.setStyle(styleFor(item.feature.properties.kind, true));
    if (item.layer.bringToFront) { item.layer.bringToFront(); }
    if (fit) { map.fitBounds(item.layer.getBounds(), { padding: [30, 30], maxZoom: 17 }); }
    openCard(code);
  }

  function openCard(code) {
    card.hidden = false;
    card.classList.add("is-open");
    cardBody.setAttribute("aria-busy", "true");
    fetch(el.dataset.cardUrl.replace("CODE", encodeURIComponent(code)), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) { cardBody.innerHTML = html; cardBody.removeAttribute("aria-busy"); })
      .catch(function () { cardBody.textContent = el.dataset.msgFailed; });
  }

  function closeCard() {
    card.classList.remove("is-open");
    card.hidden = true;
    if (selected && byCode[selected]) { byCode[selected].layer.setStyle(styleFor(kindOf(selected), false)); }
    selected = null;
  }
  card.querySelector("[data-card-close]").addEventListener("click", closeCard);

  function setLevel(next) {
    level = next;
    document.querySelectorAll("[data-level]").forEach(function (b) {
      b.setAttribute("aria-checked", b.dataset.level === level ? "true" : "false");
    });
    setInteractive();
  }
  document.querySelectorAll("[data-level]").forEach(function (b) {
    b.addEventListener("click", function () { setLevel(b.dataset.level); });
  });
  map.on("zoomend", setInteractive);

  status(el.dataset.msgLoading);
  fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var order = ["village", "community", "grid", "micro_grid", "special_grid"];
      var all = L.featureGroup();
      var names = document.getElementById("map-area-names");
      order.forEach(function (kind) {
        groups[kind] = L.geoJSON(data.features.filter(function (f) { return f.properties.kind === kind; }), {
          style: function () { return styleFor(kind, false); },
          onEachFeature: function (feature, layer) {
            byCode[feature.properties.code] = { feature: feature, layer: layer, label: null };
            layer.on("click", function () { select(feature.properties.code, false); });
            var option = document.createElement("option");
            option.value = feature.properties.name;
            names.appendChild(option);
          }
        });
        if (kind !== "micro_grid") { groups[kind].addTo(map); }
        if (kind === "village" || kind === "community") { groups[kind].eachLayer(function (l) { all.addLayer(l); }); }
      });
      if (all.getLayers().length) { map.fitBounds(all.getBounds(), { padding: [10, 10] }); }
      setInteractive();
      status("");
      el.dataset.loaded = String(data.features.length);
      var focus = el.dataset.focus;
      if (focus && byCode[focus]) {
        var params = new URLSearchParams(window.location.search);
        if (params.get("area")) {
          setLevel(levelOf(kindOf(focus)));
          select(focus, true);
        } else {
          map.fitBounds(byCode[focus].layer.getBounds(), { padding: [40, 40], maxZoom: 15 });
        }
      }
    })
    .catch(function () { status(el.dataset.msgFailed); });

  var search = document.querySelector("[data-map-search]");
  search.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = search.querySelector("input").value.trim();
    if (!q) { return; }
    var hit = byCode[q] ? q : Object.keys(byCode).find(function (c) { return byCode[c].feature.properties.name === q; });
    if (!hit) { hit = Object.keys(byCode).find(function (c) { return byCode[c].feature.properties.name.indexOf(q) >= 0; }); }
    if (!hit) { status(el.dataset.msgNotfound); return; }
    status("");
    setLevel(levelOf(kindOf(hit)));
    select(hit, true);
  });

  var me = null;
  var locateButton = document.querySelector("[data-locate-me]");
  locateButton.addEventListener("click", function () {
    if (!navigator.geolocation) { status(el.dataset.msgNogps); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var lat = pos.coords.latitude, lng = pos.coords.longitude;
      if (me) { map.removeLayer(me); }
      me = L.circleMarker([lat, lng], { radius: 8, color: "#fff", weight: 3, fillColor: "#1c7ed6", fillOpacity: 1 }).addTo(map);
      map.setView([lat, lng], Math.max(map.getZoom(), 16));
      var url = el.dataset.locateUrl + "?lat=" + encodeURIComponent(lat) + "&lng=" + encodeURIComponent(lng);
      fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (r.status === 404) { status(el.dataset.msgOutside); return null; }
        return r.json();
      }).then(function (where) {
        if (!where) { return; }
        status("");
        var pick = (level === "micro_grid" && where.micro_grid) || (level === "village" && where.village) ||
          (level === "special_grid" && where.special_grids[0]) || where.grid || where.village;
        if (pick) { select(pick.code, false); }
      });
    }, function () { status(el.dataset.msgNogps); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });

  var myGrids = document.querySelector("[data-my-grids]");
  if (myGrids) {
    myGrids.addEventListener("click", function () {
      var group = L.featureGroup(mine.filter(function (c) { return byCode[c]; }).map(function (c) { return byCode[c].layer; }));
      if (group.getLayers().length) {
        map.fitBounds(group.getBounds(), { padding: [30, 30] });
        if (mine.length === 1) { setLevel(levelOf(kindOf(mine[0]))); select(mine[0], false); }
      }
    });
  }
})();
