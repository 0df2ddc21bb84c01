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

export interface TaskTry {
  task_id: string;
  try_number: number;
  state: string;
}

export interface Run {
  run_id: string;
  state: string;
  interval_start: string;
  interval_end: string;
  tasks: TaskTry[];
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
  runs: () => getJson<Run[]>("/api/runs?limit=20"),
};
