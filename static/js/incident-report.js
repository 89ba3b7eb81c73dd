/* The incident report page: the phone's location (WGS-84 from the browser), the area it
 * falls in, and "is it one of these?" — open incidents of the same category nearby, which
 * the reporter can join instead of reporting again. Sending goes through outbox.js. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-duplicates-url]");
  if (!form) { return; }
  var texts = {};
  try { texts = JSON.parse(document.getElementById("duplicate-texts").textContent); } catch (e) {}
  function t(key) { return texts[key] || key; }

  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var source = form.querySelector("input[name=location_source]");
  var category = form.querySelector("select[name=category]");
  var status = form.querySelector("[data-locate-status]");
  var button = form.querySelector("[data-locate-button]");
  var panel = form.querySelector("[data-duplicates]");
  var list = form.querySelector("[data-duplicates-list]");
  var lastQuery = "";
  var here = null;  // the last position, kept for the next report made on the same spot

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function say(text, cls) {
    status.textContent = text;
    status.className = "locate-status" + (cls ? " " + cls : "");
  }

  function located(latitude, longitude, accuracy) {
    lat.value = latitude.toFixed(7);
    lng.value = longitude.toFixed(7);
    here = { lat: lat.value, lng: lng.value, text: t("located").replace("%s", Math.round(accuracy || 0)) };
    if (source) { source.value = "gps"; }
    say(t("located").replace("%s", Math.round(accuracy || 0)), "ok");
    describe();
    suggest();
  }

  function locate() {
    if (!navigator.geolocation) { say(t("no_gps"), "bad"); return; }
    say(t("locating"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      located(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy);
    }, function () {
      say(t("locate_failed"), "bad");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function describe() {
    var url = form.getAttribute("data-locate-url");
    if (!url || !navigator.onLine || !lat.value) { return; }
    fetch(url + "?lat=" + lat.value + "&lng=" + lng.value, { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 404) { say(t("outside"), "bad"); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (where) {
        if (!where) { return; }
        var parts = [where.village && where.village.name, where.grid && where.grid.name].filter(Boolean);
        if (parts.length) { say(t("in_area").replace("%s", parts.join(" · ")), "ok"); }
      })
      .catch(function () {});
  }

  function suggest() {
    if (!panel || !navigator.onLine || !category.value || !lat.value) {
      if (panel) { panel.hidden = true; }
      return;
    }
    var query = "?category=" + encodeURIComponent(category.value) + "&lat=" + lat.value + "&lng=" + lng.value;
    if (query === lastQuery) { return; }
    lastQuery = query;
    fetch(form.getAttribute("data-duplicates-url") + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) { show(found || []); })
      .catch(function () { panel.hidden = true; });
  }

  function show(found) {
    list.textContent = "";
    panel.hidden = found.length === 0;
    found.forEach(function (c) {
      var item = document.createElement("li");
      item.setAttribute("data-duplicate", c.number);
      var head = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = t("distance").replace("%s", c.distance_m);
      head.appendChild(strong);
      head.appendChild(document.createTextNode(" · " + c.state_label + " · " + c.number));
      item.appendChild(head);
      var desc = document.createElement("p");
      desc.textContent = c.description + (c.address ? "（" + c.address + "）" : "");
      item.appendChild(desc);
      var join = document.createElement("button");
      join.type = "button";
      join.className = "button button-small";
      join.textContent = t("join");
      join.setAttribute("data-join", c.number);
      item.appendChild(join);
      list.appendChild(item);
    });
  }

  function join(number, buttonNode) {
    buttonNode.disabled = true;
    var uuid = form.querySelector("input[name=client_uuid]");
    var body = new FormData();
    if (uuid && uuid.value) { body.append("client_uuid", uuid.value); }
    fetch(form.getAttribute("data-join-url").replace("NUMBER", number), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return [r, data]; });
    }).then(function (pair) {
      var response = pair[0], data = pair[1];
      if (response.ok) {
        var done = document.createElement("p");
        done.className = "message message-success";
        done.setAttribute("role", "status");
        done.textContent = t("joined").replace("%s", number);
        panel.replaceChildren(done);
        form.reset();
        form.dispatchEvent(new CustomEvent("outbox:queued"));
        if (uuid && window.OutboxCore) {
          uuid.value = window.OutboxCore.uuid();
          uuid.setAttribute("value", uuid.value);
        }
      } else {
        buttonNode.disabled = false;
        window.alert(data.message || t("join_failed"));
      }
    }).catch(function () {
      buttonNode.disabled = false;
      window.alert(t("join_failed"));
    });
  }

  if (button) { button.addEventListener("click", locate); }
  form.addEventListener("incident:located", function () {
    here = { lat: lat.value, lng: lng.value, text: t("picked") };
    say(t("picked"), "ok");
    describe();
    suggest();
  });
  if (category) { category.addEventListener("change", suggest); }
  if (list) {
    list.addEventListener("click", function (event) {
      var node = event.target.closest("[data-join]");
      if (node) { join(node.getAttribute("data-join"), node); }
    });
  }
  form.addEventListener("outbox:queued", function () {
    lastQuery = "";
    if (panel && !panel.querySelector(".message")) { panel.hidden = true; }
    if (here) {
      lat.value = here.lat;
      lng.value = here.lng;
      say(here.text, "ok");
    } else {
      say(t("not_located"));
    }
  });
  // Locate at once when the phone already allows it; otherwise on the button.
  if (lat.value) {
    suggest();
  } else if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (p) {
      if (p.state === "granted") { locate(); }
    }).catch(function () {});
  }
  window.addEventListener("online", suggest);
})();
