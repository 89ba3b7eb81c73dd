/* The officer's phone and call-outs (出动).
 * 1. On every officer page: poll my open call-outs; while one waits for a response, ring (a loud
 *    two-tone alarm through Web Audio, vibration, a flashing banner linking to it). Browsers only
 *    let a page make sound after a tap: the banner offers "点此开启响铃" until one happens.
 * 2. On a call-out's page: one big button for the next step (respond, accept, set out, on
 *    site); each is stamped by the server. "On site" sends the phone's position (required);
 *    the other steps send it when it comes quickly. While the squad is on its way, the position
 *    goes to the centre every 30 s (its map). */
(function () {
  "use strict";

  function csrf() {
    var page = document.querySelector("[data-callout-page]");
    if (page && page.dataset.csrf) { return page.dataset.csrf; }
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // --- the alarm ------------------------------------------------------------------------
  var alarm = document.querySelector("[data-callout-alarm]");
  var audio = null;
  var ringing = false;
  var beepTimer = null;

  function context() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return null; }
    if (!audio) { audio = new Ctx(); }
    return audio;
  }

  function beep() {
    var ctx = context();
    if (!ctx || ctx.state !== "running") { return; }
    [0, 0.25].forEach(function (offset, i) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = i ? 660 : 990;
      gain.gain.value = 0.9;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(ctx.currentTime + offset);
      osc.stop(ctx.currentTime + offset + 0.22);
    });
  }

  function soundButton() { return alarm && alarm.querySelector("[data-sound-on]"); }

  function startRinging(callout) {
    if (!alarm) { return; }
    alarm.hidden = false;
    alarm.classList.add("is-ringing");
    alarm.querySelector("[data-alarm-link]").href = callout.url;
    alarm.querySelector("[data-alarm-text]").textContent = " " + callout.squad_name + " · " + callout.description;
    document.body.dataset.alarm = "ringing";
    if (ringing) { return; }
    ringing = true;
    var ctx = context();
    if (ctx && ctx.state !== "running") {
      ctx.resume().catch(function () {});
      if (soundButton()) { soundButton().hidden = false; }
    }
    beep();
    beepTimer = window.setInterval(function () {
      beep();
      if (navigator.vibrate) { navigator.vibrate([400, 150, 400]); }
      if (audio && audio.state === "running" && soundButton()) { soundButton().hidden = true; }
    }, 900);
  }

  function stopRinging() {
    if (!alarm) { return; }
    alarm.hidden = true;
    alarm.classList.remove("is-ringing");
    document.body.dataset.alarm = "quiet";
    ringing = false;
    if (beepTimer) { window.clearInterval(beepTimer); beepTimer = null; }
  }

  if (alarm) {
    var sound = soundButton();
    if (sound) {
      sound.addEventListener("click", function () {
        var ctx = context();
        if (ctx) { ctx.resume().then(function () { sound.hidden = true; beep(); }).catch(function () {}); }
      });
    }
    document.addEventListener("click", function () {
      var ctx = context();
      if (ctx && ctx.state !== "running") { ctx.resume().catch(function () {}); }
    }, { once: true });
    var checkOpen = function () {
      fetch(alarm.dataset.openUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          var waiting = rows.filter(function (c) { return c.state === "called"; });
          if (waiting.length) { startRinging(waiting[0]); } else { stopRinging(); }
        })
        .catch(function () {})
        .then(function () { window.setTimeout(checkOpen, 4000); });
    };
    checkOpen();
  }

  // --- the call-out's page ---------------------------------------------------------------
  var page = document.querySelector("[data-callout-page]");
  if (!page) { return; }
  var message = page.querySelector("[data-message]");
  var api = page.dataset.api;
  var calledAt = Date.parse(page.dataset.calledAt);
  var elapsed = page.querySelector("[data-elapsed]");
  var PATHS = { respond: "respond/", accept: "accept/", set_out: "set-out/", on_site: "arrive/" };

  function tickElapsed() {
    var s = Math.max(0, Math.floor((Date.now() - calledAt) / 1000));
    elapsed.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  if (elapsed && !isNaN(calledAt) && ["finished", "cancelled", "on_site"].indexOf(page.dataset.state) < 0) {
    tickElapsed();
    window.setInterval(tickElapsed, 1000);
  }

  function say(text) { message.textContent = text; }

  function position(required, timeout) {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { return required ? reject(new Error("nogps")) : resolve(null); }
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy });
      }, function () {
        return required ? reject(new Error("nogps")) : resolve(null);
      }, { enableHighAccuracy: true, timeout: timeout, maximumAge: required ? 0 : 60000 });
    });
  }

  function post(path, body) {
    return fetch(api + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }

  // The watch that sends the squad's position on the way (below). A fresh fix asked for while a
  // watch runs can wait for ever (Chromium answers the watch and lets the one-off time out):
  // the watch is stopped before "on site" asks for the position it is checked with.
  var watchId = null;

  var button = page.querySelector("[data-step-button]");
  if (button) {
    button.addEventListener("click", function () {
      var step = button.dataset.stepButton;
      var required = step === "on_site";
      button.disabled = true;
      if (required && watchId !== null) {
        navigator.geolocation.clearWatch(watchId);
        watchId = null;
      }
      if (required) { say(page.dataset.msgLocating); }
      position(required, required ? 20000 : 2500).then(function (where) {
        return post(PATHS[step], where || {});
      }, function () {
        say(page.dataset.msgNogps);
        button.disabled = false;
        return null;
      }).then(function (res) {
        if (!res) { return; }
        if (res.status === 200) { window.location.reload(); return; }
        say(page.dataset.msgFailed + (res.data.message || res.status));
        if (res.status === 409) { window.setTimeout(function () { window.location.reload(); }, 2500); }
        button.disabled = false;
      }).catch(function () {
        say(page.dataset.msgOffline);
        button.disabled = false;
      });
    });
  }

  var finish = page.querySelector("[data-finish]");
  if (finish) {
    finish.addEventListener("submit", function (event) {
      event.preventDefault();
      post("finish/", { note: finish.querySelector("textarea").value }).then(function (res) {
        if (res.status === 200) { window.location.reload(); return; }
        say(page.dataset.msgFailed + (res.data.message || res.status));
      }).catch(function () { say(page.dataset.msgOffline); });
    });
  }

  // On the way (and on site): the position for the centre's map, every 30 s at most.
  if ((page.dataset.state === "set_out" || page.dataset.state === "on_site") && navigator.geolocation) {
    var last = 0;
    watchId = navigator.geolocation.watchPosition(function (p) {
      if (Date.now() - last < 30000) { return; }
      last = Date.now();
      post("position/", { lat: p.coords.latitude, lng: p.coords.longitude }).catch(function () {});
    }, function () {}, { enableHighAccuracy: true, maximumAge: 30000 });
  }
})();
