// The dashboard page: a city's temperature and humidity with predictions overlaid, the latest
// observation of every city, and the runs grid (runs.ts). Data comes from the JSON API only.
import * as echarts from "echarts";
import { api, City, Observation, Prediction } from "./api";
import { setUpRuns } from "./runs";

const chartElement = document.getElementById("chart") as HTMLDivElement;
const chart = echarts.init(chartElement, undefined, { renderer: "svg" });
const citySelect = document.getElementById("city") as HTMLSelectElement;
const statusElement = document.getElementById("status") as HTMLSpanElement;

const fmt = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "–" : v.toFixed(digits));

function series(rows: Observation[], key: "temperature_2m" | "humidity") {
  return rows.filter((r) => r[key] !== null).map((r) => [r.time, r[key]] as [string, number]);
}

// Per target time, the prediction made last (a train run re-predicts with its new model).
function newest(preds: Prediction[], variable: string): Prediction[] {
  const byTarget = new Map<string, Prediction>();
  for (const p of preds) {
    if (p.variable !== variable) continue;
    const seen = byTarget.get(p.target_time);
    if (!seen || p.created_at > seen.created_at) byTarget.set(p.target_time, p);
  }
  return [...byTarget.values()].sort((a, b) => a.target_time.localeCompare(b.target_time));
}

function predicted(preds: Prediction[], variable: string, last: [string, number] | undefined) {
  const points = newest(preds, variable).map((p) => [p.target_time, p.value] as [string, number]);
  return last ? [last, ...points] : points;
}

function modelOf(preds: Prediction[], variable: string) {
  return newest(preds, variable).at(-1)?.model ?? "no model yet";
}

async function drawCity(city: string) {
  const [rows, preds] = await Promise.all([api.observations(city), api.predictions(city)]);
  const temp = series(rows, "temperature_2m");
  const humidity = series(rows, "humidity");
  chart.setOption(
    {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 40, bottom: 40 },
      xAxis: { type: "time" },
      yAxis: [
        { type: "value", name: "°C", scale: true },
        { type: "value", name: "%", min: 0, max: 100 },
      ],
      series: [
        { name: "temperature (°C)", type: "line", data: temp, showSymbol: true, symbolSize: 4 },
        { name: "humidity (%)", type: "line", yAxisIndex: 1, data: humidity, showSymbol: true, symbolSize: 4 },
        { name: "temperature forecast", type: "line", data: predicted(preds, "temp", temp.at(-1)), lineStyle: { type: "dashed" } },
        { name: "humidity forecast", type: "line", yAxisIndex: 1, data: predicted(preds, "humidity", humidity.at(-1)), lineStyle: { type: "dashed" } },
      ],
    },
    true,
  );
  chartElement.dataset.points = String(temp.length + humidity.length);
  chartElement.dataset.city = city;
  statusElement.textContent =
    `${rows.length} observations, ${preds.length} predictions ` +
    `(temperature: ${modelOf(preds, "temp")}, humidity: ${modelOf(preds, "humidity")})`;
}

function fillLatest(cities: City[]) {
  const body = document.querySelector("#latest tbody") as HTMLTableSectionElement;
  body.replaceChildren(
    ...cities.map((c) => {
      const tr = document.createElement("tr");
      const l = c.latest;
      for (const text of [c.name, l?.time ?? "–", fmt(l?.temperature_2m), fmt(l?.humidity, 0), fmt(l?.pressure, 0), fmt(l?.wind_speed), l?.sources ?? "–"]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

async function main() {
  try {
    const cities = await api.cities();
    citySelect.replaceChildren(...cities.map((c) => new Option(c.name, c.name)));
    const wanted = new URLSearchParams(location.search).get("city");
    citySelect.value = cities.some((c) => c.name === wanted) ? (wanted as string) : (cities[0]?.name ?? "");
    citySelect.addEventListener("change", () => drawCity(citySelect.value));
    fillLatest(cities);
    await Promise.all([drawCity(citySelect.value), setUpRuns()]);
  } catch (err) {
    statusElement.textContent = `error: ${(err as Error).message}`;
  }
}

// New readings arrive at every tick (live collection, or the replay's next slice): the latest
// table and the chart are fetched again every REFRESH_MS, keeping the chosen city.
const REFRESH_MS = 30_000;

async function refresh() {
  try {
    fillLatest(await api.cities());
    if (citySelect.value) await drawCity(citySelect.value);
  } catch (err) {
    statusElement.textContent = `error: ${(err as Error).message}`;
  }
}

window.addEventListener("resize", () => chart.resize());
main().then(() => setInterval(refresh, REFRESH_MS));
