/* OneWindow service worker (served at /outbox-sw.js, scope "/"): pages that hold an outbox
 * form open without signal, and the outbox is sent from here when no page is open.
 * Pages ask it to remember their URL and assets ({type: "remember"}); navigations go to the
 * network first and fall back to the remembered copy; POSTs are never touched. */
importScripts("{{ core_url }}");

var CACHE = "onewindow-offline-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("onewindow-offline-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "remember" && Array.isArray(data.urls)) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return Promise.all(data.urls.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) { return cache.put(url, response); }
        }).catch(function () {});
      }));
    }));
  }
});

function sameOrigin(url) { return new URL(url).origin === self.location.origin; }

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url)) { return; }
  var path = new URL(request.url).pathname;
  if (request.mode !== "navigate" && path.indexOf("/static/") !== 0) { return; }
  event.respondWith(
    fetch(request).then(function (response) {
      var copy = response.clone();
      // Keep a remembered copy fresh; forget it when the session is gone (a log-in redirect).
      caches.open(CACHE).then(function (cache) {
        return cache.match(request).then(function (hit) {
          if (!hit) { return; }
          if (response.ok && !response.redirected && response.type === "basic") {
            return cache.put(request, copy);
          }
          if (response.redirected) { return cache.delete(request); }
        });
      });
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || Response.error(); });
    })
  );
});

function sendOutbox() {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    if (windows.length) {
      // An open page sends (it knows the signal and the person); tell it to.
      windows.forEach(function (client) { client.postMessage({ type: "flush" }); });
      return;
    }
    return self.OutboxCore.flush();
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "onewindow-outbox") { event.waitUntil(sendOutbox()); }
});
