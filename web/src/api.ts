// Typed access to the meteoflow JSON API (contract: src/serve/server.h and src/serve/data_api.h;
// every endpoint is listed in README.md).

// A weather_data row (src/serve/data_api.cc RowJson): identity, provenance, then every stored
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
  lower80: number | null;
  upper80: number | null;
  lower95: number | null;
  upper95: number | null;
  horizon: number; // steps ahead of issued_at
  issued_at: string;
  persistence: number | null; // the value at issued_at
}

// /api/forecast: the newest forecast of a city, every variable and horizon.
export interface LatestForecast {
  city: string;
  issued_at: string | null;
  predictions: Prediction[];
}

// /api/series: per field, [epoch millis, value] points (min/max-downsampled to `points`).
export interface Series {
  city: string;
  source: string;
  rows: number;
  series: Record<string, [number, number][]>;
}

export type SourceName = "openweathermap" | "openmeteo";

export interface Freshness {
  source: SourceName;
  cities: number;
  latest_time: string | null;
  latest_fetched_at: string | null;
}

// One source's own reading (source_observations), values and labels by the API's names.
export interface Reading {
  source: SourceName;
  city_name: string;
  time: string;
  location_id: string;
  fetched_at: string;
  values: Record<string, number>;
  labels: Record<string, string>;
}

export interface Readings {
  source: SourceName;
  total: number;
  rows: Reading[];
}

export interface Histogram {
  width: number;
  bins: [number, number][];
}

export interface Scatter {
  x: string;
  y: string;
  total: number;
  points: [number, number, string][];
}

export interface SourceSummary {
  source: SourceName;
  rows: number;
  cities: { city_name: string; count: number; mean: Record<string, number> }[];
  histograms: Record<string, Histogram>;
  bands: Record<string, { band: string; count: number }[]>;
  scatter: Scatter[];
}

export interface Comparison {
  cities: {
    city_name: string;
    pairs: number;
    mean_abs_difference: { temperature: number | null; humidity: number | null; pressure: number | null };
    openweathermap: { time: string; temp: number | null; humidity: number | null; grnd_level: number | null } | null;
    openmeteo: {
      time: string;
      temperature_2m: number | null;
      relative_humidity_2m: number | null;
      surface_pressure: number | null;
    } | null;
  }[];
}

export interface PredictionErrorRow {
  city_name: string;
  variable: string;
  target_time: string;
  model: string;
  predicted: number;
  actual: number;
  error: number;
  observed_at: string;
  horizon: number;
  issued_at: string;
  persistence: number | null;
}

// Accuracy of a set of scored predictions; skill = 1 - RMSE / RMSE of persistence (> 0: better
// than "no change").
export interface Scores {
  count: number;
  mae: number;
  rmse: number;
  bias: number;
  persistence_rmse: number | null;
  skill: number | null;
}

export interface ErrorSummary extends Scores {
  city_name: string;
  variable: string;
}

export interface HorizonScores extends Scores {
  variable: string;
  horizon: number;
}

export interface ModelEntry {
  variable: string;
  version: number;
  model: string;
  describe: string;
  metrics: unknown;
  train_from: string;
  train_to: string;
  observations: number;
  step_minutes: number;
  created_at: string;
}

export interface DeadLetters {
  total: number;
  newest: { source: string; location_id: string; fetched_at: string; reason: string }[];
}

// A time range in the URL's terms: absent ends are open.
export interface Range {
  from?: string;
  to?: string;
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
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(`${path}: ${body.error ?? `HTTP ${response.status}`}`);
  }
  return (await response.json()) as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") q.set(key, String(value));
  return q.toString();
}

export const api = {
  cities: () => getJson<City[]>("/api/cities"),
  observations: (city: string, range: Range = {}) =>
    getJson<Observation[]>(`/api/observations?${query({ city, ...range })}`),
  predictions: (city: string, range: Range = {}, horizon?: number) =>
    getJson<Prediction[]>(`/api/predictions?${query({ city, horizon, ...range })}`),
  forecast: (city: string) => getJson<LatestForecast>(`/api/forecast?${query({ city })}`),
  series: (city: string, source: string, fields: string[], range: Range, points = 1500) =>
    getJson<Series>(`/api/series?${query({ city, source, fields: fields.join(","), points, ...range })}`),
  freshness: () => getJson<Freshness[]>("/api/sources"),
  readings: (source: SourceName, range: Range, city?: string, limit = 200) =>
    getJson<Readings>(`/api/sources/${source}/readings?${query({ city, limit, ...range })}`),
  summary: (source: SourceName, range: Range) => getJson<SourceSummary>(`/api/sources/${source}/summary?${query({ ...range })}`),
  compare: (range: Range) => getJson<Comparison>(`/api/compare?${query({ ...range })}`),
  errors: (city: string, range: Range, horizon?: number) =>
    getJson<PredictionErrorRow[]>(`/api/errors?${query({ city, horizon, ...range })}`),
  errorSummary: (range: Range, horizon?: number) =>
    getJson<ErrorSummary[]>(`/api/errors/summary?${query({ horizon, ...range })}`),
  errorsByHorizon: (range: Range, city?: string) =>
    getJson<HorizonScores[]>(`/api/errors/horizons?${query({ city, ...range })}`),
  models: (city: string) => getJson<ModelEntry[]>(`/api/models?${query({ city })}`),
  deadLetters: (limit = 10) => getJson<DeadLetters>(`/api/dead-letters?limit=${limit}`),
  runs: (limit: number) => getJson<RunWithTries[]>(`/api/runs?limit=${limit}`),
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
  trigger: async (dag: string, token: string) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (token) headers["Authorization"] = `Bearer ${token}`;
    const response = await fetch(`/api/dags/${encodeURIComponent(dag)}/dagRuns`, { method: "POST", body: "{}", headers });
    if (!response.ok) throw new Error((await response.json()).error ?? `HTTP ${response.status}`);
    return (await response.json()) as DagRun;
  },
};
