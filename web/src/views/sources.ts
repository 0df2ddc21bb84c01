// Per source: the original dashboard's charts of each source's own readings, and a raw table
// with every field. Bands are bars, not the original's pies: counts side by side compare at a
// glance and keep their order (cold to hot), which pie slices do not (docs/DASHBOARD.md).
import { api, type Range, type Reading, type SourceName, type SourceSummary } from "../api";
import { draw, type Option, timeLines, tooltipAxis } from "../charts";
import { byId, h } from "../dom";
import { param, setParams } from "../state";
import { renderTable } from "../table";
import { ViewContext } from "./context";

const grid = { left: 56, right: 24, top: 40, bottom: 40, containLabel: false };

function chartBox(id: string, title: string): HTMLDivElement {
  const el = h("div", { class: "chart", id, "data-chart": id });
  byId("source-charts").append(h("figure", {}, h("figcaption", {}, title), el));
  return el;
}

function scatterOption(s: SourceSummary["scatter"][number], xName: string, yName: string): Option {
  return {
    tooltip: { trigger: "item" },
    grid,
    xAxis: { type: "value", name: xName, scale: true },
    yAxis: { type: "value", name: yName, scale: true },
    series: [{ name: `${s.y} vs ${s.x}`, type: "scatter", symbolSize: 4, data: s.points.map(([x, y]) => [x, y]) }],
  };
}

function histogramOption(name: string, hist: SourceSummary["histograms"][string], unit: string): Option {
  return {
    tooltip: tooltipAxis,
    grid,
    xAxis: { type: "category", name: unit, data: hist.bins.map(([start]) => `${start}–${start + hist.width}`) },
    yAxis: { type: "value", name: "readings" },
    series: [{ name, type: "bar", data: hist.bins.map(([, count]) => count), barCategoryGap: "5%" }],
  };
}

function bandsOption(name: string, bands: { band: string; count: number }[]): Option {
  return {
    tooltip: tooltipAxis,
    grid: { ...grid, left: 120 },
    xAxis: { type: "value", name: "readings" },
    yAxis: { type: "category", data: bands.map((b) => b.band) },
    series: [{ name, type: "bar", data: bands.map((b) => b.count), label: { show: true, position: "right" } }],
  };
}

function perCityOption(summary: SourceSummary, fields: [string, string][]): Option {
  const cities = summary.cities.filter((c) => c.count > 0);
  return {
    tooltip: tooltipAxis,
    legend: { top: 0 },
    grid: { ...grid, bottom: 90 },
    xAxis: { type: "category", data: cities.map((c) => c.city_name), axisLabel: { rotate: 60, interval: 0 } },
    yAxis: fields.map(([, unit], i) => ({ type: "value", name: unit, position: i ? "right" : "left", scale: true })),
    series: fields.map(([field, unit], i) => ({
      name: `mean ${field} (${unit})`,
      type: "bar",
      yAxisIndex: i,
      data: cities.map((c) => c.mean[field] ?? null),
    })),
  };
}

async function timeOption(city: string, source: SourceName, fields: string[], unit: string, range: Range) {
  const s = await api.series(city, source, fields, range);
  return timeLines(fields.map((f) => ({ name: f, data: s.series[f] ?? [] })), unit);
}

function rawTable(readings: Reading[], total: number) {
  const columns = ["city_name", "time", "fetched_at"];
  const rows = readings.map((r) => {
    const row: Record<string, string | number | null> = { city_name: r.city_name, time: r.time, fetched_at: r.fetched_at };
    for (const [k, v] of [...Object.entries(r.values), ...Object.entries(r.labels)]) {
      if (!columns.includes(k)) columns.push(k);
      row[k] = v;
    }
    return row;
  });
  const render = (shown: string[], sort: string) => renderTable(byId("source-raw"), { columns, shown, sort, rows, onChange: render });
  render(columns, param("sort") || "-time");
  byId("source-raw-caption").textContent = `${readings.length} newest of ${total} readings`;
}

async function openWeatherMap(city: string, range: Range, summary: SourceSummary) {
  const [pair] = summary.scatter;
  draw(chartBox("owm-temp-humidity", "Temperature vs humidity (all cities)"), scatterOption(pair!, "temp °C", "humidity %"));
  draw(chartBox("owm-temp-histogram", "Temperature histogram"), histogramOption("temp", summary.histograms["temp"]!, "°C"));
  draw(chartBox("owm-temp-bands", "Temperature bands"), bandsOption("temp", summary.bands["temp"]!));
  draw(chartBox("owm-humidity-histogram", "Humidity histogram"), histogramOption("humidity", summary.histograms["humidity"]!, "%"));
  draw(chartBox("owm-visibility", "Mean visibility per city"), perCityOption(summary, [["visibility", "m"]]));
  draw(chartBox("owm-city-means", "Mean temperature and humidity per city"), perCityOption(summary, [["temp", "°C"], ["humidity", "%"]]));
  const [clouds, feels, minmax] = await Promise.all([
    timeOption(city, "openweathermap", ["clouds_all"], "%", range),
    timeOption(city, "openweathermap", ["temp", "feels_like"], "°C", range),
    timeOption(city, "openweathermap", ["temp_min", "temp", "temp_max"], "°C", range),
  ]);
  draw(chartBox("owm-clouds", `Clouds over time: ${city}`), clouds);
  draw(chartBox("owm-feels-like", `Temperature and feels-like over time: ${city}`), feels);
  draw(chartBox("owm-min-max", `Min / max temperature over time: ${city}`), minmax);
}

async function openMeteo(city: string, range: Range, summary: SourceSummary) {
  const [tempHumidity, apparentPressure] = summary.scatter;
  draw(chartBox("om-temp-humidity", "Temperature vs humidity (all cities)"), scatterOption(tempHumidity!, "temperature_2m °C", "relative_humidity_2m %"));
  draw(chartBox("om-temp-bands", "Temperature bands"), bandsOption("temperature_2m", summary.bands["temperature_2m"]!));
  draw(chartBox("om-apparent-pressure", "Apparent temperature vs pressure (all cities)"), scatterOption(apparentPressure!, "apparent_temperature °C", "pressure_msl hPa"));
  draw(chartBox("om-humidity-bands", "Humidity bands"), bandsOption("relative_humidity_2m", summary.bands["relative_humidity_2m"]!));
  draw(chartBox("om-temp-time", `Temperature and apparent temperature over time: ${city}`),
       await timeOption(city, "openmeteo", ["temperature_2m", "apparent_temperature"], "°C", range));
}

export async function sources(ctx: ViewContext) {
  const source: SourceName = param("source") === "openmeteo" ? "openmeteo" : "openweathermap";
  for (const b of document.querySelectorAll<HTMLButtonElement>("#source-tabs button")) {
    b.classList.toggle("active", b.value === source);
    b.onclick = () => {
      setParams({ source: b.value }, true);
      window.dispatchEvent(new Event("meteoflow:navigate"));
    };
  }
  const [summary, readings] = await Promise.all([api.summary(source, ctx.range), api.readings(source, ctx.range, ctx.city)]);
  byId("source-charts").replaceChildren();
  byId("source-summary").textContent = `${summary.rows} readings from ${summary.cities.filter((c) => c.count).length} cities in range`;
  if (source === "openweathermap") await openWeatherMap(ctx.city, ctx.range, summary);
  else await openMeteo(ctx.city, ctx.range, summary);
  rawTable(readings.rows, readings.total);
}
