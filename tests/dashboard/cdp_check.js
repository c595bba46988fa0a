// Drives headless Chromium over the DevTools protocol (no npm packages: Node's
// own WebSocket) against a live `kpulse run` dashboard and checks what an
// operator would see: the hog's cgroup first in the CPU sort, an alert, its
// drill-down, no console errors. Saves a screenshot.
// Usage: node --experimental-websocket cdp_check.js DEVTOOLS_PORT PAGE_URL HOG_CGROUP SCREENSHOT
//        TIMEOUT_S [WIDTHxHEIGHT]
"use strict";
const fs = require("fs");
const [devtoolsPort, pageUrl, hogCgroup, screenshot, timeoutArg, viewport] = process.argv.slice(2);
const [width, height] = (viewport || "1400x1800").split("x").map(Number);
const timeoutMs = Number(timeoutArg || 120) * 1000;

function fail(msg) {
  console.error("FAIL: " + msg);
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const res = await fetch(`http://127.0.0.1:${devtoolsPort}/json/new?about:blank`, { method: "PUT" });
  if (!res.ok) fail("cannot open a tab: HTTP " + res.status);
  const target = await res.json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = () => bad(new Error("devtools socket")); });
  let next = 1;
  const pending = new Map();
  const consoleErrors = [];
  const urls = new Map(), fetched = [];
  let counting = false;
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && pending.has(msg.id)) {
      const { ok, bad } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) bad(new Error(JSON.stringify(msg.error))); else ok(msg.result);
      return;
    }
    if (msg.method === "Runtime.consoleAPICalled" && (msg.params.type === "error" || msg.params.type === "assert"))
      consoleErrors.push("console." + msg.params.type + ": " + msg.params.args.map((a) => a.value ?? a.description).join(" "));
    if (msg.method === "Runtime.exceptionThrown")
      consoleErrors.push("exception: " + (msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text));
    if (msg.method === "Network.responseReceived") urls.set(msg.params.requestId, msg.params.response.url);
    if (msg.method === "Network.loadingFinished" && counting)
      fetched.push({ url: urls.get(msg.params.requestId) || "", bytes: msg.params.encodedDataLength });
    if (msg.method === "Log.entryAdded" && msg.params.entry.level === "error")
      consoleErrors.push("log: " + msg.params.entry.text + " " + (msg.params.entry.url || ""));
  };
  const send = (method, params) => new Promise((ok, bad) => {
    const id = next++;
    pending.set(id, { ok, bad });
    ws.send(JSON.stringify({ id, method, params: params || {} }));
  });
  const evaluate = async (expr) => {
    const r = await send("Runtime.evaluate", { expression: expr, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error("evaluate: " + JSON.stringify(r.exceptionDetails));
    return r.result.value;
  };

  await send("Runtime.enable");
  await send("Log.enable");
  await send("Page.enable");
  await send("Network.enable");
  await send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
  await send("Page.navigate", { url: pageUrl });

  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  let seen = {};
  // The hog's cgroup leads the CPU-sorted table and an alert is shown.
  while (Date.now() < deadline) {
    seen = await evaluate(`(() => {
      const first = document.querySelector("#cgroups tbody tr");
      return { first: first ? first.dataset.id : null,
               alerts: [...document.querySelectorAll("#alerts-now .alert")].map((a) => a.textContent),
               charts: document.querySelectorAll("#chart-grid svg.chart").length,
               heatmaps: document.querySelectorAll("#heatmap-grid svg.heatmap").length };
    })()`);
    if (seen.first === hogCgroup && seen.alerts.length > 0 && seen.charts > 0) break;
    await sleep(1000);
  }
  console.log(`after ${((Date.now() - started) / 1000).toFixed(0)} s: first cgroup ${seen.first}, ` +
              `${seen.alerts.length} alerts, ${seen.charts} charts, ${seen.heatmaps} heatmaps`);
  for (const a of seen.alerts || []) console.log("  alert: " + a);
  if (seen.first !== hogCgroup) fail(`the CPU sort leads with ${seen.first}, not the hog ${hogCgroup}`);
  if (!seen.alerts.length) fail("no alert shown");
  if (!seen.charts) fail("no chart drawn");

  // Drill down: prefer the alert naming the hog.
  await evaluate(`(() => {
    const all = [...document.querySelectorAll("#alerts-now .alert")];
    (all.find((a) => a.textContent.includes(${JSON.stringify(hogCgroup)})) || all[0]).click();
  })()`);
  let detail = null;
  for (let i = 0; i < 30 && !detail; ++i) {
    await sleep(500);
    detail = await evaluate(`(() => {
      const d = document.getElementById("detail");
      if (d.hidden) return null;
      return { heads: [...d.querySelectorAll("h3")].map((h) => h.textContent), text: d.textContent.slice(0, 400) };
    })()`);
  }
  if (!detail) fail("the alert's drill-down did not open");
  console.log("drill-down: " + detail.heads.join(" | "));
  for (const want of ["Evidence", "Latency histogram", "Workload pattern", "Forecast", "Recommendation", "Tuning change in force"])
    if (!detail.heads.some((h) => h.startsWith(want))) fail("drill-down lacks the section " + want);

  // A sort click flips the table like top's column keys.
  await evaluate(`document.querySelector('#cgroups th[data-key="memory"]').click()`);
  const sorted = await evaluate(`document.querySelector('#cgroups th.sorted').dataset.key`);
  if (sorted !== "memory") fail("clicking the memory column did not sort by it");
  await evaluate(`document.querySelector('#cgroups th[data-key="cpu"]').click()`);

  // What the charts cost to keep live: each interval the page fetches only
  // the new interval's numbers, not the range's charts again (which were
  // ~450 KB a second of SVG for the 5-minute range).
  const kChartWindowS = 6, kChartBytesPerS = 16 * 1024;
  counting = true;
  await sleep(kChartWindowS * 1000);
  counting = false;
  const chartBytes = fetched.filter((f) => /\/api\/v1\/(live|charts)/.test(f.url)).reduce((a, f) => a + f.bytes, 0);
  const allBytes = fetched.reduce((a, f) => a + f.bytes, 0);
  console.log(`over ${kChartWindowS} s: ${fetched.length} requests, ${allBytes} bytes, ${chartBytes} for the charts`);
  if (chartBytes > kChartWindowS * kChartBytesPerS)
    fail(`the live charts fetched ${chartBytes} bytes in ${kChartWindowS} s (bound ${kChartBytesPerS} a second)`);

  await sleep(1500);
  const shot = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: false });
  fs.writeFileSync(screenshot, Buffer.from(shot.data, "base64"));
  if (consoleErrors.length) fail("console errors:\n  " + consoleErrors.join("\n  "));
  console.log("PASS: 0 console errors; screenshot " + screenshot);
  ws.close();
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
