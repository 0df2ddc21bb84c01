// Overview: a map of the configured locations coloured by a chosen variable (a click opens the
// city's forecasts), each source's freshness, the dead letters, and the latest observation of
// every city with every stored field (sortable, columns choosable).
import { api, type City, type Observation } from "../api";
import { draw, loadWorld } from "../charts";
import { ago, byId, h, shortTime } from "../dom";
import { param, setParams } from "../state";
import { renderTable } from "../table";
import { ViewContext, WEATHER_VARIABLES } from "./context";

const DEFAULT_COLUMNS = ["city_name", "time", "temperature_2m", "humidity", "pressure", "wind_speed", "sources"];
const SOURCE_TITLES: Record<string, string> = { openweathermap: "OpenWeatherMap", openmeteo: "Open-Meteo" };

function mapBounds(cities: City[]): [[number, number], [number, number]] {
  const lons = cities.map((c) => c.longitude), lats = cities.map((c) => c.latitude);
  const pad = 2;
  return [
    [Math.min(...lons) - pad, Math.max(...lats) + pad],
    [Math.max(...lons) + pad, Math.min(...lats) - pad],
  ];
}

async function drawMap(ctx: ViewContext, onCity: (city: string) => void) {
  const variable = WEATHER_VARIABLES[param("var")] ? param("var") : "temperature_2m";
  const select = byId<HTMLSelectElement>("map-var");
  select.replaceChildren(...Object.entries(WEATHER_VARIABLES).map(([k, label]) => new Option(label, k)));
  select.value = variable;
  select.onchange = () => {
    setParams({ var: select.value });
    void drawMap(ctx, onCity);
  };
  await loadWorld();
  const key = variable as keyof Observation;
  const points = ctx.cities
    .filter((c) => c.latest && typeof c.latest[key] === "number")
    .map((c) => ({ name: c.name, value: [c.longitude, c.latitude, c.latest![key] as number] }));
  const values = points.map((p) => p.value[2] as number);
  const el = byId<HTMLDivElement>("map");
  const chart = draw(el, {
    tooltip: { trigger: "item" },
    geo: {
      map: "world",
      roam: true,
      boundingCoords: ctx.cities.length ? mapBounds(ctx.cities) : undefined,
      itemStyle: { areaColor: "#eef1f4", borderColor: "#9aa5b1" },
      emphasis: { disabled: true },
      silent: true,
    },
    visualMap: {
      min: values.length ? Math.min(...values) : 0,
      max: values.length ? Math.max(...values) : 1,
      calculable: true,
      dimension: 2,
      text: [WEATHER_VARIABLES[variable] ?? variable, ""],
      inRange: { color: ["#2c7bb6", "#abd9e9", "#ffffbf", "#fdae61", "#d7191c"] },
      left: 10,
      bottom: 10,
    },
    series: [{ name: variable, type: "scatter", coordinateSystem: "geo", symbolSize: 12, data: points }],
  });
  chart.off("click");
  chart.on("click", (e) => onCity(String(e.name)));
}

async function drawFreshness() {
  const [fresh, dead] = await Promise.all([api.freshness(), api.deadLetters(5)]);
  byId("freshness").replaceChildren(
    ...fresh.map((f) =>
      h(
        "li",
        { "data-source": f.source },
        h("strong", {}, SOURCE_TITLES[f.source] ?? f.source),
        `: last reading ${ago(f.latest_fetched_at)} (${shortTime(f.latest_fetched_at)} UTC), ${f.cities} cities`,
      ),
    ),
  );
  const box = byId("dead-letters");
  box.dataset.total = String(dead.total);
  box.replaceChildren(
    h("p", {}, dead.total === 0 ? "No dead letters: every message became a row." : `${dead.total} dead letters; newest:`),
    h(
      "ul",
      {},
      ...dead.newest.map((d) => h("li", {}, `${shortTime(d.fetched_at)} ${d.source}/${d.location_id}: `, h("code", {}, d.reason))),
    ),
  );
}

function drawLatest(ctx: ViewContext) {
  const rows = ctx.cities.filter((c) => c.latest).map((c) => c.latest as unknown as Record<string, string | number | null>);
  const columns = rows.length ? Object.keys(rows[0]) : DEFAULT_COLUMNS;
  const shown = param("cols") ? param("cols").split(",") : DEFAULT_COLUMNS;
  const render = (cols: string[], sort: string) => {
    setParams({ cols: cols.join(","), sort });
    renderTable(byId("latest"), { columns, shown: cols, sort, rows, onChange: render });
  };
  renderTable(byId("latest"), { columns, shown, sort: param("sort") || "city_name", rows, onChange: render });
}

export async function overview(ctx: ViewContext, openCity: (city: string) => void) {
  drawLatest(ctx);
  await Promise.all([drawMap(ctx, openCity), drawFreshness()]);
}
