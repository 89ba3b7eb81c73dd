/* OneWindow offline outbox — the page side. Include templates/portal/_outbox.html in a page
 * and mark a form with data-outbox="<API URL>": submitting it queues the form in the phone's
 * storage (IndexedDB) under a UUID made here, shows it as "waiting to send", and sends it when
 * there is signal (now, when the browser comes back online, every few seconds while something
 * waits, or from the service worker when the page is closed). The server answers a resend of
 * the same UUID with what it made the first time, so nothing is ever made twice.
 *
 * Form attributes: data-outbox (API URL), data-outbox-user (whose entry), data-outbox-label
 * (what the list calls it), data-outbox-summary (name of the field shown beside the label).
 * Files come from photo-picker.js (compressed on the phone) or, without it, the file inputs.
 */
(function () {
  "use strict";

  var core = window.OutboxCore;
  var panel = document.querySelector("[data-outbox-panel]");
  if (!core || !panel || !window.indexedDB) { return; }

  var texts = {};
  try { texts = JSON.parse(document.getElementById("outbox-texts").textContent); } catch (e) {}
  function t(key) { return texts[key] || key; }

  var list = panel.querySelector("[data-outbox-list]");
  var signal = panel.querySelector("[data-outbox-signal]");
  var user = panel.getAttribute("data-outbox-user") || "";
  var swUrl = panel.getAttribute("data-outbox-sw");
  var timer = null;
  var flushing = false;

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function statusText(entry) {
    if (entry.status === "waiting") {
      return entry.needsLogin ? t("needs_login") : t("waiting");
    }
    if (entry.status === "sending") { return t("sending"); }
    if (entry.status === "sent") { return entry.replayed ? t("sent_before") : t("sent"); }
    return t("failed");
  }

  function render() {
    return core.all().then(function (entries) {
      entries = entries.filter(function (e) { return !user || String(e.user) === user; });
      list.textContent = "";
      panel.hidden = entries.length === 0 && navigator.onLine;
      entries.slice().reverse().forEach(function (entry) {
        var item = el("li", "outbox-item outbox-" + entry.status);
        item.setAttribute("data-outbox-id", entry.id);
        item.setAttribute("data-status", entry.status);
        var head = el("div", "outbox-head");
        head.appendChild(el("strong", "", entry.label || t("report")));
        var badge = el("span", "outbox-status", statusText(entry));
        head.appendChild(badge);
        item.appendChild(head);
        if (entry.summary) { item.appendChild(el("p", "outbox-summary", entry.summary)); }
        var when = new Date(entry.created);
        item.appendChild(el("p", "outbox-meta",
          t("saved_at") + " " + when.toLocaleString(document.documentElement.lang || undefined, { hour12: false }) +
          (entry.files && entry.files.length ? " · " + t("photos").replace("%s", entry.files.length) : "")));
        if (entry.status === "sent" && entry.result) {
          var done = el("p", "outbox-result");
          if (entry.result.url) {
            var link = el("a", "", entry.result.number);
            link.href = entry.result.url;
            done.appendChild(document.createTextNode(t("number") + " "));
            done.appendChild(link);
          } else {
            done.textContent = t("number") + " " + entry.result.number;
          }
          item.appendChild(done);
          if (entry.result.message) { item.appendChild(el("p", "outbox-message", entry.result.message)); }
        }
        if (entry.status === "failed") {
          item.appendChild(el("p", "outbox-error", entry.error || ""));
          Object.keys(entry.fieldErrors || {}).forEach(function (name) {
            (entry.fieldErrors[name] || []).forEach(function (message) {
              item.appendChild(el("p", "outbox-error", message));
            });
          });
        }
        var actions = el("div", "outbox-actions");
        if (entry.status === "waiting" || entry.status === "failed") {
          var retry = el("button", "button button-small", t("send_now"));
          retry.type = "button";
          retry.setAttribute("data-outbox-retry", entry.id);
          actions.appendChild(retry);
        }
        if (entry.status !== "sending") {
          var drop = el("button", "link-button", entry.status === "sent" ? t("hide") : t("discard"));
          drop.type = "button";
          drop.setAttribute("data-outbox-discard", entry.id);
          actions.appendChild(drop);
        }
        item.appendChild(actions);
        list.appendChild(item);
      });
      if (signal) {
        signal.textContent = navigator.onLine ? "" : t("offline");
        signal.hidden = navigator.onLine;
      }
      var waiting = entries.some(function (e) { return e.status === "waiting" || e.status === "sending"; });
      schedule(waiting);
    });
  }

  function schedule(waiting) {
    if (waiting && !timer) {
      timer = window.setInterval(flush, 15000);
    } else if (!waiting && timer) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  function flush() {
    if (flushing || !navigator.onLine) { return render(); }
    flushing = true;
    return core.flush({ user: user, csrf: csrf() }).then(function () {
      flushing = false;
      return render();
    }, function () {
      flushing = false;
      return render();
    });
  }

  function fieldsOf(form) {
    var fields = {};
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "client_uuid") { return; }
      if (typeof value !== "string") { return; }  // files come separately
      if (fields[name] === undefined) {
        fields[name] = value;
      } else {
        fields[name] = [].concat(fields[name], value);
      }
    });
    return fields;
  }

  function filesOf(form) {
    if (form.outboxFiles) { return form.outboxFiles.slice(); }
    var files = [];
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        files.push({ field: input.name, blob: file, name: file.name });
      });
    });
    return files;
  }

  function summaryOf(form) {
    var name = form.getAttribute("data-outbox-summary");
    if (!name) { return ""; }
    var field = form.elements[name];
    if (!field) { return ""; }
    if (field.tagName === "SELECT") {
      var option = field.options[field.selectedIndex];
      return option ? option.text : "";
    }
    return String(field.value || "").slice(0, 60);
  }

  function freshUuid(form) {
    var input = form.querySelector("input[name=client_uuid]");
    var id = core.uuid();
    if (input) {
      input.value = id;
      input.setAttribute("value", id);
    }
    return id;
  }

  function enqueue(form) {
    var input = form.querySelector("input[name=client_uuid]");
    var entry = {
      id: (input && input.value) || core.uuid(),
      url: form.getAttribute("data-outbox"),
      user: user,
      label: form.getAttribute("data-outbox-label") || "",
      summary: summaryOf(form),
      fields: fieldsOf(form),
      files: filesOf(form),
      created: Date.now(),
      status: "waiting",
      csrf: csrf(),
    };
    return core.get(entry.id).then(function (existing) {
      // A double tap: the same UUID is already queued (or sent) — never a second entry.
      if (existing) { return existing; }
      return core.put(entry).then(function () { return entry; });
    });
  }

  function bind(form) {
    if (!form.querySelector("input[name=client_uuid]")) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "client_uuid";
      form.appendChild(hidden);
      freshUuid(form);
    }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-outbox-direct") === "1") { return; }
      event.preventDefault();
      if (!form.reportValidity()) { return; }
      if (form.getAttribute("data-outbox-busy")) { return; }
      var check = new CustomEvent("outbox:check", { cancelable: true });
      if (!form.dispatchEvent(check)) { return; }
      form.setAttribute("data-outbox-busy", "1");
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      enqueue(form).then(function () {
        form.reset();
        freshUuid(form);
        form.dispatchEvent(new CustomEvent("outbox:queued"));
        return render();
      }).then(function () {
        registerSync();
        return flush();
      }).then(function () {
        var first = list.querySelector(".outbox-item");
        if (first && first.scrollIntoView) { first.scrollIntoView({ block: "nearest" }); }
      }, function () {
        // Storage refused (private mode, full): send the form the ordinary way.
        form.setAttribute("data-outbox-direct", "1");
        form.submit();
      }).then(function () {
        form.removeAttribute("data-outbox-busy");
        buttons.forEach(function (b) { b.disabled = false; });
      });
    });
  }

  panel.addEventListener("click", function (event) {
    var retry = event.target.closest("[data-outbox-retry]");
    var discard = event.target.closest("[data-outbox-discard]");
    if (retry) {
      core.get(retry.getAttribute("data-outbox-retry")).then(function (entry) {
        if (!entry) { return; }
        entry.status = "waiting";
        entry.needsLogin = false;
        return core.put(entry);
      }).then(flush);
    } else if (discard) {
      var id = discard.getAttribute("data-outbox-discard");
      core.get(id).then(function (entry) {
        if (entry && entry.status !== "sent" && !window.confirm(t("confirm_discard"))) { return; }
        return core.remove(id);
      }).then(render);
    }
  });

  function registerSync() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync && reg.sync.register) { return reg.sync.register("onewindow-outbox"); }
    }).catch(function () {});
  }

  function remember(reg) {
    var urls = [window.location.pathname + window.location.search];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (node) {
      var url = node.getAttribute("href") || node.getAttribute("src");
      if (url && url.charAt(0) === "/") { urls.push(url); }
    });
    var worker = reg.active || reg.waiting || reg.installing;
    if (worker) { worker.postMessage({ type: "remember", urls: urls }); }
  }

  if ("serviceWorker" in navigator && swUrl) {
    navigator.serviceWorker.register(swUrl, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(remember).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "flush") { flush(); }
      if (event.data && event.data.type === "flushed") { render(); }
    });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  document.querySelectorAll("form[data-outbox]").forEach(bind);
  core.prune().then(flush, flush);

  window.OneWindowOutbox = { flush: flush, render: render };
})();
