/* A page's "print" button ([data-print]) for pages that load no other script handling it
   (the matter guide). No inline handlers: the Content-Security-Policy allows scripts from
   static files only. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
})();
