/* Shows the progress of a figures recompute on the staff overview (polls a JSON endpoint). */
(function () {
  "use strict";
  var box = document.getElementById("figures-status");
  if (!box || box.getAttribute("data-state") !== "running") { return; }
  var url = box.getAttribute("data-status-url");
  var progress = box.querySelector("[data-figures-progress]");
  var version = box.querySelector("[data-figures-version]");
  var computed = box.querySelector("[data-figures-computed]");
  var polls = 0;

  function poll() {
    polls += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        progress.textContent = data.label;
        if (version && data.version !== null) { version.textContent = data.version; }
        if (computed && data.computed_at) { computed.textContent = data.computed_at; }
        if (data.state === "running" && polls < 300) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
