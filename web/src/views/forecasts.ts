// Forecasts of one city at a chosen lead time (URL `lead`, in steps): every forecast variable as
// actual vs the predictions made that many steps ahead, with the model's 80 % and 95 % intervals
// as bands, and the newest forecast beyond the last observation; the registered model and its
// backtest scores; skill over persistence per variable and lead time; the prediction error per
// city as bars, this city's error over time, and the best and worst cities. The actual line is
// the very column the model forecasts (e.g. OpenWeatherMap's temp, not the two sources' mean),
// so like is drawn with like.
import { api, type ErrorSummary, type HorizonScores, type LatestForecast, type ModelEntry, type Prediction } from "../api";
import { draw, type Option, timeAxis, timeLines, tooltipAxis, withGaps } from "../charts";
import { byId, fmt, h } from "../dom";
import { param, setParams } from "../state";
import { ViewContext } from "./context";

export const FORECAST_VARIABLES: Record<string, string> = {
  temp: "temperature (°C)",
  humidity: "humidity (%)",
  pressure: "pressure (hPa)",
  sea_level: "sea-level pressure (hPa)",
  visibility: "visibility (m)",
  wind_speed: "wind speed (m/s)",
};

// The lead times offered: a few round ones up to the longest the newest forecast has.
function leads(forecast: LatestForecast): number[] {
  const longest = Math.max(1, ...forecast.predictions.map((p) => p.horizon));
  const round = [1, 2, 3, 6, 12, 18, 24, 36, 48, 72, 144].filter((n) => n <= longest);
  return round.includes(longest) ? round : [...round, longest];
}

function stepMinutes(forecast: LatestForecast): number {
  const p = forecast.predictions[0];
  return p ? (Date.parse(p.target_time) - Date.parse(p.issued_at)) / 60_000 / p.horizon : 10;
}

// "10 min", "1 h", "4 h 30 min".
export function leadLabel(steps: number, minutes: number): string {
  const total = Math.round(steps * minutes);
  if (total < 60) return `${total} min`;
  return total % 60 ? `${Math.floor(total / 60)} h ${total % 60} min` : `${total / 60} h`;
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

// A band as two stacked lines: the lower bound (invisible) and the width on top of it.
function band(name: string, preds: Prediction[], lower: "lower80" | "lower95", upper: "upper80" | "upper95", color: string) {
  const withBand = preds.filter((p) => p[lower] !== null && p[upper] !== null);
  const stack = `band-${name}`;
  return [
    { name: `${name} low`, type: "line", stack, symbol: "none", lineStyle: { opacity: 0 }, data: withGaps(withBand.map((p) => [Date.parse(p.target_time), p[lower] as number])), tooltip: { show: false } },
    { name, type: "line", stack, symbol: "none", lineStyle: { opacity: 0 }, itemStyle: { color }, areaStyle: { color }, data: withGaps(withBand.map((p) => [Date.parse(p.target_time), (p[upper] as number) - (p[lower] as number)])) },
  ];
}

function describeModel(entry: ModelEntry | undefined, preds: Prediction[]): string {
  const used = preds.at(-1)?.model ?? "no predictions yet";
  if (!entry) return `model: ${used} (no registered model)`;
  const scores = Array.isArray(entry.metrics) ? (entry.metrics as Record<string, unknown>[])[0] : undefined;
  const rmse = scores && typeof scores["rmse"] === "number" ? `, backtest RMSE ${fmt(scores["rmse"] as number, 3)}` : "";
  const mae = scores && typeof scores["mae"] === "number" ? `, MAE ${fmt(scores["mae"] as number, 3)}` : "";
  return `model: ${entry.describe} (registry v${entry.version}, ${entry.observations} observations${rmse}${mae}); latest prediction by ${used}`;
}

// The newest forecast of `variable` as a line from its issue time (the value then) outward.
function latestLine(forecast: LatestForecast, variable: string): [number, number][] {
  const own = forecast.predictions.filter((p) => p.variable === variable).sort((a, b) => a.horizon - b.horizon);
  const start: [number, number][] = own[0]?.persistence != null ? [[Date.parse(own[0].issued_at), own[0].persistence]] : [];
  return [...start, ...own.map((p) => [Date.parse(p.target_time), p.value] as [number, number])];
}

function variableOption(variable: string, actual: [number, number][], preds: Prediction[], forecast: LatestForecast): Option {
  const latest = forecast.predictions.filter((p) => p.variable === variable).sort((a, b) => a.horizon - b.horizon);
  return {
    tooltip: tooltipAxis,
    legend: { top: 0, data: ["actual", "predicted", "80 % interval", "95 % interval", "newest forecast", "newest 95 %"] },
    grid: { left: 64, right: 16, top: 36, bottom: 30 },
    xAxis: timeAxis,
    yAxis: { type: "value", name: FORECAST_VARIABLES[variable] ?? variable, scale: true },
    series: [
      ...band("95 % interval", preds, "lower95", "upper95", "rgba(80,140,220,0.15)"),
      ...band("80 % interval", preds, "lower80", "upper80", "rgba(80,140,220,0.3)"),
      { name: "actual", type: "line", showSymbol: true, symbolSize: 3, data: withGaps(actual) },
      { name: "predicted", type: "line", showSymbol: true, symbolSize: 4, lineStyle: { type: "dashed" }, data: withGaps(preds.map((p) => [Date.parse(p.target_time), p.value])) },
      ...band("newest 95 %", latest, "lower95", "upper95", "rgba(230,120,40,0.18)"),
      { name: "newest forecast", type: "line", showSymbol: false, itemStyle: { color: "#d4661c" }, lineStyle: { type: "dotted", width: 2 }, data: latestLine(forecast, variable) },
    ],
  };
}

// Variables down, the offered lead times across; each cell the skill over persistence (RMSE in
// the tooltip).
function skillTable(scores: HorizonScores[], minutes: number, offered: number[]): HTMLElement {
  const horizons = [...new Set(scores.map((s) => s.horizon))].filter((n) => offered.includes(n)).sort((a, b) => a - b);
  if (!horizons.length) return h("p", {}, "No scored predictions in this range yet: they are scored once their target time has been observed.");
  const head = h("tr", {}, h("th", {}, "variable"), ...horizons.map((n) => h("th", {}, leadLabel(n, minutes))));
  const rows = Object.keys(FORECAST_VARIABLES).filter((v) => scores.some((s) => s.variable === v)).map((v) =>
    h("tr", {}, h("td", {}, FORECAST_VARIABLES[v]), ...horizons.map((n) => {
      const s = scores.find((x) => x.variable === v && x.horizon === n);
      if (!s) return h("td", {}, "–");
      const text = s.skill === null ? "–" : `${s.skill >= 0 ? "+" : ""}${fmt(s.skill, 2)}`;
      return h("td", { class: `skill ${s.skill !== null && s.skill < 0 ? "worse" : "better"}`, title: `RMSE ${fmt(s.rmse, 3)} vs persistence ${fmt(s.persistence_rmse, 3)}, MAE ${fmt(s.mae, 3)}, ${s.count} predictions` }, text);
    })));
  return h("table", { id: "skill-table" }, h("thead", {}, head), h("tbody", {}, ...rows));
}

function errorBars(summary: ErrorSummary[], variable: string): Option {
  const rows = summary.filter((s) => s.variable === variable).sort((a, b) => a.mae - b.mae);
  return {
    tooltip: tooltipAxis,
    grid: { left: 56, right: 16, top: 30, bottom: 90 },
    xAxis: { type: "category", data: rows.map((r) => r.city_name), axisLabel: { rotate: 60, interval: 0 } },
    yAxis: { type: "value", name: `MAE of ${variable}` },
    series: [{ name: `MAE ${variable}`, type: "bar", data: rows.map((r) => r.mae) }],
  };
}

function bestAndWorst(summary: ErrorSummary[], variable: string) {
  const rows = summary.filter((s) => s.variable === variable && s.count > 0).sort((a, b) => a.mae - b.mae);
  const skill = (r: ErrorSummary) => (r.skill === null ? "" : `, skill ${fmt(r.skill, 2)}`);
  const line = (r: ErrorSummary) => h("li", {}, `${r.city_name}: MAE ${fmt(r.mae, 2)}, bias ${fmt(r.bias, 2)}${skill(r)} over ${r.count} predictions`);
  byId("forecast-best").replaceChildren(...rows.slice(0, 3).map(line));
  byId("forecast-worst").replaceChildren(...rows.slice(-3).reverse().map(line));
}

export async function forecasts(ctx: ViewContext) {
  const variables = Object.keys(FORECAST_VARIABLES);
  const forecast = await api.forecast(ctx.city);
  const offered = leads(forecast), minutes = stepMinutes(forecast);
  const lead = offered.includes(Number(param("lead"))) ? Number(param("lead")) : 1;
  const [preds, models, actual, errors, summary, byHorizon] = await Promise.all([
    api.predictions(ctx.city, ctx.range, lead),
    api.models(ctx.city),
    api.series(ctx.city, "weather", variables, ctx.range),
    api.errors(ctx.city, ctx.range, lead),
    api.errorSummary(ctx.range, lead),
    api.errorsByHorizon(ctx.range, ctx.city),
  ]);
  const leadSelect = byId<HTMLSelectElement>("forecast-horizon");
  leadSelect.replaceChildren(...offered.map((n) => new Option(leadLabel(n, minutes), String(n))));
  leadSelect.value = String(lead);
  leadSelect.onchange = () => {
    setParams({ lead: leadSelect.value });
    window.dispatchEvent(new Event("meteoflow:navigate"));
  };
  const box = byId("forecast-charts");
  box.replaceChildren();
  for (const variable of variables) {
    const own = newest(preds, variable);
    const el = h("div", { class: "chart", id: `forecast-${variable}`, "data-chart": `forecast-${variable}` });
    const caption = h("figcaption", {}, `${FORECAST_VARIABLES[variable]}: ${ctx.city}`, h("small", {}, describeModel(models.find((m) => m.variable === variable), own)));
    box.append(h("figure", {}, caption, el));
    draw(el, variableOption(variable, actual.series[variable] ?? [], own, forecast));
  }
  byId("forecast-skill").replaceChildren(skillTable(byHorizon, minutes, offered));
  const chosen = FORECAST_VARIABLES[param("var")] ? param("var") : "temp";
  const select = byId<HTMLSelectElement>("error-var");
  select.replaceChildren(...variables.map((v) => new Option(FORECAST_VARIABLES[v], v)));
  select.value = chosen;
  select.onchange = () => {
    setParams({ var: select.value });
    window.dispatchEvent(new Event("meteoflow:navigate"));
  };
  draw(byId("error-bars"), errorBars(summary, chosen));
  draw(
    byId("error-time"),
    timeLines(
      variables.map((v) => ({
        name: v,
        data: errors.filter((e) => e.variable === v).map((e) => [Date.parse(e.target_time), e.error] as [number, number]),
      })),
      "actual − predicted",
    ),
  );
  bestAndWorst(summary, chosen);
}
