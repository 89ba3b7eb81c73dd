/* Upload slots: say at once, on the slot, when a chosen file is too big — before it travels
   over a phone connection. The server checks size and content again. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var box = document.getElementById(input.id + "_client");
    var file = input.files && input.files[0];
    var tooBig = file && file.size > Number(input.getAttribute("data-max-bytes"));
    if (tooBig) {
      input.value = "";
      input.setAttribute("aria-invalid", "true");
    } else if (!document.getElementById(input.id + "_error")) {
      input.removeAttribute("aria-invalid");
    }
    if (box) {
      box.textContent = tooBig ? input.getAttribute("data-too-big") : "";
      box.hidden = !tooBig;
    }
    var chosen = document.getElementById(input.id + "_chosen");
    if (chosen) {
      var ok = file && !tooBig;
      chosen.textContent = ok ? file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)" : "";
      chosen.hidden = !ok;
    }
  });
})();

/* Step 1: when a matter may be applied for by a person or an organisation, show the
   organisation's fields only while "organisation" is chosen (without JS they stay visible,
   and the server ignores them for a person). */
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector("input[name=applicant_kind]:checked");
    if (!chosen) return;
    form.querySelectorAll("[data-when-kind]").forEach(function (box) {
      box.hidden = box.getAttribute("data-when-kind") !== chosen.value;
    });
  }
  document.querySelectorAll("form[data-applicant-form]").forEach(function (form) {
    sync(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "applicant_kind") sync(form);
    });
  });
})();
