// The checks pages: show only the chosen kind's settings, and "Run now" that waits for the scheduler's answer.
// Without JavaScript every kind's settings stay visible and "Run now" is a plain form post.
(function () {
  "use strict";

  function showChosen(select, selector) {
    if (!select) return;
    var update = function () {
      document.querySelectorAll(selector).forEach(function (box) {
        box.hidden = box.dataset.kind !== select.value;
      });
    };
    select.addEventListener("change", update);
    update();
  }

  // ISO time with up to microseconds -> microseconds since the epoch (Date keeps only milliseconds).
  function micros(iso) {
    var m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso || "");
    if (!m) return NaN;
    var frac = ((m[2] || "") + "000000").slice(0, 6);
    return Date.parse(m[1] + m[3]) * 1000 + parseInt(frac, 10);
  }

  function checkTimeoutMs(form) { return 1000 * parseInt(form.dataset.checkTimeout || "10", 10); }

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  var messages = document.getElementById("run-messages");
  var POLL_MS = 400;
  // The scheduler answers within about a second; after this long nobody is patrolling.
  function timeoutMs() { return parseInt(messages.dataset.timeoutMs || "10000", 10); }

  function paint(form, data) {
    var states = JSON.parse(messages.dataset.states);
    var scope = form.closest("tr") || document;
    var badge = scope.querySelector(".badge[data-state]");
    if (badge) {
      badge.className = "badge state-" + data.state;
      badge.dataset.state = data.state;
      badge.textContent = states[data.state] || data.state;
    }
    var when = new Date(data.last_run_at).toLocaleTimeString(document.documentElement.lang || undefined,
      {timeZone: messages.dataset.tz || undefined, hour12: false});  // the desk's time, as the page shows
    var ms = data.last_duration == null ? "?" : (data.last_duration * 1000).toFixed(1);
    var result = form.querySelector(".run-result");
    result.className = "run-result state-" + data.state;
    result.textContent = (states[data.state] || data.state) + " — " + data.summary + " (" +
      fmt(messages.dataset.done, {time: when, ms: ms}) + ")";
    var summary = document.getElementById("last-summary");
    if (summary && !form.closest("tr")) summary.textContent = data.summary;
    var lastRun = document.getElementById("last-run");
    if (lastRun && !form.closest("tr")) lastRun.textContent = when;
  }

  function waitForRun(form, requestedAt, started) {
    fetch(form.dataset.api, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.last_run_at && micros(data.last_run_at) >= micros(requestedAt)) {
          paint(form, data);
          form.querySelector("button").disabled = false;
        } else if (Date.now() - started > timeoutMs() + (data.scheduler_running ? checkTimeoutMs(form) : 0)) {
          // A patrolling scheduler may still be inside a slow run; without one nothing will ever answer.
          var result = form.querySelector(".run-result");
          result.className = data.scheduler_running ? "run-result muted no-answer" : "run-result error no-scheduler";
          result.textContent = data.scheduler_running ? messages.dataset.noAnswer : messages.dataset.noScheduler;
          form.querySelector("button").disabled = false;
        } else {
          setTimeout(function () { waitForRun(form, requestedAt, started); }, POLL_MS);
        }
      });
  }

  function runNow(event) {
    event.preventDefault();
    var form = event.currentTarget;
    var result = form.querySelector(".run-result");
    var token = document.querySelector("meta[name=csrf-token]").content;
    form.querySelector("button").disabled = true;
    result.className = "run-result muted";
    result.textContent = messages.dataset.running;
    fetch(form.dataset.runApi, {method: "POST", credentials: "same-origin",
                                headers: {"Accept": "application/json", "X-CSRFToken": token}})
      .then(function (r) { return r.json().then(function (body) { return {status: r.status, ok: r.ok, body: body}; }); })
      .then(function (answer) {
        if (answer.status === 409 && answer.body.error && answer.body.error.code === "already_queued") {
          result.textContent = messages.dataset.queued;  // someone asked first: wait for that run instead
          return fetch(form.dataset.api, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
            .then(function (r) { return r.json(); })
            .then(function (data) { waitForRun(form, data.run_requested_at || data.last_run_at, Date.now()); });
        }
        if (!answer.ok) throw new Error(answer.body.error ? answer.body.error.message : "error");
        waitForRun(form, answer.body.requested_at, Date.now());
      })
      .catch(function (err) {
        result.className = "run-result error";
        result.textContent = fmt(messages.dataset.failed, {reason: err.message});
        form.querySelector("button").disabled = false;
      });
  }

  // The list keeps itself current while it stays open: states, summaries and last runs from the API.
  function refreshList(table) {
    var schedule = function () {
      setTimeout(function () { refreshList(table); }, parseInt(table.dataset.refreshMs, 10));
    };
    fetch(table.dataset.api, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { data.checks.forEach(function (check) { repaintRow(check); }); })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(schedule);
  }

  function repaintRow(check) {
    var row = document.getElementById("check-" + check.id);
    if (!row || !check.last_run_at) return;
    var states = JSON.parse(messages.dataset.states);
    var badge = row.querySelector(".badge[data-state]");
    if (badge && badge.dataset.state !== check.state) {
      badge.className = "badge state-" + check.state;
      badge.dataset.state = check.state;
      badge.textContent = states[check.state] || check.state;
    }
    row.querySelector(".summary").textContent = check.summary;
    var when = new Date(check.last_run_at).toLocaleString("sv-SE", {timeZone: messages.dataset.tz || undefined});
    row.querySelector(".last-run").textContent = when.slice(5, 19);  // MM-DD HH:MM:SS as the server writes it
  }

  // Maintenance window: "all checks" hides the list; a filter box narrows the list by name (ticked ones stay).
  function checkPicker() {
    var scope = document.getElementById("window-scope");
    var filter = document.getElementById("check-filter");
    if (!scope || !filter) return;
    var picker = document.getElementById("check-picker");
    var count = document.getElementById("picker-count");
    var boxes = picker.querySelectorAll("input[type=checkbox]");
    var update = function () {
      picker.hidden = document.getElementById("scope-all").checked;
      var chosen = 0;
      boxes.forEach(function (box) { if (box.checked) chosen += 1; });
      count.textContent = fmt(count.dataset.template, {n: chosen});
    };
    filter.hidden = false;
    count.hidden = false;
    filter.addEventListener("input", function () {
      var text = filter.value.trim().toLowerCase();
      boxes.forEach(function (box) {
        box.closest("li").hidden = text !== "" && !box.checked && box.value.toLowerCase().indexOf(text) < 0;
      });
    });
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // Enter filters; it does not submit the window
    });
    scope.addEventListener("change", update);
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked) document.getElementById("scope-some").checked = true;
        update();
      });
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    checkPicker();
    var table = document.getElementById("checks-table");
    if (table && messages && table.dataset.api) {
      setTimeout(function () { refreshList(table); }, parseInt(table.dataset.refreshMs, 10));
    }
    showChosen(document.getElementById("kind"), ".kind-params");
    showChosen(document.getElementById("window-kind"), ".window-kind");
    if (messages) {
      document.querySelectorAll("form.run-now").forEach(function (form) {
        form.addEventListener("submit", runNow);
      });
    }
  });
})();
