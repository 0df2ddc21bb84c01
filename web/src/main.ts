// The dashboard: five sections (overview, per source, comparison, forecasts, runs), one shown at
// a time, chosen with every filter by the URL (state.ts). Data comes from the JSON API only;
// Server-Sent Events on /api/events redraw the open section when a run commits new data.
import { api } from "./api";
import { resizeAll } from "./charts";
import { byId } from "./dom";
import { setUpRuns } from "./runs";
import { apiRange, param, RANGES, rangeName, section, SECTIONS, setParams } from "./state";
import { compare } from "./views/compare";
import type { ViewContext } from "./views/context";
import { forecasts } from "./views/forecasts";
import { overview } from "./views/overview";
import { sources } from "./views/sources";

const statusElement = byId<HTMLSpanElement>("status");
const citySelect = byId<HTMLSelectElement>("city");
const rangeSelect = byId<HTMLSelectElement>("range");
const fromInput = byId<HTMLInputElement>("from");
const toInput = byId<HTMLInputElement>("to");
let drawing: Promise<void> = Promise.resolve();
let again = false;

async function context(): Promise<ViewContext> {
  const cities = await api.cities();
  const times = cities.flatMap((c) => (c.latest ? [c.latest.time] : [])).sort();
  const newest = times.at(-1);
  const wanted = param("city");
  const city = cities.some((c) => c.name === wanted) ? wanted : (cities[0]?.name ?? "");
  if (citySelect.options.length !== cities.length) citySelect.replaceChildren(...cities.map((c) => new Option(c.name, c.name)));
  citySelect.value = city;
  return { cities, newest, range: apiRange(newest), city };
}

function showSection() {
  const current = section();
  for (const s of SECTIONS) {
    byId(`section-${s}`).hidden = s !== current;
    byId(`nav-${s}`).classList.toggle("active", s === current);
  }
  rangeSelect.value = rangeName();
  const custom = rangeName() === "custom";
  fromInput.hidden = toInput.hidden = !custom;
  fromInput.value = param("from").slice(0, 16);
  toInput.value = param("to").slice(0, 16);
  return current;
}

async function render() {
  const started = performance.now();
  const current = showSection();
  const ctx = await context();
  const range = ctx.range.from ? `${ctx.range.from.slice(0, 16)} → ${(ctx.range.to ?? "").slice(0, 16)} UTC` : "all data";
  if (current === "overview") await overview(ctx, (city) => navigate({ section: "forecasts", city }));
  if (current === "sources") await sources(ctx);
  if (current === "compare") await compare(ctx);
  if (current === "forecasts") await forecasts(ctx);
  if (current === "runs") await setUpRuns();
  document.body.dataset.rendered = current;
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  statusElement.textContent = `${range} · newest reading ${ctx.newest?.slice(0, 16).replace("T", " ") ?? "none"}`;
}

// Redraws the open section; calls during a draw coalesce into one more draw after it.
function redraw() {
  if (document.body.dataset.busy === "1") {
    again = true;
    return drawing;
  }
  document.body.dataset.busy = "1";
  drawing = render()
    .catch((e: unknown) => {
      statusElement.textContent = `error: ${(e as Error).message}`;
    })
    .finally(() => {
      document.body.dataset.busy = "0";
      if (again) {
        again = false;
        void redraw();
      }
    });
  return drawing;
}

function navigate(changes: Record<string, string>) {
  setParams(changes, true);
  void redraw();
}

function wireControls() {
  for (const s of SECTIONS) {
    const link = byId<HTMLAnchorElement>(`nav-${s}`);
    link.addEventListener("click", (e) => {
      e.preventDefault();
      navigate({ section: s, sort: "" });
    });
  }
  rangeSelect.replaceChildren(...RANGES.map((r) => new Option(r === "all" ? "all data" : r === "custom" ? "custom…" : `last ${r}`, r)));
  rangeSelect.addEventListener("change", () => navigate({ range: rangeSelect.value }));
  const custom = () => {
    const iso = (v: string) => (v ? `${v}:00Z` : "");
    navigate({ range: "custom", from: iso(fromInput.value), to: iso(toInput.value) });
  };
  fromInput.addEventListener("change", custom);
  toInput.addEventListener("change", custom);
  citySelect.addEventListener("change", () => navigate({ city: citySelect.value }));
  window.addEventListener("popstate", () => void redraw());
  window.addEventListener("meteoflow:navigate", () => void redraw());
  window.addEventListener("resize", resizeAll);
}

// The live indicator follows the event stream; EventSource reconnects by itself (retry: 2 s).
function goLive() {
  const indicator = byId<HTMLSpanElement>("live");
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => {
    indicator.textContent = "● live";
    indicator.className = "live on";
  });
  events.addEventListener("error", () => {
    indicator.textContent = "○ reconnecting…";
    indicator.className = "live off";
  });
  events.addEventListener("change", (e) => {
    document.body.dataset.version = (e as MessageEvent<string>).data;
    void redraw();
  });
}

wireControls();
goLive();
void redraw();
