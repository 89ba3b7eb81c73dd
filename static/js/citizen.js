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
  });
})();
