// Source comparison: per city, OpenWeatherMap beside Open-Meteo for temperature, humidity and
// pressure at the ground (grnd_level vs surface_pressure): grouped bars of the latest readings,
// one city's readings over time, and the mean absolute difference per city and variable.
import { api, type Comparison } from "../api";
import { draw, type Option, timeLines, tooltipAxis } from "../charts";
import { byId, h } from "../dom";
import { param, setParams } from "../state";
import { renderTable } from "../table";
import { ViewContext } from "./context";

const PAIRS = [
  { id: "temperature", title: "Temperature (°C)", owm: "temp", om: "temperature_2m" },
  { id: "humidity", title: "Humidity (%)", owm: "humidity", om: "relative_humidity_2m" },
  { id: "pressure", title: "Pressure at the ground (hPa)", owm: "grnd_level", om: "surface_pressure" },
] as const;

function latestBars(cmp: Comparison, pair: (typeof PAIRS)[number]): Option {
  const cities = cmp.cities.filter((c) => c.openweathermap || c.openmeteo);
  const owm = cities.map((c) => (c.openweathermap as Record<string, number | null | string> | null)?.[pair.owm] ?? null);
  const om = cities.map((c) => (c.openmeteo as Record<string, number | null | string> | null)?.[pair.om] ?? null);
  return {
    tooltip: tooltipAxis,
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 36, bottom: 90 },
    xAxis: { type: "category", data: cities.map((c) => c.city_name), axisLabel: { rotate: 60, interval: 0 } },
    yAxis: { type: "value", scale: true },
    series: [
      { name: `OpenWeatherMap ${pair.owm}`, type: "bar", data: owm },
      { name: `Open-Meteo ${pair.om}`, type: "bar", data: om },
    ],
  };
}

async function cityOverTime(ctx: ViewContext, pair: (typeof PAIRS)[number]): Promise<Option> {
  const [owm, om] = await Promise.all([
    api.series(ctx.city, "openweathermap", [pair.owm], ctx.range),
    api.series(ctx.city, "openmeteo", [pair.om], ctx.range),
  ]);
  return timeLines(
    [
      { name: `OpenWeatherMap ${pair.owm}`, data: owm.series[pair.owm] ?? [] },
      { name: `Open-Meteo ${pair.om}`, data: om.series[pair.om] ?? [] },
    ],
    "",
  );
}

function differences(cmp: Comparison) {
  const rows = cmp.cities.map((c) => ({
    city_name: c.city_name,
    pairs: c.pairs,
    temperature: c.mean_abs_difference.temperature,
    humidity: c.mean_abs_difference.humidity,
    pressure: c.mean_abs_difference.pressure,
  }));
  const columns = ["city_name", "pairs", "temperature", "humidity", "pressure"];
  const render = (shown: string[], sort: string) => {
    setParams({ sort });
    renderTable(byId("compare-mad"), { columns, shown, sort, rows, onChange: render });
  };
  render(columns, param("sort") || "-temperature");
}

export async function compare(ctx: ViewContext) {
  const cmp = await api.compare(ctx.range);
  const box = byId("compare-charts");
  box.replaceChildren();
  const add = (id: string, title: string) => {
    const el = h("div", { class: "chart", id, "data-chart": id });
    box.append(h("figure", {}, h("figcaption", {}, title), el));
    return el;
  };
  for (const pair of PAIRS) draw(add(`compare-latest-${pair.id}`, `${pair.title}: latest reading per city`), latestBars(cmp, pair));
  const overTime = await Promise.all(PAIRS.map((p) => cityOverTime(ctx, p)));
  PAIRS.forEach((pair, i) => draw(add(`compare-time-${pair.id}`, `${pair.title} over time: ${ctx.city}`), overTime[i]!));
  differences(cmp);
}
