// Typed access to the meteoflow JSON API (see src/serve/server.h for the contract).

// A weather_data row (src/serve/server.cc RowJson): identity, provenance, then every stored
// field, null where the sources did not give it.
export interface Observation {
  city_name: string;
  time: string;
  location_id: string;
  country: string;
  sources: string;
  sunrise: string | null;
  sunset: string | null;
  apparent_temperature: number | null;
  clouds_all: number | null;
  elevation: number | null;
  feels_like: number | null;
  grnd_level: number | null;
  humidity: number | null;
  is_day: number | null;
  latitude: number | null;
  longitude: number | null;
  precipitation: number | null;
  pressure: number | null;
  pressure_msl: number | null;
  rain: number | null;
  relative_humidity_2m: number | null;
  sea_level: number | null;
  showers: number | null;
  snowfall: number | null;
  surface_pressure: number | null;
  temp: number | null;
  temperature_2m: number | null;
  visibility: number | null;
  wind_deg: number | null;
  wind_speed: number | null;
  temperature_feels_like: number | null;
}

export interface City {
  id: string;
  name: string;
  latitude: number;
  longitude: number;
  latest: Observation | null;
}

export interface Prediction {
  city_name: string;
  variable: string;
  target_time: string;
  value: number;
  model: string;
  created_at: string;
}

// The scheduler's records, one shape each (src/orchestrate/record_json.h, Airflow's REST API).
export interface Dag {
  dag_id: string;
  is_paused: boolean;
  schedule_interval: string;
  catchup: boolean;
  max_active_runs: number;
  start_date: string | null;
  params: Record<string, string>;
}

export interface DagTask {
  task_id: string;
  downstream_of: string[];
  trigger_rule: string;
  retries: number;
  pool: string;
}

export interface DagDetail extends Dag {
  tasks: DagTask[];
}

export interface DagRun {
  dag_run_id: string;
  dag_id: string;
  run_type: string;
  logical_date: string;
  data_interval_start: string;
  data_interval_end: string;
  state: string;
  queued_at: string;
  start_date: string | null;
  end_date: string | null;
  conf: Record<string, unknown> | null;
}

export interface TaskInstance {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  try_number: number;
  state: string;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  pool: string;
}

export interface TaskTry {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  try_number: number;
  state: string;
  start_date: string;
  end_date: string | null;
  duration: number | null;
  message: string;
}

// /api/runs: every DAG's runs, newest first, each with its tries.
export interface RunWithTries extends DagRun {
  tasks: TaskTry[];
}

export interface Health {
  status: string;
  version: string;
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
