// The live dashboard: when the figures change, every part of the page marked data-live (totals,
// pending review, "needs a push", the charts and their tables, organisation and place counts,
// where dialogue is active) is replaced by the same part of a fresh copy of the page, without
// reloading it, and the change is announced politely to screen readers. Without JavaScript the
// page still shows the figures as they were when it was loaded.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var status = document.getElementById("live-status");
  var words = document.getElementById("live-messages").dataset;
  var source = new EventSource("/api/v1/coverage/stream");
  var pending = null;
  var running = false;
  var again = false;

  function refresh() {
    pending = null;
    if (running) { again = true; return; }
    running = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var changed = 0;
        document.querySelectorAll("[data-live][id]").forEach(function (region) {
          var next = fresh.getElementById(region.id);
          // Only a region whose content changed is replaced, so focus and the reader's place
          // stay where they were everywhere else.
          if (next && next.innerHTML !== region.innerHTML) {
            region.innerHTML = next.innerHTML;
            changed += 1;
          }
        });
        if (changed) { status.textContent = words.updated + " " + new Date().toLocaleTimeString(); }
      })
      .catch(function () { status.textContent = words.off; })
      .then(function () {
        running = false;
        if (again) { again = false; schedule(); }
      });
  }

  function schedule() {
    // Changes often come in bursts (a bulk import, a replay): one refresh per burst.
    if (pending === null) { pending = window.setTimeout(refresh, 400); }
  }

  source.addEventListener("hello", function () {
    status.textContent = words.on;
    schedule();  // whatever changed between loading the page and connecting
  });
  source.addEventListener("coverage", schedule);
  source.addEventListener("dialogue", schedule);
  source.addEventListener("resync", schedule);
  source.onerror = function () { status.textContent = words.off; };
}());
