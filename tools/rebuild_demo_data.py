#!/usr/bin/env python3
"""Rebuilds API-shaped raw responses from the original pipeline's merged export.

Reads the seed folder (weather_data1.csv, cities.csv and the two real snapshots) and
writes one JSON-lines recording per source into data/demo/recording/. Each line is an
envelope {"location_id", "fetched_at", "response"} where "response" has the shape the
live API returns. The rules are in data/demo/README.md. Run by hand when the seed changes;
the pipeline itself never reads the seed folder.
"""
import argparse
import csv
import datetime as dt
import json
import pathlib
import re
import unicodedata


def slug(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def parse_time(text):
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f%z")


def epoch_seconds(when):
    return int(when.timestamp())


def stored_as_millis_to_seconds(text):
    """The original stored Unix seconds as milliseconds: recover the seconds."""
    return round(parse_time(text).timestamp() * 1000)


def number(text):
    value = float(text)
    return int(value) if value.is_integer() else value


def owm_response(row):
    temp = float(row["temp"])
    owm_humidity = round(2 * float(row["humidity"]) - float(row["relative_humidity_2m"]))
    return {
        "coord": {"lat": float(row["latitude"]), "lon": float(row["longitude"])},
        "main": {
            "temp": temp,
            "feels_like": float(row["feels_like"]),
            "pressure": number(row["pressure"]),
            "humidity": owm_humidity,
            "sea_level": number(row["sea_level"]),
            "grnd_level": number(row["grnd_level"]),
        },
        "visibility": number(row["visibility"]),
        "wind": {"speed": float(row["wind_speed"]), "deg": number(row["wind_deg"])},
        "clouds": {"all": number(row["clouds_all"])},
        "dt": epoch_seconds(parse_time(row["time"])),
        "sys": {
            "country": row["country"],
            "sunrise": stored_as_millis_to_seconds(row["sunrise"]),
            "sunset": stored_as_millis_to_seconds(row["sunset"]),
        },
        "timezone": 3600,
        "name": row["city_name"],
        "cod": 200,
    }


def om_response(row, grid):
    fetched = parse_time(row["time"]).astimezone(dt.timezone.utc)
    slot = fetched.replace(minute=fetched.minute - fetched.minute % 15, second=0, microsecond=0)
    om_temp = round(2 * float(row["temperature_2m"]) - float(row["temp"]), 1)
    lat, lon = grid
    return {
        "latitude": lat,
        "longitude": lon,
        "utc_offset_seconds": 0,
        "timezone": "GMT",
        "elevation": float(row["elevation"]),
        "current": {
            "time": slot.strftime("%Y-%m-%dT%H:%M"),
            "interval": 900,
            "temperature_2m": om_temp,
            "relative_humidity_2m": number(row["relative_humidity_2m"]),
            "apparent_temperature": float(row["apparent_temperature"]),
            "is_day": number(row["is_day"]),
            "precipitation": float(row["precipitation"]),
            "rain": float(row["rain"]),
            "showers": float(row["showers"]),
            "snowfall": float(row["snowfall"]),
            "pressure_msl": float(row["pressure_msl"]),
            "surface_pressure": float(row["surface_pressure"]),
        },
    }


def grid_points(seed):
    """Open-Meteo's grid-snapped coordinates per city, from the real snapshots (same order)."""
    owm = [json.loads(l) for l in open(seed / "openweathermap_current_2024-12-09.jsonl")]
    om = [json.loads(l) for l in open(seed / "openmeteo_current_2024-12-09.jsonl")]
    return {o["name"]: (m["latitude"], m["longitude"]) for o, m in zip(owm, om)}


def append_snapshots(seed, owm_out, om_out):
    """The two real snapshots, unchanged, as the recording's last tick. They carry what the export
    dropped (weather[0], temp_min/max, weather_code, cloud_cover, ...). Their fetch time was not
    recorded: every response of the tick gets the newest OpenWeatherMap `dt` of the snapshot, the
    earliest moment at which all of them could have been fetched."""
    owm = [json.loads(l) for l in open(seed / "openweathermap_current_2024-12-09.jsonl")]
    om = [json.loads(l) for l in open(seed / "openmeteo_current_2024-12-09.jsonl")]
    fetched = dt.datetime.fromtimestamp(max(o["dt"] for o in owm), dt.timezone.utc)
    stamp = fetched.strftime("%Y-%m-%dT%H:%M:%SZ")
    for o, m in zip(owm, om):
        envelope = {"location_id": slug(o["name"]), "fetched_at": stamp}
        owm_out.write(json.dumps({**envelope, "response": o}, ensure_ascii=False) + "\n")
        om_out.write(json.dumps({**envelope, "response": m}, ensure_ascii=False) + "\n")
    return len(owm)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", default="../shared/data/seed")
    parser.add_argument("--out", default="data/demo")
    args = parser.parse_args()
    seed, out = pathlib.Path(args.seed), pathlib.Path(args.out)
    rows = list(csv.DictReader(open(seed / "weather_data1.csv", encoding="utf-8")))
    rows.sort(key=lambda r: (parse_time(r["time"]), r["city_name"]))
    grid = grid_points(seed)
    (out / "recording").mkdir(parents=True, exist_ok=True)
    with open(out / "recording/openweathermap.jsonl", "w", encoding="utf-8") as owm, open(
        out / "recording/openmeteo.jsonl", "w", encoding="utf-8"
    ) as om:
        for row in rows:
            fetched = parse_time(row["time"]).astimezone(dt.timezone.utc)
            envelope = {"location_id": slug(row["city_name"]),
                        "fetched_at": fetched.strftime("%Y-%m-%dT%H:%M:%SZ")}
            owm.write(json.dumps({**envelope, "response": owm_response(row)},
                                 ensure_ascii=False) + "\n")
            om.write(json.dumps({**envelope, "response": om_response(row, grid[row["city_name"]])},
                                ensure_ascii=False) + "\n")
        appended = append_snapshots(seed, owm, om)
    print(f"wrote {len(rows)} rebuilt + {appended} real snapshot responses per source to {out / 'recording'}")


if __name__ == "__main__":
    main()
