// Fetches api/status and redraws the page; again every refreshMillis the server names.
// Where the JSON needs a token, the page takes it from #token=... (a fragment is never sent to a server; it is
// cleared from the address bar) or from its form, keeps it for this tab only, and sends it as a Bearer token.
"use strict";

const TOKEN_KEY = "hotline.status.token";

function takeTokenFromFragment() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

function askForToken(message) {
  const form = document.getElementById("login");
  document.getElementById("login-reason").textContent = message;
  form.hidden = false;
  form.onsubmit = event => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value);
    form.hidden = true;
    refresh();
  };
}

function outcomes(f) {
  return f.fanouts + " fanouts: " + f.delivered + " delivered, " + f.refused + " refused, " + f.timed_out
      + " timed out, " + f.rejected + " rejected, " + f.error + " errors";
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  if (cls) {
    const span = document.createElement("span");
    span.className = cls;
    span.textContent = text;
    td.appendChild(span);
  } else {
    td.textContent = text === null || text === undefined ? "–" : String(text);
  }
  row.appendChild(td);
}

// Times read as a clock in the browser's time zone (with the date when not today) and how long ago, e.g.
// "14:02:11 · 3 min ago"; the exact instant is in the cell's tooltip.
function clock(t) {
  const d = new Date(t);
  const pad = n => String(n).padStart(2, "0");
  const time = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  const today = new Date();
  return d.toDateString() === today.toDateString() ? time
      : d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time;
}

function duration(seconds) {
  if (seconds < 1) return "now";
  if (seconds < 120) return seconds.toFixed(0) + " s";
  if (seconds < 7200) return (seconds / 60).toFixed(0) + " min";
  if (seconds < 172800) return (seconds / 3600).toFixed(0) + " h";
  return (seconds / 86400).toFixed(0) + " d";
}

function ago(iso, now) {
  if (!iso) return "never";
  const s = Math.max(0, (Date.parse(now) - Date.parse(iso)) / 1000);
  return clock(iso) + " · " + (s < 1 ? "now" : duration(s) + " ago");
}

// A health since the page first saw it, because the store does not tell: it may hold since earlier, e.g.
// "≤ 14:02:11 · ≥ 3 min".
function atLeast(iso, now) {
  const s = Math.max(0, (Date.parse(now) - Date.parse(iso)) / 1000);
  return "≤ " + clock(iso) + " · ≥ " + (s < 1 ? "0 s" : duration(s));
}

function timeCell(row, iso, now, observed) {
  cell(row, observed && iso ? atLeast(iso, now) : ago(iso, now));
  const td = row.lastChild;
  if (iso) {
    td.title = iso + (observed ? ": when this page first saw it; the store does not say since when" : "");
  }
  if (observed) td.className = "muted";
}

const SVG = "http://www.w3.org/2000/svg";
const CHART_W = 180, CHART_H = 36;

// The highest value of a figure over a history, which its line is scaled to.
function peak(history, field) {
  return Math.max(0, ...history.map(p => p[field] || 0));
}

const LINES = [["callsPerSecond", "calls"], ["meanLatencyMs", "latency"]];

// One line per figure over the service's history, each scaled to its peak; a null is a gap in the line.
function chart(history, collectedAt, peaks) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", CHART_W);
  svg.setAttribute("height", CHART_H);
  svg.setAttribute("viewBox", "0 0 " + CHART_W + " " + CHART_H);
  const end = Date.parse(collectedAt);
  const span = Math.max(60000, end - (history.length ? history[0].at : end));
  const x = t => ((t - (end - span)) / span * (CHART_W - 2) + 1).toFixed(1);
  LINES.forEach(([field, cls]) => {
    const max = peaks[field];
    const y = v => (CHART_H - 2 - (max > 0 ? v / max : 0) * (CHART_H - 4)).toFixed(1);
    let points = [];
    const flush = () => {
      if (points.length > 1) {
        const line = document.createElementNS(SVG, "polyline");
        line.setAttribute("class", cls);
        line.setAttribute("points", points.join(" "));
        svg.appendChild(line);
      }
      points = [];
    };
    history.forEach(p => p[field] === null ? flush() : points.push(x(p.at) + "," + y(p[field])));
    flush();
  });
  const title = document.createElementNS(SVG, "title");
  title.textContent = "last " + duration(span / 1000);
  svg.appendChild(title);
  return svg;
}

// The chart and the peaks its lines are scaled to, so that two services' charts read alike.
function chartCell(row, history, collectedAt) {
  const peaks = {};
  LINES.forEach(([field]) => peaks[field] = peak(history, field));
  const td = row.insertCell();
  td.className = "chart-cell";
  td.appendChild(chart(history, collectedAt, peaks));
  const caption = document.createElement("span");
  caption.className = "muted peaks";
  caption.textContent = "peak " + peaks.callsPerSecond + "/s, " + peaks.meanLatencyMs + " ms";
  td.appendChild(caption);
}

function render(s) {
  const zones = document.getElementById("zones");
  zones.replaceChildren();
  s.zones.forEach(z => {
    const span = document.createElement("span");
    span.className = "zone";
    span.textContent = z + (z === s.homeZone ? " (home)" : "");
    zones.appendChild(span);
  });
  // The zones the endpoints are in, which may be deeper than the store's: how many pass in each.
  const inZone = {};
  s.services.forEach(svc => svc.endpoints.forEach(e => {
    const z = inZone[e.zone] || (inZone[e.zone] = {passing: 0, all: 0});
    z.all++;
    if (e.health === "passing") z.passing++;
  }));
  Object.keys(inZone).sort().forEach(z => {
    const span = document.createElement("span");
    span.className = "zone endpoint-zone";
    span.textContent = z + ": " + inZone[z].passing + "/" + inZone[z].all + " passing";
    zones.appendChild(span);
  });

  const services = document.querySelector("#services tbody");
  const endpoints = document.querySelector("#endpoints tbody");
  services.replaceChildren();
  endpoints.replaceChildren();
  s.services.forEach(svc => {
    const r = services.insertRow();
    r.dataset.service = svc.name;
    cell(r, svc.name);
    cell(r, svc.passing + " / " + svc.registered);
    cell(r, svc.callsPerSecond);
    cell(r, svc.meanLatencyMs);
    cell(r, svc.calls);
    chartCell(r, svc.history, s.collectedAt);
    svc.endpoints.forEach(e => {
      const er = endpoints.insertRow();
      er.className = "endpoint";
      er.dataset.server = e.server;
      cell(er, svc.name);
      cell(er, e.server);
      cell(er, e.zone);
      cell(er, e.address);
      cell(er, e.priority + " / " + e.weight);
      cell(er, e.health, e.health);
      timeCell(er, e.healthSince, s.collectedAt, e.healthSinceObserved);
      timeCell(er, e.lastSeenPassing, s.collectedAt, false);
      cell(er, e.calls);
    });
  });

  // Fanouts counted once each (at the broadcaster a client asked), deliveries at whichever broadcaster made them.
  document.getElementById("fanout").textContent = "all broadcasters: " + outcomes(s.fanout);
  const own = document.getElementById("own-fanout");
  own.hidden = !s.ownFanout;
  own.textContent = s.ownFanout ? "this broadcaster: " + outcomes(s.ownFanout) : "";
  const updated = document.getElementById("updated");
  if (!s.collectedAt) {
    updated.textContent = "collecting…";
    return Math.min(s.refreshMillis, 500);
  }
  updated.textContent = "collected " + clock(s.collectedAt) + " (" + (s.ageMillis / 1000).toFixed(1) + " s ago)"
      + (s.notScraped ? "; " + s.notScraped + " servers not scraped in time" : "");
  return s.refreshMillis;
}

function refresh() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = token ? {"Authorization": "Bearer " + token} : {};
  const u = document.getElementById("updated");
  fetch("api/status", {cache: "no-store", headers: headers})
    .then(r => {
      if (r.status === 401 || r.status === 403) {
        return r.json().then(body => { throw {needsToken: true, message: body.error.message}; });
      }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(s => { u.className = "muted"; setTimeout(refresh, render(s)); })
    .catch(e => {
      u.textContent = "cannot load the status: " + e.message;
      u.className = "error";
      if (e.needsToken) {
        askForToken(e.message);
      } else {
        setTimeout(refresh, 2000);
      }
    });
}

takeTokenFromFragment();
refresh();
