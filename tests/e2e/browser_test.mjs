// Browser test of the dashboard: Debian's headless Chromium through playwright-core.
//
// Builds a data dir from the bundled recording (hourly runs over 2024-12-03..05, a train run in
// between, so there are predictions over time, registered models and scored errors), with one
// city renamed to something hostile (quotes, markup, unicode). Then it visits every section and
// checks each chart's series and point counts and each table's rows against the JSON API (read
// from the charts' data attributes, never from pixels), saves a screenshot per section, checks
// that filters survive a reload through the URL, that a new run's data appears without a reload
// (Server-Sent Events), that the odd city name renders as text, and that the page requests
// nothing but the server itself. It prints the overview's first-load time (no assertion on it).
// Usage: node browser_test.mjs <meteoflow binary> <artifact dir> <web dir>
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

const [bin, artifacts, webDir] = process.argv.slice(2);
const root = path.resolve(webDir, "..");
const { chromium } = createRequire(path.join(path.resolve(webDir), "package.json"))("playwright-core");
const chromiumPath = "/usr/bin/chromium";
if (!fs.existsSync(chromiumPath)) {
  console.log("SKIP browser test: /usr/bin/chromium is not installed (make deps installs it)");
  process.exit(0);
}

const ODD_NAME = `Casa "Q" <b>bold</b> & <img src=x onerror=window.__xss=1> ünï`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-browser-"));
const config = path.join(dataDir, "meteoflow.yaml");
fs.writeFileSync(
  config,
  fs
    .readFileSync(path.join(root, "config/meteoflow.yaml"), "utf8")
    .replace('name: "Casablanca"', `name: ${JSON.stringify(ODD_NAME)}`)
    .replaceAll("../data/demo/", `${root}/data/demo/`),
);

function meteoflow(...args) {
  const r = spawnSync(bin, [...args, "--config", config, "--data-dir", dataDir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`meteoflow ${args.join(" ")} failed: ${r.stderr}`);
}
const HOUR = 3_600_000;
function runHours(from, to) {
  for (let t = Date.parse(from); t < Date.parse(to); t += HOUR) {
    meteoflow("run", "--once", "--quiet", "--from", new Date(t).toISOString(), "--to", new Date(t + HOUR).toISOString());
  }
}
const prepared = Date.now();
runHours("2024-12-03T22:00:00Z", "2024-12-05T00:00:00Z");
meteoflow("train");
runHours("2024-12-05T00:00:00Z", "2024-12-05T21:00:00Z");
console.log(`data prepared in ${((Date.now() - prepared) / 1000).toFixed(1)} s`);

const port = await new Promise((resolve) => {
  const srv = net.createServer().listen(0, "127.0.0.1", () => {
    const p = srv.address().port;
    srv.close(() => resolve(p));
  });
});
const server = spawn(bin, ["serve", "--config", config, "--data-dir", dataDir, "--port", String(port)], { stdio: "ignore" });
const base = `http://127.0.0.1:${port}`;
const get = async (p) => {
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
  return r.json();
};
const q = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined)).toString();

const checks = [];
const check = (ok, what) => checks.push([Boolean(ok), what]);
let browser;
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {}
    if (i > 100) throw new Error("server did not answer /api/health");
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [], foreign = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    if (!r.url().startsWith(base + "/") && !r.url().startsWith("data:")) foreign.push(r.url());
  });
  fs.mkdirSync(artifacts, { recursive: true });

  const drawn = (id) => page.$eval(`#${id}`, (el) => ({ points: Number(el.dataset.points), series: JSON.parse(el.dataset.series || "[]") }));
  const rowsOf = (sel) => page.$eval(`${sel} table`, (t) => Number(t.dataset.rows));
  async function open(url, section) {
    await page.goto(base + url);
    await waitRendered(section);
  }
  async function waitRendered(section) {
    await page.waitForFunction((s) => document.body.dataset.rendered === s && document.body.dataset.busy === "0", section, { timeout: 30000 });
  }
  async function shot(name) {
    await page.screenshot({ path: path.join(artifacts, `dashboard-${name}.png`), fullPage: true });
  }
  const cities = await get("/api/cities");
  const newest = cities.flatMap((c) => (c.latest ? [c.latest.time] : [])).sort().at(-1);

  // Overview, timed from navigation to the map and table drawn.
  const started = Date.now();
  await open("/?section=overview", "overview");
  const firstLoadMs = Date.now() - started;
  const inPage = await page.evaluate(() => Math.round(performance.now()));
  console.log(`first load of the overview: ${firstLoadMs} ms navigation-to-charts-drawn (page clock ${inPage} ms)`);
  const withTemp = cities.filter((c) => c.latest && c.latest.temperature_2m !== null).length;
  check((await drawn("map")).points === withTemp, `overview map points ${(await drawn("map")).points} == ${withTemp} cities with a temperature`);
  check((await rowsOf("#latest")) === cities.filter((c) => c.latest).length, `latest table rows == cities with a reading (${cities.filter((c) => c.latest).length})`);
  check((await page.$$eval("#freshness li", (l) => l.length)) === 2, "freshness lists both sources");
  const dead = await get("/api/dead-letters?limit=5");
  check(Number(await page.$eval("#dead-letters", (e) => e.dataset.total)) === dead.total, `dead-letter count shown == ${dead.total}`);
  const shownText = await page.$eval("#latest", (e) => e.textContent);
  check(shownText.includes(ODD_NAME), "the odd city name is shown as text in the latest table");
  const markup = await page.evaluate(() => ({ b: document.querySelectorAll("main b").length, img: document.querySelectorAll("img").length, xss: window.__xss }));
  check(markup.b === 0 && markup.img === 0 && markup.xss === undefined, `no markup from data: <b> ${markup.b}, <img> ${markup.img}, script ran: ${markup.xss}`);
  await page.click("#latest th:nth-child(3)");  // sort by the third column
  check(new URL(page.url()).searchParams.get("sort") === "temperature_2m", `sorting puts sort=${new URL(page.url()).searchParams.get("sort")} in the URL`);
  await shot("overview");

  // Per source, OpenWeatherMap then Open-Meteo.
  for (const source of ["openweathermap", "openmeteo"]) {
    await open(`/?section=sources&source=${source}&city=Rabat`, "sources");
    const summary = await get(`/api/sources/${source}/summary`);
    const withData = summary.cities.filter((c) => c.count > 0).length;
    const series = async (fields) => {
      const s = await get(`/api/series?${q({ city: "Rabat", source, fields: fields.join(",") })}`);
      return fields.reduce((n, f) => n + (s.series[f] ?? []).length, 0);
    };
    const expected =
      source === "openweathermap"
        ? {
            "owm-temp-humidity": summary.scatter[0].points.length,
            "owm-temp-histogram": summary.histograms.temp.bins.length,
            "owm-temp-bands": summary.bands.temp.length,
            "owm-humidity-histogram": summary.histograms.humidity.bins.length,
            "owm-visibility": withData,
            "owm-city-means": 2 * withData,
            "owm-clouds": await series(["clouds_all"]),
            "owm-feels-like": await series(["temp", "feels_like"]),
            "owm-min-max": await series(["temp_min", "temp", "temp_max"]),
          }
        : {
            "om-temp-humidity": summary.scatter[0].points.length,
            "om-temp-bands": summary.bands.temperature_2m.length,
            "om-apparent-pressure": summary.scatter[1].points.length,
            "om-humidity-bands": summary.bands.relative_humidity_2m.length,
            "om-temp-time": await series(["temperature_2m", "apparent_temperature"]),
          };
    for (const [id, n] of Object.entries(expected)) {
      const got = await drawn(id);
      check(got.points === n && n > 0, `${source} chart ${id}: ${got.points} points == API ${n}`);
    }
    const readings = await get(`/api/sources/${source}/readings?city=Rabat`);
    check((await rowsOf("#source-raw")) === readings.rows.length, `${source} raw table rows == API ${readings.rows.length}`);
    await shot(`sources-${source}`);
  }
  const minMax = await drawn("owm-min-max").catch(() => null);
  check(minMax === null, "switching source replaces the other source's charts");

  // Source comparison.
  await open("/?section=compare&city=Rabat", "compare");
  const cmp = await get("/api/compare");
  const compared = cmp.cities.filter((c) => c.openweathermap || c.openmeteo).length;
  for (const id of ["temperature", "humidity", "pressure"]) {
    const got = await drawn(`compare-latest-${id}`);
    check(got.series.length === 2 && got.points === 2 * compared, `compare latest ${id}: 2 series, ${got.points} bars == ${2 * compared}`);
  }
  const pairs = { temperature: ["temp", "temperature_2m"], humidity: ["humidity", "relative_humidity_2m"], pressure: ["grnd_level", "surface_pressure"] };
  for (const [id, [owm, om]] of Object.entries(pairs)) {
    const a = await get(`/api/series?${q({ city: "Rabat", source: "openweathermap", fields: owm })}`);
    const b = await get(`/api/series?${q({ city: "Rabat", source: "openmeteo", fields: om })}`);
    const n = a.series[owm].length + b.series[om].length;
    check((await drawn(`compare-time-${id}`)).points === n, `compare over time ${id}: ${(await drawn(`compare-time-${id}`)).points} == API ${n}`);
  }
  check((await rowsOf("#compare-mad")) === cmp.cities.length, `difference table rows == ${cmp.cities.length} cities`);
  await shot("compare");

  // Forecasts: one lead time at a time, the newest forecast beyond the data, skill per lead time.
  const variables = ["temp", "humidity", "pressure", "sea_level", "visibility", "wind_speed"];
  const actual = await get(`/api/series?${q({ city: "Rabat", fields: variables.join(",") })}`);
  const newestForecast = await get("/api/forecast?city=Rabat");
  check(newestForecast.predictions.length > 0 && newestForecast.predictions.every((p) => p.issued_at === newestForecast.issued_at),
        `newest forecast: ${newestForecast.predictions.length} predictions, all issued at ${newestForecast.issued_at}`);
  for (const lead of [1, 6]) {
    await open(`/?section=forecasts&city=Rabat&lead=${lead}`, "forecasts");
    check((await page.$eval("#forecast-horizon", (s) => s.value)) === String(lead), `lead ${lead} chosen from the URL`);
    const preds = await get(`/api/predictions?city=Rabat&horizon=${lead}`);
    for (const v of variables) {
      const got = await drawn(`forecast-${v}`);
      const targets = new Set(preds.filter((p) => p.variable === v).map((p) => p.target_time)).size;
      const ahead = newestForecast.predictions.filter((p) => p.variable === v).length + 1;  // + the issue point
      const byName = Object.fromEntries(got.series.map((s) => [s.name, s.points]));
      check(byName.actual === actual.series[v].length && byName.predicted === targets && targets > 0 && byName["95 % interval"] > 0 &&
            byName["newest forecast"] === ahead,
            `forecast ${v} at lead ${lead}: actual ${byName.actual} == ${actual.series[v].length}, predicted ${byName.predicted} == ${targets}, 95 % band ${byName["95 % interval"]}, newest ${byName["newest forecast"]} == ${ahead}`);
    }
    const errorSummary = await get(`/api/errors/summary?horizon=${lead}`);
    check((await drawn("error-bars")).points === errorSummary.filter((e) => e.variable === "temp").length, `error bars at lead ${lead}: one per city with scored temp predictions`);
    check((await drawn("error-time")).points === (await get(`/api/errors?city=Rabat&horizon=${lead}`)).length, `error over time at lead ${lead}: every scored prediction of the city`);
  }
  const offered = await page.$$eval("#forecast-horizon option", (o) => o.map((x) => Number(x.value)));
  const byHorizon = (await get("/api/errors/horizons?city=Rabat")).filter((s) => offered.includes(s.horizon));
  const skillRows = await page.$$eval("#skill-table tbody tr", (rows) => rows.length);
  const skillColumns = await page.$$eval("#skill-table thead th", (cells) => cells.length);
  check(skillRows === new Set(byHorizon.map((s) => s.variable)).size && skillColumns === new Set(byHorizon.map((s) => s.horizon)).size + 1 && skillColumns > 2,
        `skill table: ${skillRows} variables x ${skillColumns - 1} of the offered lead times, as /api/errors/horizons`);
  check((await page.$$eval("#forecast-best li", (l) => l.length)) === 3, "three best cities listed");
  await shot("forecasts");

  // Runs: grid, log on click, durations.
  await open("/?section=runs", "runs");
  await page.waitForFunction(() => Number(document.getElementById("grid").dataset.cells) > 0, null, { timeout: 30000 });
  const weatherRuns = (await get("/api/runs?limit=200")).filter((r) => r.dag_id === "weather");
  const cells = await page.$eval("#grid", (el) => Number(el.dataset.cells));
  check(cells === 4 * Math.min(24, weatherRuns.length), `runs grid cells ${cells} == 4 tasks x ${Math.min(24, weatherRuns.length)} runs`);
  await page.click("#grid td.cell.state-success");
  await page.waitForFunction(() => document.getElementById("log").textContent.includes("stage"), null, { timeout: 10000 });
  const durations = await drawn("durations");
  check(durations.series.length === 4 && durations.points === 4 * weatherRuns.length, `durations: 4 tasks, ${durations.points} points == ${4 * weatherRuns.length}`);
  await shot("runs");

  // Filters survive a reload through the URL.
  await open("/?section=sources&source=openmeteo&city=Rabat&range=24h", "sources");
  await page.reload();
  await waitRendered("sources");
  const kept = await page.evaluate(() => ({
    range: document.getElementById("range").value,
    city: document.getElementById("city").value,
    tab: document.querySelector("#source-tabs button.active")?.value,
  }));
  const end = Date.parse(newest) + 1;
  const ranged = await get(`/api/series?${q({ city: "Rabat", source: "openmeteo", fields: "temperature_2m,apparent_temperature", from: new Date(end - 24 * HOUR).toISOString(), to: new Date(end).toISOString() })}`);
  const rangedPoints = ranged.series.temperature_2m.length + ranged.series.apparent_temperature.length;
  check(kept.range === "24h" && kept.city === "Rabat" && kept.tab === "openmeteo", `after reload: range ${kept.range}, city ${kept.city}, tab ${kept.tab}`);
  check((await drawn("om-temp-time")).points === rangedPoints, `the 24 h range is honoured: ${(await drawn("om-temp-time")).points} == API ${rangedPoints}`);

  // Live: a new run's data appears without a reload.
  await open("/?section=overview&range=all", "overview");
  await page.evaluate(() => (window.__sameDocument = true));
  await page.waitForFunction(() => document.getElementById("live").classList.contains("on"), null, { timeout: 10000 });
  const before = await page.$eval("#latest", (e) => e.textContent.includes("2024-12-09"));
  meteoflow("run", "--once", "--quiet", "--from", "2024-12-09T00:00:00Z", "--to", "2024-12-10T00:00:00Z");
  const committed = Date.now();
  await page.waitForFunction(() => document.getElementById("latest").textContent.includes("2024-12-09"), null, { timeout: 15000 });
  const sameDocument = await page.evaluate(() => window.__sameDocument === true);
  check(!before && sameDocument, `new run's readings shown ${Date.now() - committed} ms after the run ended, without a reload`);
  await shot("live");

  check(foreign.length === 0, `no request beyond the server (${foreign.slice(0, 3).join(", ")})`);
  check(errors.length === 0, `no page errors (${errors.join("; ")})`);
  let failed = 0;
  for (const [ok, what] of checks) {
    console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
    if (!ok) failed++;
  }
  console.log(`screenshots: ${artifacts}/dashboard-*.png`);
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
  fs.rmSync(dataDir, { recursive: true, force: true });
}
