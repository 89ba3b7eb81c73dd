/* The centre's new call-out page: show the squad list or the department list, as the
 * dispatcher chose "squad" or "department" (both stay in the form without JS). */
(function () {
  "use strict";
  var radios = document.querySelectorAll("[data-callout-target]");
  if (!radios.length) return;
  function field(name) {
    var el = document.getElementById("id_" + name);
    return el ? el.closest(".field") : null;
  }
  function sync() {
    var chosen = "squad";
    radios.forEach(function (r) { if (r.checked) chosen = r.value; });
    var squad = field("squad");
    var department = field("department");
    if (squad) squad.hidden = chosen !== "squad";
    if (department) department.hidden = chosen !== "department";
  }
  radios.forEach(function (r) { r.addEventListener("change", sync); });
  sync();
})();
