// The chart kit: ECharts with only the chart types and components the page uses (line, bar,
// scatter on a grid or on the bundled world outline), and `draw`, which renders an option and
// records what it drew on the element (data-series = [{name, points}], data-points = total) so
// tests and people can check a chart against the API without reading pixels.
import * as echarts from "echarts/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import {
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import worldUrl from "world-atlas/countries-110m.json?url";

echarts.use([
  BarChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GeoComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type Option = echarts.EChartsCoreOption;

const instances = new Map<HTMLElement, echarts.ECharts>();

export function chartOf(el: HTMLElement): echarts.ECharts {
  let chart = instances.get(el);
  if (!chart) {
    chart = echarts.init(el, undefined, { renderer: "canvas" });
    instances.set(el, chart);
  }
  return chart;
}

interface SeriesLike {
  name?: string;
  data?: unknown[];
}

export function draw(el: HTMLElement, option: Option): echarts.ECharts {
  const chart = chartOf(el);
  chart.setOption({ animation: false, ...option }, true);
  // Points drawn: gap markers (null values) are not points.
  const counted = (data: unknown[] | undefined) =>
    (data ?? []).filter((d) => !(Array.isArray(d) && d.length === 2 && d[1] === null)).length;
  const series = ((option.series ?? []) as SeriesLike[]).map((s) => ({ name: s.name ?? "", points: counted(s.data) }));
  el.dataset.series = JSON.stringify(series);
  el.dataset.points = String(series.reduce((n, s) => n + s.points, 0));
  el.dataset.drawn = "1";
  return chart;
}

export function resizeAll() {
  for (const chart of instances.values()) chart.resize();
}

// The world's country outlines (Natural Earth 1:110m via world-atlas), registered once as "world".
let world: Promise<void> | undefined;
export function loadWorld(): Promise<void> {
  world ??= fetch(worldUrl)
    .then((r) => r.json() as Promise<Topology>)
    .then((topology) => {
      const countries = feature(topology, topology.objects["countries"] as GeometryCollection);
      echarts.registerMap("world", countries as unknown as Parameters<typeof echarts.registerMap>[1]);
    });
  return world;
}

export const timeAxis = { type: "time" } as const;

// Readings more than GAP_MS apart are not joined by a line: a null point between them breaks it
// (a series' gaps are periods nothing was recorded, not a straight-line change).
const GAP_MS = 3 * 3_600_000;
export function withGaps(points: [number, number][]): [number, number | null][] {
  const out: [number, number | null][] = [];
  for (const p of points) {
    const last = out.at(-1);
    if (last && p[0] - last[0] > GAP_MS) out.push([last[0] + 1, null]);
    out.push(p);
  }
  return out;
}
export const tooltipAxis = { trigger: "axis" } as const;

// Lines over time, one per named series, gaps kept (withGaps), the y axis named `unit`.
export function timeLines(lines: { name: string; data: [number, number][] }[], unit: string): Option {
  return {
    tooltip: tooltipAxis,
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 36, bottom: 30 },
    xAxis: timeAxis,
    yAxis: { type: "value", name: unit, scale: true },
    series: lines.map((l) => ({ name: l.name, type: "line", showSymbol: true, symbolSize: 3, data: withGaps(l.data) })),
  };
}
