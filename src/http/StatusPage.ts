/**
 * The status page's HTML: static, self-contained (no external scripts or
 * styles, so it loads over a TAP with no internet), with a script that
 * reads `/status.json` once a second and redraws. Elements carry ids and
 * `data-counter` names so tests (and people with devtools) can find each
 * value.
 *
 * @since 0.1.0
 */

/** @category constants */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gonet-ts status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; margin: 0 0 .3em; }
  h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
  #summary { color: #555; }
  .layers { display: flex; flex-wrap: wrap; gap: 1em; }
  table { border-collapse: collapse; }
  td, th { padding: .1em .6em; text-align: right; border-bottom: 1px solid #eee; }
  td:first-child, th:first-child { text-align: left; }
  .layer { border: 1px solid #ddd; border-radius: 4px; padding: .4em; }
  .layer h3 { margin: 0 0 .3em; font-size: 1em; }
  #error { color: #b00; }
</style>
</head>
<body>
<h1>gonet-ts <span id="address">…</span></h1>
<div id="summary">loading…</div>
<div id="error"></div>
<h2>Connections <span id="connection-count"></span></h2>
<table id="connections"><thead><tr>
  <th>local</th><th>remote</th><th>state</th><th>srtt ms</th><th>rto ms</th><th>cwnd</th><th>mss</th><th>acked</th><th>received</th><th>retransmits</th>
</tr></thead><tbody></tbody></table>
<h2>Counters</h2>
<div class="layers" id="layers"></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (v) => typeof v === "number" ? v.toLocaleString("en") : String(v);
const uptime = (s) => {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + (d || h || m ? m + "m " : "") + (s % 60) + "s";
};
function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
function draw(s) {
  $("address").textContent = s.address + "/" + s.prefixLength;
  $("summary").textContent = "mac " + s.mac + " · mtu " + s.mtu + (s.gateway ? " · gateway " + s.gateway : "") +
    " · up " + uptime(s.uptimeSeconds);
  $("summary").dataset.uptime = String(s.uptimeSeconds);
  const body = $("connections").tBodies[0];
  body.replaceChildren();
  for (const c of s.connections) {
    const row = document.createElement("tr");
    for (const v of [c.local, c.remote, c.state, c.srttMs === undefined ? "–" : c.srttMs.toFixed(2), c.rtoMs, fmt(c.cwnd), c.mss,
      fmt(c.bytesAcked), fmt(c.bytesReceived), c.retransmits]) cell(row, String(v));
    body.appendChild(row);
  }
  $("connection-count").textContent = "(" + s.connections.length + ")";
  const layers = $("layers");
  layers.replaceChildren();
  for (const [layer, fields] of Object.entries(s.stats)) {
    const box = document.createElement("div");
    box.className = "layer";
    const title = document.createElement("h3");
    title.textContent = layer;
    box.appendChild(title);
    const table = document.createElement("table");
    for (const [name, value] of Object.entries(fields)) {
      const entries = value !== null && typeof value === "object" ? Object.entries(value).map(([k, n]) => [name + " " + k, n]) : [[name, value]];
      for (const [label, n] of entries) {
        const row = document.createElement("tr");
        row.dataset.counter = layer + "." + label;
        cell(row, label);
        cell(row, fmt(n));
        row.lastChild.dataset.value = String(n);
        table.appendChild(row);
      }
    }
    box.appendChild(table);
    layers.appendChild(box);
  }
  document.body.dataset.updates = String(Number(document.body.dataset.updates || "0") + 1);
}
async function tick() {
  try {
    const r = await fetch("/status.json", { cache: "no-store" });
    draw(await r.json());
    $("error").textContent = "";
  } catch (e) {
    $("error").textContent = "cannot read /status.json: " + e;
  }
}
tick();
setInterval(tick, 1000);
</script>
</body>
</html>
`
