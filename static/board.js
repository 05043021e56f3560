/* The duty board: polls /board/data with If-None-Match (304 while nothing changed), renders the alerts and who
   is on duty, and calls the alert API for acknowledge / resolve / reassign / comment. No inline script: the page
   gives its texts in data-* attributes and <template> elements. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var POLL_MS = 2500, RETRY_MS = 5000;
  var ds = root.dataset;
  var etag = null, data = null, skew = 0, timer = null, polling = false;
  var seenAttention = null, audio = null, beeps = 0;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var endpoints = {ack: "ack", resolve: "resolve", reassign: "reassign", comment: "comment"};

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] === undefined ? "" : values[k]; });
  }

  function duration(ms) {
    var m = Math.max(0, Math.floor(ms / 60000)), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d > 0) { return fmt(ds.fmtDh, {d: d, h: h % 24}); }
    if (h > 0) { return fmt(ds.fmtHm, {h: h, m: m % 60}); }
    return fmt(ds.fmtM, {m: m});
  }

  function now() { return Date.now() + skew; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function setPerson(cell, p) {  // the name in the row; the phone on hover (the duty cards show phones)
    cell.textContent = p ? p.name : "—";
    cell.title = p && p.phone ? p.phone : "";
  }

  function clock(ms) {
    try {
      return new Date(ms).toLocaleTimeString(document.documentElement.lang, {timeZone: ds.tz, hour12: false});
    } catch (e) {
      return new Date(ms).toLocaleTimeString();
    }
  }

  function personText(p) {
    if (!p) { return "—"; }
    return p.phone ? p.name + " · " + p.phone : p.name;
  }

  // ------------------------------------------------------------------------------------------- polling
  function query() {
    var form = document.getElementById("board-filters"), params = new URLSearchParams();
    ["domain", "state"].forEach(function (name) {
      var v = form.elements[name].value;
      if (v) { params.set(name, v); }
    });
    return params;
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function poll() {
    if (polling) { return; }
    polling = true;
    if (data && data.duty.now && now() >= Date.parse(data.duty.now.ends_at)) { etag = null; }
    var headers = {"Accept": "application/json"};
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(ds.url + "?" + query().toString(), {headers: headers, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (fresh) {
        polling = false;
        if (fresh) { render(fresh); }
        status(true);
        schedule(POLL_MS);
      })
      .catch(function () {
        polling = false;
        status(false);
        schedule(RETRY_MS);
      });
  }

  function refreshNow() {
    etag = null;
    schedule(0);
  }

  function status(ok) {
    var line = document.getElementById("board-status");
    line.textContent = ok ? fmt(ds.msgUpdated, {t: clock(now())}) : ds.msgOffline;
    line.classList.toggle("error", !ok);
  }

  // ------------------------------------------------------------------------------------------- rendering
  function render(fresh) {
    data = fresh;
    skew = Date.parse(fresh.now) - Date.now();
    renderWarnings(fresh.warnings);
    renderDuty("now", fresh.duty.now);
    renderDuty("next", fresh.duty.next);
    renderAlerts(fresh.alerts);
    renderAttention(fresh.alerts);
    document.getElementById("board-counts").textContent = fresh.counts.shown + " / " + fresh.counts.total;
    root.dataset.alerts = String(fresh.alerts.length);
    tick();
  }

  function renderWarnings(warnings) {
    var box = document.getElementById("board-warnings");
    box.replaceChildren.apply(box, warnings.map(function (w) {
      var p = el("p", "board-warning", w.text);
      p.dataset.kind = w.kind;
      return p;
    }));
  }

  function renderDuty(which, duty) {
    var card = document.getElementById("duty-" + which);
    var seats = card.querySelector('[data-role="seats"]'), none = card.querySelector('[data-role="none"]');
    card.querySelector('[data-role="shift"]').textContent = duty ? duty.shift_label + " " + duty.day : "";
    none.hidden = !!duty;
    none.textContent = which === "now" ? ds.msgUncovered : ds.msgNonext;
    seats.replaceChildren();
    if (!duty) { return; }
    duty.seats.forEach(function (seat) {
      var dd = el("dd", null, seat.people.length ? seat.people.map(personText).join(", ") : ds.msgNobody);
      dd.dataset.seat = seat.seat;
      if (!seat.people.length) { dd.classList.add("error"); }
      seats.append(el("dt", null, seat.label), dd);
    });
  }

  function renderAlerts(alerts) {
    var body = document.querySelector("#board-alerts tbody");
    var template = document.getElementById("alert-row-template");
    body.replaceChildren.apply(body, alerts.map(function (a) {
      var row = template.content.firstElementChild.cloneNode(true);
      row.dataset.id = String(a.id);
      row.dataset.severity = a.severity;
      row.dataset.status = a.status;
      row.classList.toggle("attention", a.attention);
      fill(row, a);
      row.querySelectorAll("[data-action]").forEach(function (b) {
        b.hidden = (b.dataset.action === "ack" && a.status !== "open");
      });
      return row;
    }));
    document.getElementById("board-empty").hidden = alerts.length > 0;
  }

  function label(field, code) {
    var names = data.labels[field] || {};
    return names[code || ""] || code || "";
  }

  function fill(row, a) {
    var f = function (name) { return row.querySelector('[data-f="' + name + '"]'); };
    f("severity").textContent = label("severity", a.severity);
    f("severity").className = "sev sev-" + a.severity;
    f("title").textContent = a.title;
    f("title").href = a.url;
    f("age").dataset.since = a.first_seen;
    f("domain").textContent = label("domain", a.domain);
    f("source").textContent = label("source", a.source);
    f("occurrences").textContent = String(a.occurrences);
    f("status").textContent = label("status", a.status);
    setPerson(f("assignee"), a.assignee);
    setPerson(f("watcher"), a.watcher);
    f("escalation").textContent = a.escalation_step ? fmt(ds.msgStep, {n: a.escalation_step}) : "—";
  }

  function renderAttention(alerts) {
    var hot = alerts.filter(function (a) { return a.attention; });
    var banner = document.getElementById("board-attention");
    banner.hidden = hot.length === 0;
    banner.textContent = hot.length ? fmt(ds.msgAttention, {n: hot.length}) + " — " +
      hot.slice(0, 3).map(function (a) { return a.title; }).join(" · ") : "";
    document.title = (hot.length ? "(" + hot.length + ") " : "") + document.title.replace(/^\(\d+\) /, "");
    var fresh = hot.filter(function (a) { return seenAttention && !seenAttention.has(a.id); });
    seenAttention = new Set(hot.map(function (a) { return a.id; }));
    if (fresh.length) { beep(); }
  }

  function tick() {
    root.querySelectorAll("[data-since]").forEach(function (cell) {
      cell.textContent = duration(now() - Date.parse(cell.dataset.since));
    });
    var left = document.querySelector('#duty-next [data-role="left"]');
    if (data && data.duty.now) {
      var ms = Date.parse(data.duty.now.ends_at) - now();
      left.textContent = ms > 0 ? "· " + fmt(ds.msgLeft, {t: duration(ms)}) : "· " + ds.msgDue;
      if (ms <= 0 && !polling) { refreshNow(); }
    } else {
      left.textContent = "";
    }
    document.getElementById("board-clock").textContent = clock(now());
  }

  // ------------------------------------------------------------------------------------------- sound
  function soundButton() {
    var button = document.getElementById("sound-toggle");
    var on = window.localStorage.getItem("board.sound") === "1" && audio !== null;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? ds.msgSoundOn : ds.msgSoundOff;
  }

  function toggleSound() {
    var on = !(window.localStorage.getItem("board.sound") === "1" && audio !== null);
    window.localStorage.setItem("board.sound", on ? "1" : "0");
    if (on && audio === null && window.AudioContext) { audio = new window.AudioContext(); }
    if (on && audio) { audio.resume(); tone(); }
    soundButton();
  }

  function beep() {  // a new unacknowledged critical alert (counted in data-beeps for the browser tests)
    if (window.localStorage.getItem("board.sound") !== "1" || audio === null) { return; }
    beeps += 1;
    root.dataset.beeps = String(beeps);
    tone();
  }

  function tone() {  // two short 880 Hz pips, made here: no audio file is downloaded
    [0, 0.25].forEach(function (offset) {
      var osc = audio.createOscillator(), gain = audio.createGain(), t = audio.currentTime + offset;
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.2);
    });
  }

  // ------------------------------------------------------------------------------------------- actions
  function openDialog(action, id) {
    var dialog = document.getElementById("dialog-" + action);
    var alert = (data.alerts || []).filter(function (a) { return a.id === id; })[0];
    if (!dialog || !alert) { return; }
    if (dialog.dataset.alertId !== String(id)) { dialog.querySelector("form").reset(); }
    dialog.dataset.alertId = String(id);
    dialog.querySelector('[data-role="alert-title"]').textContent = "#" + id + " " + alert.title;
    showError(dialog, "");
    dialog.showModal();
  }

  function showError(dialog, message) {
    var p = dialog.querySelector('[data-role="error"]');
    p.textContent = message;
    p.hidden = !message;
  }

  function submit(dialog, event) {
    event.preventDefault();
    var form = dialog.querySelector("form"), body = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name) { body[field.name] = field.value; }
    });
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    var url = ds.api + "/" + dialog.dataset.alertId + "/" + endpoints[dialog.dataset.action];
    fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
                headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {ok: response.ok, status: response.status, json: json};
        });
      })
      .then(function (answer) {
        button.disabled = false;
        if (answer.ok) {
          form.reset();
          delete dialog.dataset.alertId;
          dialog.close();
          refreshNow();
        } else {
          var error = answer.json && answer.json.error;
          showError(dialog, (error && error.message) || (ds.msgNetwork + " (" + answer.status + ")"));
        }
      })
      .catch(function () {
        button.disabled = false;
        showError(dialog, ds.msgNetwork);
      });
  }

  function wire() {
    document.querySelector("#board-alerts tbody").addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) { return; }
      openDialog(button.dataset.action, Number(button.closest("tr").dataset.id));
    });
    document.querySelectorAll("dialog.board-dialog").forEach(function (dialog) {
      dialog.querySelector("form").addEventListener("submit", function (event) { submit(dialog, event); });
      dialog.querySelector('[data-role="cancel"]').addEventListener("click", function () { dialog.close(); });
    });
    var form = document.getElementById("board-filters");
    form.addEventListener("change", function () {
      var params = query();
      if (root.classList.contains("wall")) { params.set("full", "1"); }
      var search = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
      refreshNow();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); refreshNow(); });
    document.getElementById("sound-toggle").addEventListener("click", toggleSound);
  }

  wire();
  soundButton();
  setInterval(tick, 1000);
  poll();
}());
