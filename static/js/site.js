/* Progressive enhancement only: every page works without this file.
   Escape hides a figure's definition tooltip (WCAG 1.4.13, content on hover or focus
   must be dismissible); it shows again when the pointer or focus comes back. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll(".tile").forEach(function (tile) {
      tile.classList.add("tip-dismissed");
    });
  });
  function restore(event) {
    var tile = event.target.closest && event.target.closest(".tile");
    if (tile) {
      tile.classList.remove("tip-dismissed");
    }
  }
  document.addEventListener("focusin", restore);
  document.addEventListener("mouseover", restore);
})();
