/* Patrol on the phone: while a patrol is walking and this page is open, sample the position
 * every 30 seconds and send it; with no signal the positions wait in localStorage and go with
 * the next send (the server stores each position once, by its time). The finding form gets the
 * last position. On a patrol's record page, draw its track over the grid's boundary. */
(function () {
  "use strict";
  var SAMPLE_MS = 30000;

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) { return decodeURIComponent(m[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  var panel = document.getElementById("walking");
  if (panel && navigator.geolocation) {
    var key = "patrol-queue-" + panel.dataset.patrol;
    var statusEl = panel.querySelector("[data-gps-status]");
    var last = null;
    var sending = false;

    var queue = function () { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } };
    var save = function (items) { try { localStorage.setItem(key, JSON.stringify(items)); } catch (e) { /* full: keep going */ } };

    var flush = function () {
      var items = queue();
      if (!items.length || sending) { return; }
      sending = true;
      fetch(panel.dataset.trackUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ points: items })
      }).then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      }).then(function (data) {
        var sent = {};
        items.forEach(function (p) { sent[p.at] = true; });
        save(queue().filter(function (p) { return !sent[p.at]; }));
        panel.querySelector("[data-points]").textContent = data.points;
        panel.querySelector("[data-distance]").textContent = Math.round(data.distance_m);
        statusEl.textContent = panel.dataset.msgSent;
      }).catch(function () {
        statusEl.textContent = panel.dataset.msgQueued;
      }).then(function () { sending = false; });
    };

    var sample = function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        last = { lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: Math.round(pos.coords.accuracy || 0), at: Date.now() };
        var items = queue();
        items.push(last);
        save(items.slice(-2000));
        var form = document.querySelector("[data-finding-form]");
        if (form) {
          form.querySelector("input[name=lat]").value = last.lat;
          form.querySelector("input[name=lng]").value = last.lng;
        }
        flush();
      }, function () {
        statusEl.textContent = panel.dataset.msgNogps;
        flush();
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 });
    };

    sample();
    window.setInterval(sample, SAMPLE_MS);
    window.addEventListener("online", flush);
    var finish = document.querySelector("[data-finish-form]");
    if (finish) { finish.addEventListener("submit", function () { flush(); }); }
  }

  // A finished patrol's page: its track over the grid.
  var mapEl = document.getElementById("patrol-map");
  if (mapEl && window.L) {
    var track = JSON.parse(document.getElementById("patrol-track").textContent);
    var boundary = JSON.parse(document.getElementById("patrol-boundary").textContent);
    var map = L.map(mapEl, { preferCanvas: true, attributionControl: false });
    var area = L.geoJSON(boundary, { style: { color: "#2b8a3e", weight: 2, fillOpacity: 0.06 } }).addTo(map);
    if (track.length) {
      var line = L.polyline(track, { color: "#b4232a", weight: 3 }).addTo(map);
      L.circleMarker(track[0], { radius: 6, color: "#2b8a3e", fillOpacity: 1 }).addTo(map);
      map.fitBounds(line.getBounds().extend(area.getBounds()), { padding: [10, 10] });
    } else {
      map.fitBounds(area.getBounds());
    }
  }
})();
