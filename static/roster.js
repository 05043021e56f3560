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

// Swap form: the colleagues and the exchange seats follow the seat and the colleague chosen (the server already
// offers only people and seats that fit; data-seats lists which of my seats each option fits).
(function () {
  "use strict";
  var form = document.getElementById("swap-form");
  if (!form) { return; }
  var mine = form.querySelector("select[name=mine]");
  var colleague = form.querySelector("select[name=colleague]");
  var theirs = form.querySelector("select[name=theirs]");
  if (!mine || !colleague || !theirs) { return; }
  function fits(option, seat) {
    var seats = option.getAttribute("data-seats");
    return seats === null || seats.split(" ").indexOf(seat) !== -1;
  }
  function show(select, keep) {
    Array.prototype.forEach.call(select.options, function (option) {
      var on = option.value === "" || keep(option);
      option.hidden = !on;
      option.disabled = !on;
    });
    if (select.selectedOptions.length && select.selectedOptions[0].disabled) { select.value = ""; }
  }
  function update() {
    var seat = mine.value;
    var who = colleague.value;
    show(colleague, function (option) { return fits(option, seat); });
    show(theirs, function (option) {
      return fits(option, seat) && (!who || option.getAttribute("data-colleague") === who);
    });
  }
  mine.addEventListener("change", update);
  colleague.addEventListener("change", update);
  update();
})();
