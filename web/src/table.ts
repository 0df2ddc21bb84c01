// A sortable table with a column chooser. Clicking a header sorts by it (again: reverses);
// the chosen columns and the sort are kept in the URL (cols=, sort=) through `onChange`.
import { h } from "./dom";

export type Cell = string | number | null;

export interface TableSpec {
  columns: string[]; // every column that can be shown
  shown: string[]; // the visible ones, in order
  sort: string; // "column" or "-column"
  rows: Record<string, Cell>[];
  onChange?: (shown: string[], sort: string) => void;
}

function compare(a: Cell, b: Cell): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  return typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
}

function text(v: Cell): string {
  if (v === null || v === undefined) return "–";
  return typeof v === "number" ? String(Math.round(v * 100) / 100) : v;
}

export function renderTable(container: HTMLElement, spec: TableSpec) {
  const shown = spec.shown.filter((c) => spec.columns.includes(c));
  const key = spec.sort.replace(/^-/, "");
  const dir = spec.sort.startsWith("-") ? -1 : 1;
  const rows = shown.includes(key) ? [...spec.rows].sort((a, b) => dir * compare(a[key] ?? null, b[key] ?? null)) : spec.rows;
  const head = h(
    "tr",
    {},
    ...shown.map((c) => {
      const th = h("th", { class: "sortable", title: `sort by ${c}` }, c + (c === key ? (dir > 0 ? " ▲" : " ▼") : ""));
      th.addEventListener("click", () => spec.onChange?.(shown, c === key && dir > 0 ? `-${c}` : c));
      return th;
    }),
  );
  const body = rows.map((r) => h("tr", {}, ...shown.map((c) => h("td", {}, text(r[c] ?? null)))));
  const table = h("table", { "data-rows": String(rows.length) }, h("thead", {}, head), h("tbody", {}, ...body));
  const chooser = h("details", { class: "columns" }, h("summary", {}, `Columns (${shown.length} of ${spec.columns.length})`));
  for (const c of spec.columns) {
    const box = h("input", { type: "checkbox", value: c }) as HTMLInputElement;
    box.checked = shown.includes(c);
    box.addEventListener("change", () => {
      const next = spec.columns.filter((x) => (x === c ? box.checked : shown.includes(x)));
      spec.onChange?.(next, spec.sort);
    });
    chooser.append(h("label", {}, box, c));
  }
  container.replaceChildren(chooser, h("div", { class: "scroll" }, table));
}
