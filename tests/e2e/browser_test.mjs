// Browser test: runs the pipeline once into a temporary data dir, serves the dashboard, loads
// it in Debian's headless Chromium through playwright-core, waits until the chart has drawn
// real points, the latest-observations table is filled and the runs grid shows the run (a click
// on a cell shows its log), and saves a screenshot.
// Usage: node browser_test.mjs <meteoflow binary> <artifact dir> <web dir>
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

// playwright-core is installed in web/node_modules (make deps).
const [bin, artifacts, webDir] = process.argv.slice(2);
const { chromium } = createRequire(path.join(path.resolve(webDir), "package.json"))("playwright-core");
const chromiumPath = "/usr/bin/chromium";
if (!fs.existsSync(chromiumPath)) {
  console.log("SKIP browser test: /usr/bin/chromium is not installed (make deps installs it)");
  process.exit(0);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mf-browser-"));
const once = spawnSync(bin, ["run", "--once", "--quiet", "--data-dir", dataDir], { encoding: "utf8" });
if (once.status !== 0) throw new Error(`run --once failed: ${once.stderr}`);

const port = await new Promise((resolve) => {
  const srv = net.createServer().listen(0, "127.0.0.1", () => {
    const p = srv.address().port;
    srv.close(() => resolve(p));
  });
});
const server = spawn(bin, ["serve", "--data-dir", dataDir, "--port", String(port)], { stdio: "ignore" });
const base = `http://127.0.0.1:${port}`;
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${base}/?city=Casablanca`);
  await page.waitForFunction(() => Number(document.getElementById("chart").dataset.points) > 0, null, { timeout: 30000 });
  const points = await page.$eval("#chart", (el) => Number(el.dataset.points));
  const drawn = await page.$$eval("#chart svg path", (els) => els.length);
  const rows = await page.$$eval("#latest tbody tr", (els) => els.length);
  const expected = (await (await fetch(`${base}/api/observations?city=Casablanca`)).json()).length;
  // The runs grid: run --once made one weather run of 4 tasks; a click shows a try's log.
  await page.waitForFunction(() => Number(document.getElementById("grid").dataset.cells) > 0, null, { timeout: 30000 });
  const cells = await page.$eval("#grid", (el) => Number(el.dataset.cells));
  const green = await page.$$eval("#grid td.cell.state-success", (els) => els.length);
  await page.click("#grid td.cell.state-success");
  await page.waitForFunction(() => document.getElementById("log").textContent.includes("stage"), null, { timeout: 10000 });
  const log = await page.$eval("#log", (el) => el.textContent);
  fs.mkdirSync(artifacts, { recursive: true });
  const shot = path.join(artifacts, "dashboard.png");
  await page.screenshot({ path: shot, fullPage: false });
  const checks = [
    [points === 2 * expected, `chart points ${points} == 2 x ${expected} observations`],
    [drawn > expected, `svg paths drawn ${drawn} > ${expected}`],
    [rows === 37, `latest table rows ${rows} == 37`],
    [cells === 4 && green === 4, `runs grid cells ${cells} == 4, all success (${green})`],
    [log.includes("collect try 1 (success)") && log.includes("stage collect ends"), `log shown on click: ${log.slice(0, 80)}`],
    [errors.length === 0, `no page errors (${errors.join("; ")})`],
  ];
  let failed = 0;
  for (const [ok, what] of checks) {
    console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
    if (!ok) failed++;
  }
  console.log(`screenshot: ${shot}`);
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
  fs.rmSync(dataDir, { recursive: true, force: true });
}
