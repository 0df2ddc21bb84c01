// The Runs section: a DAG's latest runs (columns, oldest left) x its tasks (rows), each cell
// coloured by the task's state with its duration; clicking a cell shows that try's log; task
// durations over time; the button queues a manual run (a running scheduler picks it up),
// sending the API token when one is entered (kept in this tab's sessionStorage only).
import { api, type DagRun, type TaskInstance } from "./api";
import { draw, timeLines } from "./charts";

const dagSelect = document.getElementById("dag") as HTMLSelectElement;
const grid = document.getElementById("grid") as HTMLTableElement;
const logElement = document.getElementById("log") as HTMLPreElement;
const statusElement = document.getElementById("runs-status") as HTMLSpanElement;
const RUNS_SHOWN = 24;

async function showLog(dag: string, run: DagRun, ti: TaskInstance) {
  logElement.hidden = false;
  logElement.textContent = `${run.dag_run_id} ${ti.task_id} try ${ti.try_number}: loading…`;
  const text = await api.log(dag, run.dag_run_id, ti.task_id, ti.try_number);
  logElement.textContent = `== ${run.dag_run_id} ${ti.task_id} try ${ti.try_number} (${ti.state})\n${text}`;
}

function cell(dag: string, run: DagRun, ti: TaskInstance | undefined) {
  const td = document.createElement("td");
  td.className = `cell state-${ti?.state ?? "none"}`;
  if (!ti) return td;
  const seconds = ti.duration === null ? "" : `, ${ti.duration.toFixed(2)} s`;
  td.title = `${ti.task_id} · ${run.logical_date} · ${ti.state}${seconds}`;
  td.dataset.state = ti.state;
  if (ti.try_number > 0) td.addEventListener("click", () => showLog(dag, run, ti).catch((e) => (logElement.textContent = String(e))));
  return td;
}

export async function drawRuns(dag: string) {
  const runs = (await api.dagRuns(dag, RUNS_SHOWN)).reverse();
  const instances = await Promise.all(runs.map((r) => api.taskInstances(dag, r.dag_run_id)));
  const tasks = [...new Set(instances.flatMap((tis) => tis.map((t) => t.task_id)))];
  const head = document.createElement("tr");
  head.append(document.createElement("th"));
  for (const r of runs) {
    const th = document.createElement("th");
    th.className = "run";
    th.textContent = r.logical_date.slice(5, 16).replace("T", " ");
    th.title = `${r.dag_run_id} (${r.run_type}): ${r.state}`;
    head.append(th);
  }
  grid.tHead!.replaceChildren(head);
  grid.tBodies[0].replaceChildren(
    ...tasks.map((task) => {
      const tr = document.createElement("tr");
      const name = document.createElement("th");
      name.textContent = task;
      tr.append(name, ...runs.map((r, i) => cell(dag, r, instances[i].find((t) => t.task_id === task))));
      return tr;
    }),
  );
  grid.dataset.cells = String(runs.length * tasks.length);
  statusElement.textContent = `${runs.length} runs`;
  await drawDurations(dag);
}

// Each task's duration (its last try) per run, by logical date.
async function drawDurations(dag: string) {
  const runs = (await api.runs(200)).filter((r) => r.dag_id === dag).reverse();
  const tasks = [...new Set(runs.flatMap((r) => r.tasks.map((t) => t.task_id)))];
  draw(
    document.getElementById("durations") as HTMLDivElement,
    timeLines(
      tasks.map((task) => ({
        name: task,
        data: runs.flatMap((r) => {
          const last = r.tasks.filter((t) => t.task_id === task && t.duration !== null).at(-1);
          return last ? [[Date.parse(r.logical_date), last.duration as number] as [number, number]] : [];
        }),
      })),
      "seconds",
    ),
  );
}

let setUp = false;

export async function setUpRuns() {
  if (setUp) return drawRuns(dagSelect.value);
  setUp = true;
  const dags = await api.dags();
  dagSelect.replaceChildren(...dags.map((d) => new Option(`${d.dag_id}${d.is_paused ? " (paused)" : ""}`, d.dag_id)));
  dagSelect.addEventListener("change", () => drawRuns(dagSelect.value));
  const token = document.getElementById("token") as HTMLInputElement;
  token.value = sessionStorage.getItem("meteoflow-token") ?? "";
  token.addEventListener("change", () => sessionStorage.setItem("meteoflow-token", token.value));
  document.getElementById("trigger")!.addEventListener("click", async () => {
    try {
      const run = await api.trigger(dagSelect.value, token.value);
      statusElement.textContent = `queued ${run.dag_run_id}`;
      await drawRuns(dagSelect.value);
    } catch (e) {
      statusElement.textContent = `trigger failed: ${(e as Error).message}`;
    }
  });
  if (dags.length) await drawRuns(dagSelect.value);
}
