/* The hall: clock, full screen, ticket printing and reading calls aloud on the hall screen.
 * Calls are read with the browser's speechSynthesis (a zh-CN voice when there is one).
 * Browsers only allow speech after a user gesture, so the screen shows a button that the
 * person setting up the TV presses once. window.hallSpoken keeps what was announced. */
(function () {
  "use strict";

  window.hallSpoken = [];
  var seen = Object.create(null);
  var speechOn = false;
  var voice = null;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function pickVoice(lang) {
    if (!("speechSynthesis" in window)) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    var wanted = lang.toLowerCase();
    var prefix = wanted.split("-")[0];
    return voices.filter(function (v) { return v.lang && v.lang.toLowerCase().replace("_", "-") === wanted; })[0]
      || voices.filter(function (v) { return v.lang && v.lang.toLowerCase().indexOf(prefix) === 0; })[0]
      || null;
  }

  function speak(text, lang) {
    window.hallSpoken.push(text);
    if (!speechOn || !("speechSynthesis" in window)) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.rate = 0.9;
    voice = voice || pickVoice(lang);
    if (voice) utterance.voice = voice;
    // Read each call twice, as hall announcers do.
    window.speechSynthesis.speak(utterance);
    var again = new SpeechSynthesisUtterance(text);
    again.lang = utterance.lang; again.rate = utterance.rate; if (voice) again.voice = voice;
    window.speechSynthesis.speak(again);
  }

  function announceNew(screen, initial) {
    var lang = screen.getAttribute("data-speech-lang") || "zh-CN";
    var rows = $all("[data-call-key]", screen).reverse(); // oldest first
    var fresh = false;
    rows.forEach(function (row) {
      var key = row.getAttribute("data-call-key");
      if (seen[key]) return;
      seen[key] = true;
      if (initial) return;
      fresh = true;
      speak(row.getAttribute("data-speech") || row.getAttribute("data-text"), lang);
    });
    if (fresh) {
      var latest = $(".screen-latest", screen);
      if (latest) { latest.classList.remove("flash"); void latest.offsetWidth; latest.classList.add("flash"); }
    }
  }

  function setupScreen() {
    var screen = $("#hall-screen");
    if (!screen) return;
    announceNew(screen, true);
    var toggle = $("#speech-toggle");
    if (toggle) {
      if (!("speechSynthesis" in window)) {
        toggle.textContent = toggle.getAttribute("data-label-missing");
        toggle.disabled = true;
      }
      toggle.addEventListener("click", function () {
        speechOn = !speechOn;
        toggle.setAttribute("aria-pressed", speechOn ? "true" : "false");
        toggle.textContent = toggle.getAttribute(speechOn ? "data-label-on" : "data-label-off");
        if (speechOn && "speechSynthesis" in window) {
          // Unlock speech inside the user gesture.
          window.speechSynthesis.cancel();
          window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
        }
      });
    }
    if ("speechSynthesis" in window && "onvoiceschanged" in window.speechSynthesis) {
      window.speechSynthesis.onvoiceschanged = function () { voice = null; };
    }
    var offline = $("#screen-offline");
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (offline) offline.hidden = true;
      if (event.target && event.target.id === "screen-state") announceNew(screen, false);
    });
    ["htmx:sendError", "htmx:responseError"].forEach(function (name) {
      document.body.addEventListener(name, function () { if (offline) offline.hidden = false; });
    });
    var clock = $("#screen-clock");
    if (clock) {
      var tick = function () {
        var now = new Date();
        var pad = function (n) { return (n < 10 ? "0" : "") + n; };
        clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
      };
      tick();
      setInterval(tick, 1000);
    }
  }

  function setupCommon() {
    $all("[data-fullscreen]").forEach(function (button) {
      button.addEventListener("click", function () {
        var el = document.documentElement;
        if (document.fullscreenElement) document.exitFullscreen();
        else if (el.requestFullscreen) el.requestFullscreen();
      });
    });
    $all("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    var slip = $("#slip[data-auto-print]");
    if (slip) {
      // A kiosk device prints the slip at once (run Chromium with --kiosk-printing for silent
      // printing) and returns to the category buttons.
      window.setTimeout(function () { window.print(); }, 300);
      window.setTimeout(function () { window.location.href = slip.getAttribute("data-back"); }, 15000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCommon();
    setupScreen();
  });
})();

/* The unattended kiosk: keep the waiting counts fresh (reload when nobody has touched it for
   a while), and keep the check-in box focused so that a QR scanner, which types the code and
   Enter, checks in without anyone touching the screen. */
(function () {
  "use strict";
  var kiosk = document.querySelector("[data-kiosk-refresh]");
  if (!kiosk) return;
  var seconds = Number(kiosk.getAttribute("data-kiosk-refresh")) || 30;
  var last = Date.now();
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () { last = Date.now(); }, true);
  });
  setInterval(function () {
    if (Date.now() - last >= seconds * 1000) window.location.reload();
  }, 5000);
  var scanner = kiosk.querySelector("input[data-scanner]");
  if (scanner) {
    scanner.focus({ preventScroll: true });
    document.addEventListener("click", function (event) {
      if (!event.target.closest("input, button, a, label")) scanner.focus({ preventScroll: true });
    });
  }
})();
