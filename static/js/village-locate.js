/* "Locate me" beside a village select: the phone's position → /api/v1/areas/locate/ → the
 * village is chosen in the list (the person can still change it). */
(function () {
  "use strict";
  document.querySelectorAll("[data-village-locate]").forEach(function (box) {
    var button = box.querySelector("[data-village-locate-button]");
    var select = box.querySelector("select");
    var status = box.querySelector("[data-village-status]");
    if (!button || !select) { return; }
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      status.textContent = box.dataset.msgSearching;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var url = box.dataset.villageLocate + "?lat=" + encodeURIComponent(pos.coords.latitude) +
          "&lng=" + encodeURIComponent(pos.coords.longitude);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) {
            if (r.status === 404) { status.textContent = box.dataset.msgOutside; return null; }
            if (!r.ok) { throw new Error(r.status); }
            return r.json();
          })
          .then(function (where) {
            if (!where) { return; }
            if (where.village && select.querySelector("option[value='" + where.village.code + "']")) {
              select.value = where.village.code;
              select.dispatchEvent(new Event("change", { bubbles: true }));
              status.textContent = box.dataset.msgFound + where.village.name;
            } else {
              status.textContent = box.dataset.msgOutside;
            }
          })
          .catch(function () { status.textContent = box.dataset.msgFailed; });
      }, function () { status.textContent = box.dataset.msgFailed; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
