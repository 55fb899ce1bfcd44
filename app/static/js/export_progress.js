// An export's page (exports/show.html): asks the export's status every two seconds, moves the
// progress bar and shows the file's link once the job is done. A file of its own: the
// Content-Security-Policy runs no inline script.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-bar");
  var rows = document.getElementById("export-rows");
  var link = document.getElementById("export-file");
  function show(status) {
    document.getElementById("export-state").textContent = status.text;
    bar.style.width = status.percent + "%";
    bar.setAttribute("aria-valuenow", status.percent);
    bar.textContent = status.percent + "%";
    if (status.total !== null) {
      rows.textContent = rows.getAttribute("data-template")
        .replace("__DONE__", status.done).replace("__TOTAL__", status.total);
    }
    if (status.file) {
      link.href = status.file;
      link.hidden = false;
      document.getElementById("export-refresh").hidden = true;
    }
    if (status.state === "failed") {
      document.getElementById("export-error").hidden = false;
      document.getElementById("export-refresh").hidden = true;
    }
    return !(status.file || status.state === "failed" || status.state === "done");
  }
  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", box.getAttribute("data-status"));
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200 && show(JSON.parse(request.responseText))) {
        setTimeout(poll, 2000);
      }
    };
    request.send();
  }
  bar.style.width = bar.getAttribute("data-width") + "%";
  poll();
})();
