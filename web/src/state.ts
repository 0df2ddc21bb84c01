// The page's state lives in the URL (?section=&city=&source=&range=&from=&to=&var=&lead=&cols=&sort=)
// so every view can be shared and survives a reload. Ranges are relative to the newest stored
// observation ("the last 24 h of data"), which is also right for a replayed recording.
import type { Range } from "./api";

export type Section = "overview" | "sources" | "compare" | "forecasts" | "runs";
export const SECTIONS: Section[] = ["overview", "sources", "compare", "forecasts", "runs"];
export const RANGES = ["6h", "24h", "7d", "all", "custom"] as const;
export type RangeName = (typeof RANGES)[number];

const HOUR_MS = 3_600_000;
const RANGE_MS: Record<string, number> = { "6h": 6 * HOUR_MS, "24h": 24 * HOUR_MS, "7d": 7 * 24 * HOUR_MS };

export function param(name: string): string {
  return new URLSearchParams(location.search).get(name) ?? "";
}

export function section(): Section {
  const s = param("section") as Section;
  return SECTIONS.includes(s) ? s : "overview";
}

export function rangeName(): RangeName {
  const r = param("range") as RangeName;
  return RANGES.includes(r) ? r : "all";
}

// Sets URL parameters (empty = remove) without reloading; `push` adds a history entry.
export function setParams(changes: Record<string, string>, push = false) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const url = `${location.pathname}?${q.toString()}`;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

// The API range of the chosen picker value; `newest` is the newest observation time (ISO).
export function apiRange(newest: string | undefined): Range {
  const name = rangeName();
  if (name === "custom") {
    const out: Range = {};
    if (param("from")) out.from = param("from");
    if (param("to")) out.to = param("to");
    return out;
  }
  if (name === "all" || !newest) return {};
  const end = Date.parse(newest) + 1;
  return { from: new Date(end - (RANGE_MS[name] ?? 0)).toISOString(), to: new Date(end).toISOString() };
}
