/* The command centre's live board: the panels are polled every few seconds with If-None-Match
 * (304 while nothing changed, the new panels otherwise) and swapped in place; a network blip is
 * survived (the last panels stay, "网络中断 · 最近更新 hh:mm:ss" is shown, polling goes on with a
 * growing pause). New reports flash when they appear. 督办 posts to /api/v1/centre/press/. */
(function () {
  "use strict";
  var panels = document.getElementById("centre-panels");
  if (!panels) { return; }
  var live = document.querySelector("[data-live]");
  var liveText = live && live.querySelector("[data-live-text]");
  var liveTime = live && live.querySelector("[data-live-time]");
  var url = panels.dataset.panelsUrl;
  var etag = panels.dataset.etag || "";
  var base = Math.max(1, parseInt(panels.dataset.poll || "3", 10)) * 1000;
  var delay = base;
  var failures = 0;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmmss(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }

  var serverTime = "";

  function ok() {
    failures = 0;
    delay = base;
    if (!live) { return; }
    live.classList.remove("is-stale");
    liveText.textContent = live.dataset.msgOk;
    // the server's local time (the centre's clock), else this browser's
    liveTime.textContent = serverTime || hhmmss(new Date());
    panels.dataset.updated = String(Date.now());
  }

  function stale() {
    failures += 1;
    delay = Math.min(base * Math.pow(2, Math.min(failures, 4)), 30000);
    if (!live) { return; }
    live.classList.add("is-stale");
    liveText.textContent = live.dataset.msgStale;
  }

  function numbers() {
    var found = {};
    panels.querySelectorAll("[data-new-reports] [data-number]").forEach(function (li) { found[li.dataset.number] = true; });
    return found;
  }

  function swap(html) {
    var before = numbers();
    var first = !Object.keys(before).length && !panels.querySelector("[data-new-reports]");
    panels.innerHTML = html;
    if (first) { return; }
    panels.querySelectorAll("[data-new-reports] [data-number]").forEach(function (li) {
      if (!before[li.dataset.number]) {
        li.classList.add("is-new");
        window.setTimeout(function () { li.classList.remove("is-new"); }, 15000);
      }
    });
  }

  function tick() {
    fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "If-None-Match": etag, "X-Requested-With": "fetch" }
    }).then(function (r) {
      if (r.status !== 304 && !r.ok) { throw new Error(String(r.status)); }
      serverTime = r.headers.get("X-Board-Time") || "";
      if (r.status === 304) { return null; }
      etag = r.headers.get("ETag") || etag;
      return r.text();
    }).then(function (html) {
      if (html !== null) { swap(html); }
      ok();
    }).catch(stale).then(function () {
      window.setTimeout(tick, delay);
    });
  }
  window.setTimeout(tick, delay);

  // The wall's clock.
  var wallClock = document.querySelector("[data-wall-clock]");
  if (wallClock) {
    window.setInterval(function () {
      var d = new Date();
      wallClock.textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + hhmmss(d);
    }, 1000);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  // 督办 from the one clock: a small dialog (outside the panels, so a refresh never eats it).
  var dialog = document.getElementById("press-dialog");
  var status = document.querySelector("[data-press-status]");
  var pending = null;
  panels.addEventListener("click", function (event) {
    var button = event.target.closest("[data-press]");
    if (!button || !dialog) { return; }
    pending = { kind: button.dataset.kind, number: button.dataset.number };
    dialog.querySelector("[data-press-what]").textContent = button.dataset.number;
    dialog.querySelector("textarea").value = "";
    dialog.showModal();
  });
  if (dialog) {
    dialog.querySelector("[data-press-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending) { return; }
      var body = { kind: pending.kind, number: pending.number, note: dialog.querySelector("textarea").value };
      dialog.close();
      fetch(panels.dataset.pressUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": panels.dataset.csrf, Accept: "application/json" },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      }).then(function (res) {
        status.textContent = res.ok ? panels.dataset.msgPressed + " " + res.data.number
          : panels.dataset.msgPressFailed + (res.data.message || "");
        status.className = "c-press-status " + (res.ok ? "is-ok" : "is-error");
      }).catch(function () {
        status.textContent = panels.dataset.msgPressFailed;
        status.className = "c-press-status is-error";
      });
    });
  }
})();
