// Roster draft page: poll the solve's status while the scheduler works on it, then reload to show the result.
(function () {
  "use strict";
  var box = document.getElementById("solve-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var text = document.getElementById("solve-progress-text");
  var stalled = document.getElementById("solve-stalled");
  var queuedPolls = 0;
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 3000); return; }
        if (text && data.progress) { text.textContent = data.progress; }
        queuedPolls = data.job_status === "queued" ? queuedPolls + 1 : 0;
        if (stalled && queuedPolls > 15) { stalled.hidden = false; }
        if (data.job_status === "queued" || data.job_status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
