/* OneWindow offline outbox — the part shared by pages (outbox.js) and the service worker.
 *
 * An entry is one form waiting to be sent: its API URL, its fields, its files (Blobs), the
 * UUID made on the phone (sent as client_uuid: the server answers a resend with the object
 * it made the first time, 200 instead of 201), the user it belongs to, and its status:
 *   waiting → sending → sent | failed (the server refused it: the message says why)
 * Nothing here touches the page: it runs in a window and in the service worker alike.
 */
(function (root) {
  "use strict";

  var DB_NAME = "onewindow-outbox";
  var STORE = "entries";
  var VERSION = 1;
  var KEEP_SENT_MS = 24 * 3600 * 1000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) {
          var store = db.createObjectStore(STORE, { keyPath: "id" });
          store.createIndex("status", "status");
        }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var store = tx.objectStore(STORE);
        var result;
        Promise.resolve(fn(store)).then(function (value) { result = value; });
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function req(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) { return root.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function put(entry) {
    return withStore("readwrite", function (store) { return req(store.put(entry)); });
  }

  function all() {
    return withStore("readonly", function (store) { return req(store.getAll()); })
      .then(function (entries) {
        return (entries || []).sort(function (a, b) { return a.created - b.created; });
      });
  }

  function get(id) {
    return withStore("readonly", function (store) { return req(store.get(id)); });
  }

  function remove(id) {
    return withStore("readwrite", function (store) { return req(store.delete(id)); });
  }

  function prune() {
    var now = Date.now();
    return all().then(function (entries) {
      var old = entries.filter(function (e) {
        return e.status === "sent" && now - (e.sentAt || now) > KEEP_SENT_MS;
      });
      return Promise.all(old.map(function (e) { return remove(e.id); }));
    });
  }

  /* Send one entry. Resolves to the updated entry. Network failures and server errors
   * (5xx, 429) leave it waiting; a refusal (4xx) marks it failed with the server's message;
   * 401/403 for a lost session keep it waiting until the person logs in again. */
  function send(entry, csrfToken) {
    var body = new FormData();
    Object.keys(entry.fields || {}).forEach(function (name) {
      var value = entry.fields[name];
      if (Array.isArray(value)) {
        value.forEach(function (v) { body.append(name, v); });
      } else if (value !== null && value !== undefined) {
        body.append(name, value);
      }
    });
    body.set("client_uuid", entry.id);
    (entry.files || []).forEach(function (file) {
      body.append(file.field, file.blob, file.name);
    });
    entry.status = "sending";
    entry.attempts = (entry.attempts || 0) + 1;
    entry.lastTry = Date.now();
    return put(entry).then(function () {
      return root.fetch(entry.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken || entry.csrf || "", "Accept": "application/json" },
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 200 || response.status === 201) {
          entry.status = "sent";
          entry.sentAt = Date.now();
          entry.replayed = response.status === 200;
          entry.result = { number: data.number || "", message: data.message || "", url: data.page_url || "" };
          entry.files = [];
        } else if (response.status === 401 || data.code === "not_authenticated" ||
                   (response.status === 403 && /CSRF/i.test(data.message || ""))) {
          entry.status = "waiting";
          entry.error = data.message || "";
          entry.needsLogin = true;
        } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          entry.status = "failed";
          entry.error = data.message || String(response.status);
          entry.fieldErrors = data.fields || {};
        } else {
          entry.status = "waiting";
        }
        return put(entry).then(function () { return entry; });
      });
    }, function () {
      entry.status = "waiting";
      return put(entry).then(function () { return entry; });
    });
  }

  /* Send every waiting entry of ``user`` (all users when empty), one after the other. */
  function flush(options) {
    options = options || {};
    return all().then(function (entries) {
      var due = entries.filter(function (e) {
        var stuck = e.status === "sending" && Date.now() - (e.lastTry || 0) > 60000;
        return (e.status === "waiting" || stuck) &&
          (!options.user || String(e.user) === String(options.user));
      });
      return due.reduce(function (chain, entry) {
        return chain.then(function (sent) {
          return send(entry, options.csrf).then(function (e) { sent.push(e); return sent; });
        });
      }, Promise.resolve([]));
    });
  }

  root.OutboxCore = {
    uuid: uuid, put: put, all: all, get: get, remove: remove, prune: prune,
    send: send, flush: flush,
  };
})(typeof self !== "undefined" ? self : this);
