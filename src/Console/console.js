// OnSale support console: signs in with an operator key (kept in this tab's sessionStorage only), then polls the admin
// API (status every 2 s, the charts' series every 5 s, the audit every 10 s) while the tab is visible. Everything it
// writes into the page goes through textContent: no buyer's or operator's text is ever parsed as HTML.
(function () {
  "use strict";

  var KEY = "onsale.console.key";
  var STATUS_EVERY = 2000, SERIES_EVERY = 5000, AUDIT_EVERY = 10000;
  var me = null, timers = [], failures = 0, lastOk = null, skew = 0;

  // The gateway's clock, from its Date header: an "until" is the gateway's time, whatever this computer's clock says.
  function serverNow() { return Date.now() + skew; }

  function $(id) { return document.getElementById(id); }
  function text(el, value) { el.textContent = value == null ? "" : String(value); return el; }
  function el(tag, value, cls) { var e = document.createElement(tag); if (value != null) { text(e, value); } if (cls) { e.className = cls; } return e; }
  function fmtTime(iso) { return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) : "—"; }
  function fmtNum(n) { return n == null ? "—" : Number(n).toLocaleString("en-GB"); }
  function fmtDuration(seconds) {
    if (seconds == null) { return "—"; }
    seconds = Math.round(seconds);
    if (seconds < 60) { return seconds + " s"; }
    var m = Math.floor(seconds / 60), h = Math.floor(m / 60);
    return h > 0 ? h + " h " + (m % 60) + " min" : m + " min " + (seconds % 60) + " s";
  }
  function ago(iso) { return iso ? fmtDuration(Math.max(0, serverNow() - Date.parse(iso)) / 1000) + " ago" : "—"; }

  function api(method, path, body) {
    var init = { method: method, headers: { "Authorization": "Bearer " + sessionStorage.getItem(KEY), "Accept": "application/json" }, cache: "no-store" };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (response) {
      var date = Date.parse(response.headers.get("Date") || "");
      if (!isNaN(date)) { skew = date - Date.now(); }
      var type = response.headers.get("Content-Type") || "";
      var parsed = type.indexOf("json") >= 0 ? response.json() : Promise.resolve(null);
      return parsed.then(function (json) {
        if (response.status === 401) { signOut("Your key is no longer accepted: sign in again."); }
        if (!response.ok) {
          var err = new Error((json && (json.detail || json.title)) || ("HTTP " + response.status));
          err.status = response.status; err.code = json && json.code; throw err;
        }
        return json;
      });
    });
  }

  // ---- signing in and out ----
  function signIn(event) {
    event.preventDefault();
    var key = $("key").value.trim();
    if (!key) { text($("sign-in-error"), "Enter your operator key."); $("key").focus(); return; }
    sessionStorage.setItem(KEY, key);
    start().catch(function (e) {
      sessionStorage.removeItem(KEY);
      text($("sign-in-error"), e.status === 401 ? "That key is not an operator's key." : "Could not reach the gateway: " + e.message);
      $("key").focus();
    });
  }

  function start() {
    return api("GET", "/admin/api/me").then(function (who) {
      me = who;
      $("key").value = "";
      text($("sign-in-error"), "");
      $("sign-in-view").hidden = true;
      $("console-view").hidden = false;
      $("who").hidden = false;
      text($("who-name"), "Signed in as " + who.name + " (" + who.role + ")");
      $("viewer-note").hidden = who.mayAct;
      Array.prototype.forEach.call(document.querySelectorAll("button.act"), function (b) {
        b.disabled = !who.mayAct;
        if (!who.mayAct) { b.setAttribute("aria-describedby", "viewer-note"); }
      });
      poll(refreshStatus, STATUS_EVERY);
      poll(refreshSeries, SERIES_EVERY);
      poll(refreshAudit, AUDIT_EVERY);
      $("main").focus();
    });
  }

  function signOut(message) {
    timers.forEach(clearTimeout); timers = [];
    sessionStorage.removeItem(KEY);
    me = null;
    $("console-view").hidden = true;
    $("who").hidden = true;
    $("sign-in-view").hidden = false;
    text($("sign-in-error"), typeof message === "string" ? message : "");
    $("key").focus();
  }

  function poll(refresh, every) {
    var slot = timers.length;
    function round() {
      if (!me) { return; }
      var run = document.hidden ? Promise.resolve() : refresh();
      run.then(connected, disconnected).then(function () {
        if (me) { timers[slot] = setTimeout(round, failures > 0 ? Math.min(every * (failures + 1), 15000) : every); }
      });
    }
    timers.push(0);
    round();
  }

  function connected() {
    failures = 0; lastOk = new Date();
    var c = $("connection"); c.className = "connection";
    text(c, "Live: updated " + lastOk.toISOString().slice(11, 19) + " UTC");
  }

  function disconnected(e) {
    failures++;
    var c = $("connection"); c.className = "connection lost";
    text(c, "Cannot reach the gateway (" + e.message + "); trying again. Last update: " + (lastOk ? lastOk.toISOString().slice(11, 19) + " UTC" : "never"));
  }

  // ---- reading ----
  function badge(node, value, good, warn) {
    text(node, value);
    node.className = "badge " + (good.indexOf(value) >= 0 ? "good" : warn.indexOf(value) >= 0 ? "warn" : "bad");
  }

  function refreshStatus() {
    return api("GET", "/admin/api/status").then(function (s) {
      badge($("mode"), s.mode, ["normal"], []);
      var detail = s.mode === "degraded" ? (s.reason || "") : "";
      if (s.modeSetBy) { detail += " — set by " + s.modeSetBy + " " + ago(s.modeSince); }
      if (s.modeUntil) { detail += "; back to normal by itself at " + fmtTime(s.modeUntil) + " UTC"; }
      text($("mode-detail"), detail);
      badge($("breaker"), s.breaker, ["closed"], ["half-open", "isolated"]);
      text($("banner-now"), s.banner ? s.banner.level + ": " + s.banner.message : "none");
      var p = s.parking || { count: s.parked };
      text($("parked-count"), fmtNum(p.count));
      text($("parked-detail"), p.count > 0
        ? "— oldest waiting " + ago(p.oldestSince) + (p.drainedLastMinute == null ? "" : "; " + fmtNum(p.drainedLastMinute) + " fewer than a minute ago")
        : "");
      var b = s.backend;
      text($("backend-now"), b.protocol + " · p50 " + b.p50Ms + " ms · p99 " + b.p99Ms + " ms · errors " + Math.round(b.recentFailureRatio * 100) + " % · budget " + b.budget.callsPerSecond + " calls/s");
      renderPerformances(s.queues || []);
      renderFailed(s.parking && s.parking.failed);
      renderReadiness(s.readiness || []);
      renderNodes(s.nodes || []);
    });
  }

  function stateOf(q) {
    if (q.paused) { return "paused"; }
    if (q.soldOut) { return "sold out"; }
    if (!q.opened) { return "lobby (before the opening)"; }
    return q.active ? "queueing" : "open, no queue";
  }

  function renderPerformances(queues) {
    var body = document.querySelector("#performances tbody");
    body.replaceChildren();
    $("perf-empty").hidden = queues.length > 0;
    queues.forEach(function (q) {
      var tr = el("tr");
      tr.dataset.performance = q.performanceId;
      tr.append(el("td", q.performanceId), el("td", stateOf(q)),
        el("td", fmtNum(q.waiting + (q.lobby || 0)), "num"), el("td", fmtNum(q.activeBuyers), "num"),
        el("td", fmtNum(q.admissionLimit), "num"), el("td", fmtNum(q.admittedPerMinute), "num"),
        el("td", q.waiting + (q.lobby || 0) === 0 ? "—" : fmtDuration(q.clearsInSeconds), "num"), el("td", fmtNum(q.seatsSold), "num"));
      body.append(tr);
    });
  }

  function renderFailed(failed) {
    var list = $("failed");
    if (!list) { return; }
    list.replaceChildren();
    (failed || []).forEach(function (f) {
      list.append(el("li", fmtTime(f.at) + " · " + f.purchaseId + " · " + f.failureCode + (f.message ? ": " + f.message : "")));
    });
    $("failed-empty").hidden = (failed || []).length > 0;
  }

  function renderReadiness(reports) {
    var box = $("readiness");
    box.replaceChildren();
    if (reports.length === 0) { box.append(el("p", "No on-sale in the next 24 hours.", "hint")); return; }
    reports.forEach(function (r) {
      var h = el("h3", (r.ready ? "Ready: " : "Not ready: ") + (r.name || "performance " + r.performanceId) + " — opens " + fmtTime(r.onSaleAt) + " UTC");
      var ul = el("ul", null, "checks");
      (r.checks || []).forEach(function (c) {
        var li = el("li");
        li.append(el("span", c.ok ? "OK" : "NOT OK", "mark " + (c.ok ? "ok" : "not")), document.createTextNode(" " + c.name.replace(/_/g, " ") + (c.detail ? ": " + c.detail : "")));
        ul.append(li);
      });
      box.append(h, ul);
    });
  }

  function renderNodes(nodes) {
    $("nodes-card").hidden = nodes.length === 0;
    var body = document.querySelector("#nodes tbody");
    body.replaceChildren();
    nodes.forEach(function (n) {
      var tr = el("tr");
      tr.append(el("td", n.id), el("td", n.host), el("td", n.version), el("td", n.ready ? "ready" : "not ready"), el("td", ago(n.lastSeen)), el("td", fmtTime(n.startedAt)));
      body.append(tr);
    });
  }

  function refreshAudit() {
    return api("GET", "/admin/api/audit").then(function (lines) {
      var body = document.querySelector("#audit tbody");
      body.replaceChildren();
      lines.slice(0, 30).forEach(function (a) {
        var tr = el("tr");
        tr.append(el("td", fmtTime(a.at)), el("td", a.operator), el("td", a.action), el("td", a.detail), el("td", a.reason));
        body.append(tr);
      });
    });
  }

  // ---- charts: plain SVG, drawn from the last ten minutes of one-second samples ----
  var SVG = "http://www.w3.org/2000/svg";

  function chart(figureId, samples, series, unit, label) {
    var figure = $(figureId);
    var svg = figure.querySelector("svg");
    if (!svg) {
      svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("class", "chart"); svg.setAttribute("viewBox", "0 0 600 110"); svg.setAttribute("preserveAspectRatio", "none");
      svg.setAttribute("role", "img");
      figure.append(svg);
    }
    svg.replaceChildren();
    var max = 0;
    samples.forEach(function (s) { series.forEach(function (f) { max = Math.max(max, f.value(s) || 0); }); });
    max = max <= 0 ? 1 : max * 1.15;
    var n = samples.length, w = 600, h = 100;
    series.forEach(function (f) {
      if (n === 0) { return; }
      var d = samples.map(function (s, i) {
        var x = n === 1 ? w : (i / (n - 1)) * w, y = 105 - ((f.value(s) || 0) / max) * h;
        return (i === 0 ? "M" : "L") + x.toFixed(1) + " " + y.toFixed(1);
      }).join(" ");
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d); path.setAttribute("fill", "none"); path.setAttribute("stroke", f.color);
      path.setAttribute("stroke-width", "2"); path.setAttribute("vector-effect", "non-scaling-stroke");
      svg.append(path);
    });
    var last = samples[n - 1];
    var now = series.map(function (f) { return f.name + " " + (last ? round(f.value(last)) : "—") + unit; }).join(", ");
    svg.setAttribute("aria-label", label + ", last " + Math.round(n / 60) + " minutes; now " + now + "; highest " + round(max / 1.15) + unit);
    text(figure.querySelector(".now"), "— now " + now);
  }

  function round(v) { return v == null ? "—" : Math.round(v * 10) / 10; }

  function refreshSeries() {
    return api("GET", "/admin/api/series").then(function (s) {
      var x = s.samples;
      chart("chart-latency", x, [{ name: "p50", color: "#0a58ca", value: function (p) { return p.p50Ms; } }, { name: "p99", color: "#a4161a", value: function (p) { return p.p99Ms; } }], " ms", "Backend latency");
      chart("chart-errors", x, [{ name: "errors", color: "#a4161a", value: function (p) { return p.errorRate * 100; } }], " %", "Backend errors");
      chart("chart-calls", x, [{ name: "made", color: "#0a58ca", value: function (p) { return p.callsPerSecond; } }, { name: "budget", color: "#a4161a", value: function (p) { return p.budgetPerSecond; } }], "/s", "Backend calls per second");
      chart("chart-parked", x, [{ name: "parked", color: "#0a58ca", value: function (p) { return p.parked; } }], "", "Parked purchases");
    });
  }

  // ---- acting ----
  function result(message, bad) { var r = $("action-result"); r.className = "result" + (bad ? " bad" : ""); text(r, message); }

  function requireReason(form) {
    var reason = form.elements.reason;
    if (!reason.value.trim()) { result("Give a reason: the audit keeps it.", true); reason.focus(); return null; }
    return reason.value.trim();
  }

  function act(path, body, done) {
    return api("PUT", path, body).then(function () { result(done); refreshStatus().then(connected, disconnected); refreshAudit(); },
      function (e) { result(e.code === "forbidden" ? "Refused: viewers may look, not change." : "Refused: " + e.message, true); });
  }

  function onMode(event) {
    event.preventDefault();
    var form = event.target, reason = requireReason(form);
    if (reason == null) { return; }
    var mode = form.elements.mode.value, minutes = parseFloat(form.elements.minutes.value), body = { mode: mode, reason: reason };
    if (mode === "degraded" && minutes > 0) { body.until = new Date(serverNow() + minutes * 60000).toISOString(); }
    act("/admin/api/mode", body, "Mode set to " + mode + (body.until ? ", back to normal by itself at " + fmtTime(body.until) + " UTC" : "") + ".");
  }

  function onBanner(event) {
    event.preventDefault();
    var form = event.target, reason = requireReason(form);
    if (reason == null) { return; }
    var message = form.elements.message.value.trim();
    act("/admin/api/banner", { message: message, level: form.elements.level.value, reason: reason }, message ? "Banner posted: every open widget shows it." : "Banner cleared.");
  }

  function onAdmission(event) {
    event.preventDefault();
    var form = event.target, reason = requireReason(form);
    if (reason == null) { return; }
    var id = parseInt(form.elements.performance.value, 10);
    if (!(id > 0)) { result("Give the performance's number.", true); form.elements.performance.focus(); return; }
    var paused = (event.submitter && event.submitter.value) === "true";
    var body = { paused: paused, reason: reason };
    if (paused && form.elements.message.value.trim()) { body.message = form.elements.message.value.trim(); }
    act("/admin/api/performances/" + id + "/admission", body, (paused ? "Admission paused" : "Admission resumed") + " for performance " + id + ".");
  }

  function onLookup(event) {
    event.preventDefault();
    var q = $("lookup-query").value.trim(), out = $("lookup-result"), table = $("lookup");
    if (!q) { out.className = "result bad"; text(out, "Enter an email or a purchase id."); return; }
    var path = "/admin/api/purchases?" + (q.indexOf("@") >= 0 ? "email=" : "purchaseId=") + encodeURIComponent(q);
    api("GET", path).then(function (r) {
      var body = table.querySelector("tbody");
      body.replaceChildren();
      var list = r.purchases || [];
      out.className = "result";
      text(out, list.length === 0 ? "No purchase found for " + q + "." : list.length + " purchase" + (list.length === 1 ? "" : "s") + " found for " + q + ".");
      table.hidden = list.length === 0;
      list.forEach(function (p) {
        var tr = el("tr"), trace = el("td");
        var standing = p.status + (p.failureCode ? " (" + p.failureCode + ")" : "") + (p.needsSupport ? " — needs support" : "");
        if (p.traceId && me.traceUrl) {
          var a = el("a", p.traceId.slice(0, 12) + "…"); a.href = me.traceUrl.replace("{traceId}", p.traceId); a.rel = "noreferrer"; a.target = "_blank";
          a.setAttribute("aria-label", "Trace " + p.traceId); trace.append(a);
        } else { text(trace, p.traceId || "—"); }
        tr.append(el("td", p.purchaseId), el("td", standing), el("td", p.performanceId),
          el("td", p.quantity + (p.seats && p.seats.length ? ": " + p.seats.join(", ") : "")), el("td", p.orderId || "—"),
          el("td", fmtTime(p.createdAt)), el("td", fmtTime(p.updatedAt)), trace);
        body.append(tr);
      });
    }, function (e) { out.className = "result bad"; text(out, "Lookup refused: " + e.message); table.hidden = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("sign-in").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", function () { signOut(""); });
    $("mode-form").addEventListener("submit", onMode);
    $("banner-form").addEventListener("submit", onBanner);
    $("admission-form").addEventListener("submit", onAdmission);
    $("lookup-form").addEventListener("submit", onLookup);
    if (sessionStorage.getItem(KEY)) { start().catch(function () { signOut("Sign in again."); }); } else { $("key").focus(); }
  });
})();
