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

function ago(iso, now) {
  if (!iso) return "never";
  const s = (Date.parse(now) - Date.parse(iso)) / 1000;
  return s < 1 ? "now" : s.toFixed(0) + " s ago";
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
      cell(er, ago(e.healthSince, s.collectedAt));
      cell(er, ago(e.lastSeenPassing, s.collectedAt));
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
  updated.textContent = "collected " + s.collectedAt + " (" + (s.ageMillis / 1000).toFixed(1) + " s ago)"
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
