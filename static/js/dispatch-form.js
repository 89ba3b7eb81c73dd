/* Dispatch and routing-rule forms: show only the fields of the chosen handler kind (and, on
 * the dispatch page, the manual fields only when "choose by hand" is picked). Without
 * JavaScript every field stays visible and the server checks the choice. */
(function () {
  "use strict";

  function toggle(form) {
    var kindField = form.querySelector("select[name=kind], select[name=handler_kind]");
    var kind = kindField ? kindField.value : "";
    form.querySelectorAll("[data-kind]").forEach(function (block) {
      var kinds = block.getAttribute("data-kind").split(" ");
      block.hidden = kinds.indexOf(kind) === -1;
    });
    var manual = form.querySelector("[data-manual]");
    if (manual) {
      var picked = form.querySelector("input[name=follow]:checked");
      manual.hidden = !!picked && picked.value === "rule";
    }
  }

  document.querySelectorAll("[data-dispatch-form], [data-rule-form]").forEach(function (form) {
    form.addEventListener("change", function () { toggle(form); });
    toggle(form);
  });
})();
