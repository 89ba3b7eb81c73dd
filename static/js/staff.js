/* Staff pages: keyboard shortcuts and small conveniences. Everything works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    if (tag === "INPUT") {
      var type = (el.type || "").toLowerCase();
      return ["radio", "checkbox", "button", "submit", "file"].indexOf(type) === -1;
    }
    return false;
  }

  // --- queue rows: j/k or arrows to move, Enter to open, click anywhere on the row -----------
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("table[data-queue] tbody tr[data-href], tr[data-material]"));
  }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = document.activeElement && document.activeElement.closest ? document.activeElement.closest("tr") : null;
    var index = all.indexOf(current);
    var next = index === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    all[next].focus();
    all[next].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("table[data-queue] tbody tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, textarea, label, form")) return;
    window.location.href = row.getAttribute("data-href");
  });

  function setStatus(row, key) {
    var radio = row.querySelector('input[type=radio][data-key="' + key + '"]');
    if (!radio) return;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var help = document.getElementById("shortcut-help");
    if (event.key === "?" && !typing(event.target)) {
      if (help && help.showModal) { help.open ? help.close() : help.showModal(); }
      event.preventDefault();
      return;
    }
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (event.key === "/") {
      var search = document.querySelector("[data-shortcut-search]");
      if (search) { search.focus(); search.select && search.select(); event.preventDefault(); }
      return;
    }
    if (event.key === "j" || event.key === "ArrowDown") { if (rows().length) { move(1); event.preventDefault(); } return; }
    if (event.key === "k" || event.key === "ArrowUp") { if (rows().length) { move(-1); event.preventDefault(); } return; }
    var row = event.target.closest ? event.target.closest("tr") : null;
    if (event.key === "Enter" && row && row.hasAttribute("data-href")) {
      window.location.href = row.getAttribute("data-href");
      event.preventDefault();
      return;
    }
    if (row && row.hasAttribute("data-material") && /^[1-4]$/.test(event.key)) {
      setStatus(row, event.key);
      event.preventDefault();
    }
  });

  // --- intake checklist: the row shows its state; "all received" ------------------------------
  function refreshRow(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    var status = checked ? checked.value : "pending";
    row.className = row.className.replace(/\bis-[a-z]+\b/g, "").trim() + " is-" + status;
  }
  document.addEventListener("change", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-material]");
    if (row && event.target.type === "radio") refreshRow(row);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-all-received]");
    if (!button) return;
    document.querySelectorAll("tr[data-material]").forEach(function (row) {
      if (!row.querySelector("input[type=radio]:checked")) setStatus(row, "1");
    });
  });
  // an uploaded file chosen for a material marks it received, unless something else was chosen
  document.addEventListener("change", function (event) {
    if (event.target.type !== "file" || !event.target.files.length) return;
    var row = event.target.closest("tr[data-material]");
    if (row && !row.querySelector("input[type=radio]:checked")) setStatus(row, "1");
  });

  // --- printing the notice in one step --------------------------------------------------------
  function printFrame(frame) {
    try { frame.contentWindow.focus(); frame.contentWindow.print(); }
    catch (e) { window.open(frame.src, "_blank"); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print-frame]");
    if (!button) return;
    var frame = document.getElementById(button.getAttribute("data-print-frame"));
    if (frame) printFrame(frame);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var frame = document.querySelector("iframe[data-autoprint]");
    if (!frame || navigator.webdriver) return;
    frame.addEventListener("load", function () { setTimeout(function () { printFrame(frame); }, 400); }, { once: true });
  });
})();
