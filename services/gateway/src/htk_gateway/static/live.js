// The live dashboard: counts change as actions are published, without reloading the page.
// Without JavaScript the page still shows the figures as they were when it was loaded.
(function () {
  "use strict";
  if (!window.EventSource) { return; }
  var status = document.getElementById("live-status");
  var words = document.getElementById("live-messages").dataset;
  var source = new EventSource("/api/v1/coverage/stream");

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (cell) {
      if (cell.textContent !== String(value)) { cell.textContent = String(value); }
    });
  }

  function refreshPlaces() {
    fetch("/api/v1/coverage/places?level=county", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.rows.forEach(function (row) {
          var scope = row.code === "national" ? "national" : "county:" + row.code;
          setText('[data-scope="' + scope + '"]', row.actions);
        });
      });
    var table = document.getElementById("municipality-table");
    var county = new URLSearchParams(window.location.search).get("county");
    if (!table || !county) { return; }
    fetch("/api/v1/coverage/places?level=municipality&county=" + encodeURIComponent(county), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.rows.forEach(function (row) { setText('[data-scope="municipality:' + row.code + '"]', row.actions); });
      });
  }

  source.addEventListener("hello", function (event) {
    var data = JSON.parse(event.data);
    if (data.total) { setText('[data-node="*"]', data.total.actions); }
    status.textContent = words.on;
  });
  source.addEventListener("coverage", function (event) {
    var data = JSON.parse(event.data);
    Object.keys(data.nodes || {}).forEach(function (code) {
      setText('[data-node="' + code.replace(/"/g, "") + '"]', data.nodes[code]);
    });
    refreshPlaces();
    status.textContent = words.updated + " " + new Date().toLocaleTimeString();
  });
  source.addEventListener("resync", function () { refreshPlaces(); });
  source.onerror = function () { status.textContent = words.off; };
}());
