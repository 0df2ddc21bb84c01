// Typed access to the meteoflow JSON API (see src/serve/server.h for the contract).

export interface Observation {
  city_name: string;
  time: string;
  temperature_2m: number | null;
  humidity: number | null;
  pressure: number | null;
  wind_speed: number | null;
  sources: string;
}

export interface City {
  id: string;
  name: string;
  latest: Observation | null;
}

export interface Prediction {
  variable: string;
  target_time: string;
  value: number;
  model: string;
  created_at: string;
}

export interface Dag {
  dag_id: string;
  is_paused: boolean;
  schedule_interval: string;
}

export interface DagRun {
  dag_run_id: string;
  logical_date: string;
  state: string;
  run_type: string;
}

export interface TaskInstance {
  task_id: string;
  state: string;
  try_number: number;
  duration: number | null;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const api = {
  cities: () => getJson<City[]>("/api/cities"),
  observations: (city: string) => getJson<Observation[]>(`/api/observations?city=${encodeURIComponent(city)}`),
  predictions: (city: string) => getJson<Prediction[]>(`/api/predictions?city=${encodeURIComponent(city)}`),
  dags: async () => (await getJson<{ dags: Dag[] }>("/api/dags")).dags,
  dagRuns: async (dag: string, limit: number) =>
    (await getJson<{ dag_runs: DagRun[] }>(`/api/dags/${encodeURIComponent(dag)}/dagRuns?limit=${limit}`)).dag_runs,
  taskInstances: async (dag: string, run: string) =>
    (await getJson<{ task_instances: TaskInstance[] }>(
      `/api/dags/${encodeURIComponent(dag)}/dagRuns/${encodeURIComponent(run)}/taskInstances`,
    )).task_instances,
  log: async (dag: string, run: string, task: string, attempt: number) => {
    const path = `/api/dags/${encodeURIComponent(dag)}/dagRuns/${encodeURIComponent(run)}/taskInstances/${encodeURIComponent(task)}/logs/${attempt}`;
    const response = await fetch(path);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.text();
  },
  trigger: async (dag: string) => {
    const response = await fetch(`/api/dags/${encodeURIComponent(dag)}/dagRuns`, { method: "POST", body: "{}" });
    if (!response.ok) throw new Error((await response.json()).error ?? `HTTP ${response.status}`);
    return (await response.json()) as DagRun;
  },
};
