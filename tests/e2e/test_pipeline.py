"""End-to-end tests of the `meteoflow` binary on the bundled recording.

Expected values come straight from the original pipeline's export (data/demo/seed/
weather_data1.csv), not from our own rebuilding code, so the pipeline is checked against an
independent source. Needs MF_BIN (the built binary); DuckDB and pyarrow from the project venv.
"""
import csv
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

import duckdb
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
SEED_CSV = ROOT / "data" / "demo" / "seed" / "weather_data1.csv"


def mf(*args, check=True):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"meteoflow {' '.join(args)} failed: {result.stderr}")
    return result


def sql(data_dir, query):
    return json.loads(mf("sql", "--data-dir", str(data_dir), "--json", query).stdout)


def seed_rows():
    with open(SEED_CSV, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def seed_time(text):
    # "2024-12-03 22:16:57.000+0000" -> "2024-12-03T22:16:57.000Z"
    return text[:10] + "T" + text[11:23] + "Z"


# The recording's span of the original's export (weather_data1.csv, 2024-12-03..05); after it
# comes the tick of the two real 2024-12-09 snapshots (data/demo/README.md).
EXPORT = ("--to", "2024-12-06")


@pytest.fixture(scope="module")
def once_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("once")
    out = mf("run", "--once", "--json", *EXPORT, "--data-dir", str(d))
    return d, json.loads(out.stdout)


def test_summary_counts(once_dir):
    _, summary = once_dir
    seed = seed_rows()
    assert summary["state"] == "success"
    assert summary["published"] == {"openmeteo_raw": len(seed), "openweathermap_raw": len(seed)}
    assert summary["landed"] == 2 * len(seed)
    assert summary["dead_lettered"] == 0
    assert summary["predicted_cities"] == 37


def test_weather_data_matches_the_seed(once_dir):
    d, _ = once_dir
    seed = seed_rows()
    distinct = {(r["city_name"], r["time"]) for r in seed}
    assert sql(d, "SELECT count(*) AS n FROM weather_data")[0]["n"] == len(distinct) == 2354
    assert sql(d, "SELECT count(DISTINCT city_name) AS n FROM predictions")[0]["n"] == 37
    by_key = {(r["city_name"], seed_time(r["time"])): r for r in seed}
    stored = sql(d, "SELECT * FROM weather_data")
    assert len(stored) == len(by_key)
    for row in stored:
        expected = by_key[(row["city_name"], row["time"])]
        for column in ("temperature_2m", "humidity", "temp", "feels_like", "pressure", "relative_humidity_2m",
                       "apparent_temperature", "surface_pressure", "wind_speed", "visibility", "elevation"):
            assert row[column] == pytest.approx(float(expected[column]), abs=1e-6), (row["city_name"], row["time"], column)
    # A few exact values, spelled out.
    oujda = sql(d, "SELECT temperature_2m, humidity, sunrise FROM weather_data "
                   "WHERE city_name = 'Oujda' AND time = '2024-12-03T22:16:57.000Z'")[0]
    assert oujda["temperature_2m"] == pytest.approx(13.225)
    assert oujda["humidity"] == pytest.approx(72)
    assert oujda["sunrise"].startswith("2024-12-0")  # seconds, not 1970 (the original's defect)


def test_duckdb_and_pyarrow_read_every_lake_file(once_dir):
    d, summary = once_dir
    files = sorted((d / "lake").rglob("*.parquet"))
    assert files
    total = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{d}/lake/**/*.parquet')").fetchall()[0][0]
    assert total == sum(summary["published"].values())
    for f in files:
        table = pq.read_table(f)
        con = duckdb.connect()
        rows = con.execute(f"SELECT location_id, epoch_ms(fetched_at), \"offset\", payload FROM read_parquet('{f}') ORDER BY \"offset\"").fetchall()
        table = table.sort_by("offset")
        arrow = table.to_pydict()
        assert [r[0] for r in rows] == arrow["location_id"]
        assert [r[1] for r in rows] == table.column("fetched_at").cast("int64").to_pylist()
        assert [r[2] for r in rows] == arrow["offset"]
        assert [r[3] for r in rows] == arrow["payload"]
        assert all(json.loads(p) for p in arrow["payload"])


def test_second_run_adds_nothing(once_dir):
    d, _ = once_dir
    before = sql(d, "SELECT count(*) AS n FROM weather_data")[0]["n"]
    out = json.loads(mf("run", "--once", "--json", *EXPORT, "--data-dir", str(d)).stdout)
    assert sum(out["published"].values()) == 0
    assert out["landed"] == 0
    assert sql(d, "SELECT count(*) AS n FROM weather_data")[0]["n"] == before


def test_the_snapshot_tick_keeps_each_sources_own_fields(tmp_path):
    """The real 2024-12-09 responses carry what the export lost: weather[0], temp_min/max,
    weather_code, cloud_cover. Each source's own reading keeps them (source_observations)."""
    d = tmp_path / "snapshot"
    mf("run", "--once", "--quiet", "--from", "2024-12-09", "--to", "2024-12-10", "--data-dir", str(d))
    assert sql(d, "SELECT count(*) AS n FROM weather_data")[0]["n"] == 37
    owm = sql(d, "SELECT city_name, readings, labels FROM source_observations WHERE source = 'openweathermap'")
    om = sql(d, "SELECT city_name, readings FROM source_observations WHERE source = 'openmeteo'")
    assert len(owm) == len(om) == 37
    casablanca = next(r for r in owm if r["city_name"] == "Casablanca")
    assert json.loads(casablanca["readings"])["temp_min"] == 14.12
    assert json.loads(casablanca["labels"]) == {"weather_description": "scattered clouds", "weather_icon": "03n",
                                                 "weather_main": "Clouds"}
    assert all("weather_code" in json.loads(r["readings"]) and "cloud_cover" in json.loads(r["readings"]) for r in om)


def table_dump(d):
    tables = {}
    for name, key in [("weather_data", "city_name, time"), ("weather_hourly", "city_name, hour"),
                      ("predictions", "city_name, target_time, variable, horizon, model"), ("dead_letter", "source, location_id, fetched_at")]:
        rows = sql(d, f"SELECT * FROM {name} ORDER BY {key}")
        for r in rows:
            r.pop("created_at", None)
        tables[name] = rows
    return tables


def test_kill_9_then_rerun_gives_the_same_tables(once_dir, tmp_path):
    reference, _ = once_dir
    d = tmp_path / "killed"
    for delay in (0.03, 0.06, 0.1):
        proc = subprocess.Popen([BIN, "run", "--once", "--quiet", *EXPORT, "--data-dir", str(d)])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    mf("run", "--once", "--quiet", *EXPORT, "--data-dir", str(d))
    assert table_dump(d) == table_dump(reference)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_the_api(once_dir):
    d, _ = once_dir
    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--data-dir", str(d), "--port", str(port)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                health = json.load(urllib.request.urlopen(f"{base}/api/health"))
                break
            except OSError:
                time.sleep(0.1)
        assert health["status"] == "ok"
        rows = json.load(urllib.request.urlopen(f"{base}/api/observations?city=Casablanca"))
        expected = sorted(seed_time(r["time"]) for r in seed_rows() if r["city_name"] == "Casablanca")
        assert [r["time"].replace("Z", ".000Z") if len(r["time"]) == 20 else r["time"] for r in rows] == expected
        assert len(json.load(urllib.request.urlopen(f"{base}/api/cities"))) == 37
        assert json.load(urllib.request.urlopen(f"{base}/api/predictions?city=casablanca"))[0]["model"] == "naive-last"
        assert json.load(urllib.request.urlopen(f"{base}/api/runs"))[0]["state"] == "success"
        page = urllib.request.urlopen(f"{base}/").read().decode()
        assert "<title>meteoflow</title>" in page
        assert "meteoflow_http_requests_total" in urllib.request.urlopen(f"{base}/metrics").read().decode()
        for bad in ("/api/observations", "/api/observations?city=Atlantis", "/api/observations?city=Rabat&from=yesterday",
                    "/api/runs?limit=-1"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(base + bad)
            assert err.value.code == 400
            assert "error" in json.load(err.value)
    finally:
        server.terminate()
        server.wait()


@pytest.mark.parametrize("args, message", [
    (["run", "--once", "--config", "/nonexistent.yaml"], "cannot open config file"),
    (["sql", "--data-dir", "/nonexistent-dir", "SELECT 1"], "no store at"),
    (["run", "--once", "--port", "99999"], "99999"),
    (["frobnicate"], ""),
])
def test_bad_cli_input_fails_with_one_clear_line(args, message):
    result = mf(*args, check=False)
    assert result.returncode != 0
    assert message in result.stderr + result.stdout


def test_bad_config_key_is_named(tmp_path):
    text = (ROOT / "config" / "meteoflow.yaml").read_text().replace("data_dir: ./var", "data_dirr: ./var")
    bad = ROOT / "config" / ".bad-test.yaml"
    bad.write_text(text)
    try:
        result = mf("run", "--once", "--config", str(bad), "--data-dir", str(tmp_path), check=False)
    finally:
        bad.unlink()
    assert result.returncode == 2
    assert "data_dirr: unknown key" in result.stderr
    assert result.stderr.count("\n") == 1


def test_bad_sql_is_an_error(once_dir):
    d, _ = once_dir
    result = mf("sql", "--data-dir", str(d), "SELEKT nothing", check=False)
    assert result.returncode != 0 and "syntax error" in result.stderr
    result = mf("sql", "--data-dir", str(d), "DELETE FROM weather_data", check=False)
    assert result.returncode != 0 and "readonly" in result.stderr
