// What every view gets: the configured cities with their latest rows, the newest observation
// time (ranges are relative to it) and the API range the picker chose.
import type { City, Range } from "../api";

export interface ViewContext {
  cities: City[];
  newest: string | undefined;
  range: Range;
  city: string; // the chosen city (URL city=, else the first)
}

export const WEATHER_VARIABLES: Record<string, string> = {
  temperature_2m: "temperature (mean of sources, °C)",
  temp: "temperature (OpenWeatherMap, °C)",
  humidity: "humidity (%)",
  pressure: "pressure (hPa)",
  wind_speed: "wind speed (m/s)",
  visibility: "visibility (m)",
  clouds_all: "cloudiness (%)",
};
