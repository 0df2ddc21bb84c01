"""The transform at scale: meteoflow's transform task vs DuckDB doing the same job, and the cost
of one steady-state tick after days of history.

It generates a synthetic-from-real recording: N locations x D days of 10-minute ticks, each
location's responses made from one of the 37 real responses in data/demo/snapshots (location i
uses snapshot i mod 37) with perturbed values, fetch times and observation times. meteoflow then
runs the weather DAG once over everything but the last tick (collect -> land -> transform ->
predict; the transform task's time is read from meta.db), and DuckDB (threads = cores) does the
same job on the same raw lake: parse both sources' payloads, pair each OpenWeatherMap reading
with the same location's Open-Meteo reading nearest in fetch time within 10 minutes (ties: the
earlier), average as the original did, and write weather_data and hourly aggregates to a
database file. Spark local[cores] (pyspark) does the same job in Spark SQL, writing weather_data
and the hourly aggregates as Parquet; its session start is timed apart (--no-spark skips it).
The three are checked to agree on the row count and on a sample of values. Then one more
10-minute tick runs and its transform time is printed: the cost of a tick with that much
history.

    make bench-transform                      # 200 locations x 7 days (403,200 messages)
    .venv/bin/python bench/transform_bench.py --locations 20 --days 2
"""
import argparse
import datetime as dt
import json
import math
import os
import pathlib
import random
import resource
import sqlite3
import subprocess
import tempfile
import time

import duckdb

ROOT = pathlib.Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "data" / "demo" / "snapshots"
TICK = dt.timedelta(minutes=10)
START = dt.datetime(2024, 12, 1, tzinfo=dt.timezone.utc)


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(folder, locations, days, seed):
    """Writes owm.jsonl, om.jsonl and meteoflow.yaml; returns (messages, the last tick's start)."""
    rng = random.Random(seed)
    owm_templates = [json.loads(l) for l in (SNAPSHOTS / "openweathermap_current_2024-12-09.jsonl").open()]
    om_templates = [json.loads(l) for l in (SNAPSHOTS / "openmeteo_current_2024-12-09.jsonl").open()]
    ticks = days * 144
    places = []
    for i in range(locations):
        owm, om = owm_templates[i % 37], om_templates[i % 37]
        lat = owm["coord"]["lat"] + (i // 37) * 0.05
        lon = owm["coord"]["lon"] + (i // 37) * 0.05
        places.append((f"loc-{i:04d}", f"{owm['name']} {i}", lat, lon, owm, om))
    with open(folder / "owm.jsonl", "w") as owm_out, open(folder / "om.jsonl", "w") as om_out:
        for k in range(ticks):
            tick = START + k * TICK
            for pid, _, lat, lon, owm, om in places:
                wave = 4 * math.sin(2 * math.pi * k / 144 + lat)
                fetched = tick + dt.timedelta(seconds=rng.randint(5, 120))
                body = json.loads(json.dumps(owm))
                body["dt"] = int((fetched - dt.timedelta(seconds=rng.randint(30, 400))).timestamp())
                body["coord"] = {"lat": lat, "lon": lon}
                body["main"]["temp"] = round(owm["main"]["temp"] + wave + rng.gauss(0, 0.3), 2)
                body["main"]["humidity"] = max(0, min(100, owm["main"]["humidity"] + rng.randint(-5, 5)))
                owm_out.write(json.dumps({"location_id": pid, "fetched_at": stamp(fetched), "response": body}) + "\n")
                om_fetched = fetched + dt.timedelta(seconds=rng.randint(0, 3))
                body = json.loads(json.dumps(om))
                slot = om_fetched.replace(minute=om_fetched.minute // 15 * 15, second=0)
                body["current"]["time"] = slot.strftime("%Y-%m-%dT%H:%M")
                body["current"]["temperature_2m"] = round(om["current"]["temperature_2m"] + wave + rng.gauss(0, 0.3), 1)
                om_out.write(json.dumps({"location_id": pid, "fetched_at": stamp(om_fetched), "response": body}) + "\n")
    lines = ["data_dir: ./var", "locations:"]
    for pid, name, lat, lon, _, _ in places:
        lines.append(f"  - {{id: {pid}, name: \"{name}\", latitude: {lat:.4f}, longitude: {lon:.4f}}}")
    lines += ["sources:",
              "  openmeteo: {mode: replay, recording: om.jsonl, topic: openmeteo_raw}",
              "  openweathermap: {mode: replay, recording: owm.jsonl, topic: openweathermap_raw}",
              "dags:",
              "  weather:",
              "    schedule: \"*/10 * * * *\"",
              "    tasks:",
              "      - {id: collect}",
              "      - {id: land, upstream: [collect]}",
              "      - {id: transform, upstream: [land]}"]
    (folder / "meteoflow.yaml").write_text("\n".join(lines) + "\n")
    return 2 * ticks * locations, START + (ticks - 1) * TICK


def meteoflow_run(binary, folder, data, start, end):
    """Runs the DAG over [start, end); its wall time, the transform task's time and peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.perf_counter()
    out = subprocess.run([binary, "run", "--once", "--json", "--config", str(folder / "meteoflow.yaml"),
                          "--data-dir", str(data), "--from", stamp(start), "--to", stamp(end)],
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - began
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads(out.stdout)
    with sqlite3.connect(data / "meta.db") as meta:
        started, ended = meta.execute(
            "SELECT started_at, ended_at FROM task_try WHERE run_id = ? AND task_id = 'transform' "
            "ORDER BY try_number DESC LIMIT 1", (summary["run_id"],)).fetchone()
    seconds = (dt.datetime.fromisoformat(ended.replace("Z", "+00:00")) -
               dt.datetime.fromisoformat(started.replace("Z", "+00:00"))).total_seconds()
    return wall, seconds, summary, peak_kb if peak_kb > before else None


DUCKDB_JOB = """
CREATE TABLE raw AS SELECT source, location_id, epoch_ms(fetched_at) AS fetched, payload
  FROM read_parquet('{lake}/**/*.parquet', hive_partitioning = true);
CREATE TABLE owm AS SELECT location_id, fetched,
    CAST(json_extract(payload, '$.dt') AS BIGINT) * 1000 AS time,
    CAST(json_extract(payload, '$.main.temp') AS DOUBLE) AS temp,
    CAST(json_extract(payload, '$.main.humidity') AS DOUBLE) AS humidity,
    CAST(json_extract(payload, '$.main.feels_like') AS DOUBLE) AS feels_like,
    CAST(json_extract(payload, '$.main.pressure') AS DOUBLE) AS pressure,
    CAST(json_extract(payload, '$.wind.speed') AS DOUBLE) AS wind_speed
  FROM raw WHERE source = 'openweathermap';
CREATE TABLE om AS SELECT location_id, fetched,
    CAST(json_extract(payload, '$.current.temperature_2m') AS DOUBLE) AS temperature_2m,
    CAST(json_extract(payload, '$.current.relative_humidity_2m') AS DOUBLE) AS relative_humidity_2m,
    CAST(json_extract(payload, '$.current.apparent_temperature') AS DOUBLE) AS apparent_temperature,
    CAST(json_extract(payload, '$.current.precipitation') AS DOUBLE) AS precipitation
  FROM raw WHERE source = 'openmeteo';
CREATE TABLE paired AS
  WITH candidates AS (
    SELECT o.location_id, o.fetched, o.time, m.fetched AS om_fetched,
           row_number() OVER (PARTITION BY o.location_id, o.fetched
                              ORDER BY abs(m.fetched - o.fetched), m.fetched) AS rank
      FROM owm o JOIN om m ON m.location_id = o.location_id AND m.fetched BETWEEN o.fetched - 600000 AND o.fetched + 600000)
  SELECT location_id, fetched, om_fetched FROM candidates WHERE rank = 1;
CREATE TABLE weather_data AS
  SELECT o.location_id, o.time, o.temp, o.pressure, o.wind_speed,
         coalesce((o.temp + m.temperature_2m) / 2, o.temp, m.temperature_2m) AS temperature_2m,
         coalesce((o.humidity + m.relative_humidity_2m) / 2, o.humidity, m.relative_humidity_2m) AS humidity,
         coalesce((o.feels_like + m.apparent_temperature) / 2, o.feels_like, m.apparent_temperature) AS temperature_feels_like,
         m.precipitation
    FROM owm o LEFT JOIN paired p ON p.location_id = o.location_id AND p.fetched = o.fetched
               LEFT JOIN om m ON m.location_id = p.location_id AND m.fetched = p.om_fetched
  QUALIFY row_number() OVER (PARTITION BY o.location_id, o.time ORDER BY o.fetched DESC) = 1;
CREATE TABLE weather_hourly AS
  SELECT location_id, time // 3600000 * 3600000 AS hour, count(*) AS observations,
         avg(temperature_2m) AS temp_avg, min(temperature_2m) AS temp_min, max(temperature_2m) AS temp_max,
         avg(humidity) AS humidity_avg, avg(pressure) AS pressure_avg, avg(wind_speed) AS wind_speed_avg,
         max(wind_speed) AS wind_speed_max, sum(precipitation) AS precipitation_sum
    FROM weather_data GROUP BY ALL;
"""


def duckdb_run(lake, out_file):
    began = time.perf_counter()
    con = duckdb.connect(str(out_file))
    con.execute(f"SET threads = {os.cpu_count()}")
    con.execute(DUCKDB_JOB.format(lake=lake))
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - began
    rows = con.execute("SELECT count(*) FROM weather_data").fetchone()[0]
    sample = con.execute("SELECT location_id, time, temperature_2m, humidity FROM weather_data "
                         "USING SAMPLE 200 ROWS (reservoir, 7)").fetchall()
    con.close()
    return seconds, rows, sample


SPARK_VIEWS = {
    "owm": """SELECT location_id, unix_millis(fetched_at) AS fetched,
                     CAST(get_json_object(payload, '$.dt') AS BIGINT) * 1000 AS time,
                     CAST(get_json_object(payload, '$.main.temp') AS DOUBLE) AS temp,
                     CAST(get_json_object(payload, '$.main.humidity') AS DOUBLE) AS humidity,
                     CAST(get_json_object(payload, '$.main.feels_like') AS DOUBLE) AS feels_like,
                     CAST(get_json_object(payload, '$.main.pressure') AS DOUBLE) AS pressure,
                     CAST(get_json_object(payload, '$.wind.speed') AS DOUBLE) AS wind_speed
                FROM raw WHERE source = 'openweathermap'""",
    "om": """SELECT location_id, unix_millis(fetched_at) AS fetched,
                    CAST(get_json_object(payload, '$.current.temperature_2m') AS DOUBLE) AS temperature_2m,
                    CAST(get_json_object(payload, '$.current.relative_humidity_2m') AS DOUBLE) AS relative_humidity_2m,
                    CAST(get_json_object(payload, '$.current.apparent_temperature') AS DOUBLE) AS apparent_temperature,
                    CAST(get_json_object(payload, '$.current.precipitation') AS DOUBLE) AS precipitation
               FROM raw WHERE source = 'openmeteo'""",
    "paired": """SELECT location_id, fetched, om_fetched FROM (
                   SELECT o.location_id, o.fetched, m.fetched AS om_fetched,
                          row_number() OVER (PARTITION BY o.location_id, o.fetched
                                             ORDER BY abs(m.fetched - o.fetched), m.fetched) AS rank
                     FROM owm o JOIN om m ON m.location_id = o.location_id
                                        AND m.fetched BETWEEN o.fetched - 600000 AND o.fetched + 600000)
                 WHERE rank = 1""",
    "weather_data": """SELECT location_id, time, temp, pressure, wind_speed, temperature_2m, humidity,
                              temperature_feels_like, precipitation FROM (
                         SELECT o.location_id, o.time, o.temp, o.pressure, o.wind_speed,
                                coalesce((o.temp + m.temperature_2m) / 2, o.temp, m.temperature_2m) AS temperature_2m,
                                coalesce((o.humidity + m.relative_humidity_2m) / 2, o.humidity,
                                         m.relative_humidity_2m) AS humidity,
                                coalesce((o.feels_like + m.apparent_temperature) / 2, o.feels_like,
                                         m.apparent_temperature) AS temperature_feels_like,
                                m.precipitation,
                                row_number() OVER (PARTITION BY o.location_id, o.time ORDER BY o.fetched DESC) AS latest
                           FROM owm o LEFT JOIN paired p ON p.location_id = o.location_id AND p.fetched = o.fetched
                                      LEFT JOIN om m ON m.location_id = p.location_id AND m.fetched = p.om_fetched)
                       WHERE latest = 1""",
    "weather_hourly": """SELECT location_id, time DIV 3600000 * 3600000 AS hour, count(*) AS observations,
                                avg(temperature_2m) AS temp_avg, min(temperature_2m) AS temp_min,
                                max(temperature_2m) AS temp_max, avg(humidity) AS humidity_avg,
                                avg(pressure) AS pressure_avg, avg(wind_speed) AS wind_speed_avg,
                                max(wind_speed) AS wind_speed_max, sum(precipitation) AS precipitation_sum
                           FROM weather_data GROUP BY location_id, time DIV 3600000 * 3600000""",
}


def spark_run(lake, out_dir, sample_keys):
    """Spark local[cores] on the same raw lake; (session start s, job s, rows, {key: (temp, hum)})."""
    began = time.perf_counter()
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master(f"local[{os.cpu_count()}]").appName("meteoflow-transform-bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC").config("spark.driver.memory", "4g").config("spark.sql.shuffle.partitions", str(4 * os.cpu_count()))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    started = time.perf_counter() - began
    began = time.perf_counter()
    spark.read.parquet(str(lake)).createOrReplaceTempView("raw")
    for name, query in SPARK_VIEWS.items():
        spark.sql(query).createOrReplaceTempView(name)
    for name in ("weather_data", "weather_hourly"):
        spark.table(name).write.mode("overwrite").parquet(str(out_dir / name))
    seconds = time.perf_counter() - began
    written = spark.read.parquet(str(out_dir / "weather_data"))
    rows = written.count()
    wanted = {k for k in sample_keys}
    sample = {}
    for r in written.collect():
        if (r.location_id, r.time) in wanted:
            sample[(r.location_id, r.time)] = (r.temperature_2m, r.humidity)
    spark.stop()
    return started, seconds, rows, sample


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--binary", default=str(ROOT / "build" / "meteoflow"))
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark local[cores] run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        messages, last_tick = generate(folder, args.locations, args.days, args.seed)
        print(f"{args.locations} locations x {args.days} days: {messages:,} raw messages, both sources")
        data = folder / "data"
        wall, transform_s, summary, peak_kb = meteoflow_run(args.binary, folder, data, START, last_tick)
        duck_s, duck_rows, sample = duckdb_run(data / "lake" / "raw", folder / "duck.db")
        ours = {}
        with sqlite3.connect(data / "store.db") as store:
            ours_rows = store.execute("SELECT count(*) FROM weather_data").fetchone()[0]
            for location_id, time_ms, temperature, humidity in sample:
                t = dt.datetime.fromtimestamp(time_ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                ours[(location_id, t)] = (store.execute(
                    "SELECT temperature_2m, humidity FROM weather_data WHERE location_id = ? AND time = ?",
                    (location_id, t)).fetchone(), (temperature, humidity))
        agree = sum(1 for got, want in ours.values() if got and all(abs(a - b) < 1e-9 for a, b in zip(got, want)))
        print(f"{'':<26} {'seconds':>9} {'rows':>9}")
        print(f"{'meteoflow run --once':<26} {wall:>9.2f} {summary['stored_rows']:>9}  peak RSS "
              f"{(peak_kb or 0) / 1024:.0f} MB")
        print(f"{'  of it: transform task':<26} {transform_s:>9.2f} {ours_rows:>9}")
        print(f"{'DuckDB, same job':<26} {duck_s:>9.2f} {duck_rows:>9}")
        spark_rows = None
        if not args.no_spark:
            spark_start, spark_s, spark_rows, spark_sample = spark_run(
                data / "lake" / "raw", folder / "spark", [(loc, t) for loc, t, _, _ in sample])
            print(f"{'Spark local, same job':<26} {spark_s:>9.2f} {spark_rows:>9}  (session start {spark_start:.1f} s apart)")
        print(f"transform / DuckDB: {transform_s / duck_s:.2f}x (below 1.0: meteoflow faster)")
        if spark_rows is not None:
            print(f"Spark / transform: {spark_s / transform_s:.1f}x (meteoflow this many times faster)")
            spark_agree = sum(1 for loc, t, temp, hum in sample
                              if (loc, t) in spark_sample and
                              all(abs(a - b) < 1e-9 for a, b in zip(spark_sample[(loc, t)], (temp, hum))))
            print(f"Spark rows agree: {spark_rows == duck_rows}; sampled values agree: {spark_agree} of {len(sample)}")
        print(f"rows agree: {ours_rows == duck_rows}; sampled values agree: {agree} of {len(ours)}")
        _, tick_s, tick, _ = meteoflow_run(args.binary, folder, data, last_tick, last_tick + TICK)
        print(f"one more 10-minute tick ({tick['transformed_records']} new messages, {tick['stored_rows']} rows "
              f"upserted): transform task {tick_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
