"""Live collection end to end: meteoflow against a fake of both weather APIs on loopback
(tests/fakes/weather_api.py), with the fake's request log as the witness of what was asked when.
"""
import datetime
import json
import os
import pathlib
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
KEY = "mfTESTkey-7f3a9c51e2"  # distinctive, so that a leak anywhere is found by a plain search


@pytest.fixture(scope="module")
def fake():
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "fakes" / "weather_api.py"), "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    base = f"http://127.0.0.1:{int(line.split()[1])}"
    yield base
    proc.terminate()
    proc.wait()


def control(base, path, payload=None):
    data = json.dumps(payload or {}).encode()
    return json.load(urllib.request.urlopen(urllib.request.Request(base + path, data=data, method="POST")))


def requests_log(base, path=None):
    log = json.load(urllib.request.urlopen(base + "/_requests"))
    return [r for r in log if path is None or r["path"] == path]


@pytest.fixture()
def api(fake):
    control(fake, "/_reset")
    control(fake, "/_key", {"appid": KEY})
    return fake


def live_config(tmp_path, base, owm=True, **overrides):
    owm_settings = {"mode": "live", "base_url": base, "retry_delay_ms": 100, "retries": 3,
                    "rate_limit_requests": 1000, "rate_limit_seconds": 1, "timeout_seconds": 2}
    om_settings = {"mode": "live", "base_url": base, "archive_url": base, "geocoding_url": base,
                   "retry_delay_ms": 100, "retries": 3, "timeout_seconds": 2}
    owm_settings.update(overrides.get("openweathermap", {}))
    om_settings.update(overrides.get("openmeteo", {}))
    sources = {"openmeteo": om_settings}
    if owm:
        sources["openweathermap"] = owm_settings
    config = tmp_path / "live.yaml"
    config.write_text(f"extends: {ROOT / 'config' / 'live.yaml'}\nsources: {json.dumps(sources)}\n")
    return config


def mf(*args, key=KEY, check=True, timeout=300):
    env = dict(os.environ)
    env.pop("OPENWEATHERMAP_API_KEY", None)
    if key:
        env["OPENWEATHERMAP_API_KEY"] = key
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"meteoflow {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def run_once(config, data, **kwargs):
    return mf("run", "--once", "--json", "--config", str(config), "--data-dir", str(data), **kwargs)


def sql(data, query):
    with sqlite3.connect(data / "store.db") as db:
        return db.execute(query).fetchall()


def test_a_live_run_fills_weather_data_for_every_city_and_replay_gives_the_same_rows(api, tmp_path):
    config, data = live_config(tmp_path, api), tmp_path / "live"
    summary = json.loads(run_once(config, data).stdout)
    assert summary["state"] == "success"
    assert summary["requests"] == {"openmeteo": 1, "openweathermap": 37}  # one request for all 37 cities
    assert summary["failed_locations"] == {"openmeteo": 0, "openweathermap": 0}
    assert sql(data, "SELECT count(DISTINCT city_name), count(*) FROM weather_data") == [(37, 37)]
    assert sql(data, "SELECT DISTINCT sources FROM weather_data") == [("openweathermap+openmeteo",)]
    owm = requests_log(api, "/data/2.5/weather")
    assert len({r["client_port"] for r in owm}) == 1  # one kept-alive connection for the 37 requests
    assert all(r["gzip"] for r in requests_log(api))  # and every answer may come compressed
    # The same responses, as recordings, through replay: the same rows.
    recordings = {}
    for source in ("openmeteo", "openweathermap"):
        lines = []
        for f in sorted((data / "lake" / "raw" / f"source={source}").rglob("*.parquet")):
            for row in pq.read_table(f).to_pylist():
                fetched = row["fetched_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
                lines.append(json.dumps({"location_id": row["location_id"], "fetched_at": fetched,
                                         "response": json.loads(row["payload"])}))
        recordings[source] = tmp_path / f"{source}.jsonl"
        recordings[source].write_text("\n".join(lines) + "\n")
    replay = tmp_path / "replay.yaml"
    replay.write_text(f"extends: {ROOT / 'config' / 'meteoflow.yaml'}\nsources:\n"
                      f"  openmeteo: {{mode: replay, recording: {recordings['openmeteo']}}}\n"
                      f"  openweathermap: {{mode: replay, recording: {recordings['openweathermap']}}}\n")
    replayed = tmp_path / "replayed"
    mf("run", "--once", "--quiet", "--config", str(replay), "--data-dir", str(replayed))
    query = "SELECT * FROM weather_data ORDER BY city_name, time"
    assert sql(replayed, query) == sql(data, query)


def gaps(log):
    return [b["time"] - a["time"] for a, b in zip(log, log[1:])]


@pytest.mark.parametrize("fault,extra,min_gap", [
    ("429", {}, 0.1),
    ("429-retry-after", {"seconds": 1}, 0.95),
    ("503", {}, 0.1),
    ("truncated", {}, 0.1),
    ("plaintext", {}, 0.1),
])
def test_temporary_faults_are_retried_with_backoff(api, tmp_path, fault, extra, min_gap):
    control(api, "/_script", {"faults": [{"path": "/v1/forecast", "fault": fault, **extra}]})
    summary = json.loads(run_once(live_config(tmp_path, api), tmp_path / "d").stdout)
    assert summary["state"] == "success"
    assert summary["retries"]["openmeteo"] == 1 and summary["failed_locations"]["openmeteo"] == 0
    log = requests_log(api, "/v1/forecast")
    assert [r["status"] for r in log] == [429 if fault.startswith("429") else 503 if fault == "503" else 200, 200]
    assert gaps(log)[0] >= min_gap  # the backoff (or the Retry-After) is visible in the request times
    assert sql(tmp_path / "d", "SELECT count(DISTINCT city_name) FROM weather_data") == [(37,)]


def test_a_response_slower_than_the_timeout_is_retried(api, tmp_path):
    control(api, "/_script", {"faults": [{"path": "/v1/forecast", "fault": "slow", "seconds": 3}]})
    summary = json.loads(run_once(live_config(tmp_path, api, openmeteo={"timeout_seconds": 1}), tmp_path / "d").stdout)
    assert summary["state"] == "success" and summary["retries"]["openmeteo"] == 1


def test_401_fails_fast_with_one_line_naming_the_source_and_the_variable(api, tmp_path):
    result = run_once(live_config(tmp_path, api), tmp_path / "d", key="wrong-key", check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("meteoflow:")]
    assert len(errors) == 1
    assert "openweathermap" in errors[0] and "OPENWEATHERMAP_API_KEY" in errors[0] and "401" in errors[0]
    assert len(requests_log(api, "/data/2.5/weather")) == 1  # no retry, no second location


def test_a_missing_key_is_one_clear_line(api, tmp_path):
    result = run_once(live_config(tmp_path, api), tmp_path / "d", key=None, check=False)
    assert result.returncode == 2
    assert "OPENWEATHERMAP_API_KEY" in result.stderr and "enabled: false" in result.stderr
    assert requests_log(api) == []


def test_one_bad_location_does_not_fail_the_others(api, tmp_path):
    rabat = "33.9911"  # the fake answers this location's requests with errors only
    control(api, "/_script", {"faults": [{"path": "/data/2.5/weather", "lat": rabat, "fault": "404-string"},
                                         {"path": "/data/2.5/weather", "fault": "400-number", "lat": "34.0372"}]})
    summary = json.loads(run_once(live_config(tmp_path, api), tmp_path / "d").stdout)
    assert summary["state"] == "success"
    assert summary["failed_locations"]["openweathermap"] == 2 and summary["retries"]["openweathermap"] == 0
    assert any("rabat" in n and "city not found" in n for n in summary["notes"])
    assert sql(tmp_path / "d", "SELECT count(*) FROM weather_data") == [(35,)]
    metrics = ""
    log = (tmp_path / "d" / "logs").rglob("collect.1.log")
    assert any("city not found" in p.read_text() for p in log)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([BIN, "serve", "--config", str(live_config(tmp_path, api)), "--data-dir",
                               str(tmp_path / "d"), "--port", str(port)], stdout=subprocess.DEVNULL,
                              env={**os.environ, "OPENWEATHERMAP_API_KEY": KEY})
    try:
        for _ in range(100):
            try:
                metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait()
    assert 'meteoflow_collect_failed_locations_total{source="openweathermap"} 2' in metrics


def test_every_location_failing_fails_the_run(api, tmp_path):
    # 400 is not retried by the HTTP layer; the collect task's own 2 retries get the same answer.
    # A sticky fault, not a counted few: on a loaded machine the client gave up on slow answers and
    # asked again, using up even 12 queued faults, so a later try succeeded.
    control(api, "/_script", {"faults": [{"path": "/v1/forecast", "fault": "error", "sticky": True}]})
    result = run_once(live_config(tmp_path, api, owm=False), tmp_path / "d", check=False)
    assert result.returncode != 0 and "every location failed" in result.stdout + result.stderr


def test_open_meteo_alone_fills_weather_data(api, tmp_path):
    summary = json.loads(run_once(live_config(tmp_path, api, owm=False), tmp_path / "d", key=None).stdout)
    assert summary["state"] == "success" and summary["requests"] == {"openmeteo": 1}
    assert sql(tmp_path / "d", "SELECT count(DISTINCT city_name), min(sources), max(sources) FROM weather_data") == [
        (37, "openmeteo", "openmeteo")]
    assert requests_log(api, "/data/2.5/weather") == []


def test_pacing_keeps_the_rate_limit_in_every_window(api, tmp_path):
    config = live_config(tmp_path, api, openweathermap={"rate_limit_requests": 8, "rate_limit_seconds": 1})
    run_once(config, tmp_path / "d")
    times = [r["time"] for r in requests_log(api, "/data/2.5/weather")]
    assert len(times) == 37
    for i, t in enumerate(times):
        in_window = [u for u in times[i:] if u < t + 1.0]
        assert len(in_window) <= 8, f"{len(in_window)} requests within 1 s from request {i}"
    assert times[-1] - times[0] >= 37 / 8 - 1.5  # paced, not bursted


def test_the_api_key_appears_nowhere(api, tmp_path):
    control(api, "/_script", {"faults": [{"path": "/data/2.5/weather", "fault": "503"}] * 4 +
                              [{"path": "/data/2.5/weather", "fault": "slow", "seconds": 3}]})
    data = tmp_path / "d"
    config = live_config(tmp_path, api)
    outputs = [run_once(config, data), mf("run", "--once", "--config", str(config), "--data-dir", str(data)),
               mf("--help"), mf("run", "--help"), mf("--version"),
               mf("dags", "runs", "weather", "--json", "--config", str(config), "--data-dir", str(data)),
               mf("tasks", "logs", "weather", "collect", "--date", json.loads(
                   mf("dags", "runs", "weather", "--json", "--config", str(config), "--data-dir",
                      str(data)).stdout)[0]["logical_date"], "--config", str(config), "--data-dir", str(data))]
    for out in outputs:
        assert KEY not in out.stdout and KEY not in out.stderr
    assert any("appid=***" in n for n in json.loads(outputs[0].stdout)["notes"])  # the URL shown, redacted
    for path in data.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_a_past_interval_never_gets_todays_weather(api, tmp_path):
    config, data = live_config(tmp_path, api), tmp_path / "d"
    summary = json.loads(mf("run", "--once", "--json", "--from", "2024-12-03T22:00", "--to", "2024-12-03T22:10",
                            "--config", str(config), "--data-dir", str(data)).stdout)
    assert summary["published"] == {"openmeteo_raw": 0, "openweathermap_raw": 0}
    assert any("in the past" in n for n in summary["notes"])
    assert requests_log(api) == []


def test_locations_search_prints_a_config_entry_that_loads(api, tmp_path):
    config = live_config(tmp_path, api, owm=False)
    out = mf("locations", "search", "Casablanca", "--config", str(config), key=None).stdout
    entries = [line for line in out.splitlines() if line.startswith("  - {")]
    assert entries and entries[0].startswith('  - {id: casablanca, name: "Casablanca", latitude: 33.5928')
    pasted = tmp_path / "pasted.yaml"
    pasted.write_text(config.read_text() + "locations:\n" + entries[0].split("  #")[0] + "\n")
    listed = json.loads(mf("locations", "search", "Casablanca", "--json", "--config", str(config), key=None).stdout)
    assert listed[0]["country"] == "Morocco" and listed[0]["population"] > 0
    checked = json.loads(mf("locations", "check", "--json", "--config", str(pasted), key=None).stdout)
    assert checked == [{"id": "casablanca", "name": "Casablanca", "distance_km": 0.0, "match": "Casablanca"}]
    nothing = mf("locations", "search", "Atlantis", "--config", str(config), key=None, check=False)
    assert nothing.returncode == 1 and "no place named 'Atlantis'" in nothing.stderr


def test_locations_check_shows_a_wrong_coordinate(api, tmp_path):
    config = live_config(tmp_path, api, owm=False)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(config.read_text() + 'locations:\n  - {id: rabat, name: "Rabat", latitude: 34.9911, longitude: -6.8401}\n')
    checked = json.loads(mf("locations", "check", "--json", "--config", str(wrong), key=None).stdout)
    assert 100 < checked[0]["distance_km"] < 120  # one degree of latitude off


def history(config, data, *extra, **kwargs):
    return mf("history", "--from", "2026-10-01", "--to", "2026-10-30", "--config", str(config), "--data-dir",
              str(data), *extra, key=None, **kwargs)


def test_history_fills_30_days_exactly_and_a_rerun_adds_nothing(api, tmp_path):
    config, data = live_config(tmp_path, api, owm=False), tmp_path / "d"
    first = json.loads(history(config, data, "--json").stdout)
    assert first["rows_stored"] == 37 * 30 * 24 and first["chunks"] == 5
    assert sql(data, "SELECT count(*), count(DISTINCT city_name), min(time), max(time) FROM weather_data") == [
        (37 * 30 * 24, 37, "2026-10-01T00:00:00.000Z", "2026-10-30T23:00:00.000Z")]
    assert len(requests_log(api, "/v1/archive")) == 5  # all 37 locations in each 7-day request
    again = json.loads(history(config, data, "--json").stdout)
    assert again["rows_stored"] == 0 and again["chunks_already_stored"] == 5
    assert sql(data, "SELECT count(*) FROM weather_data") == [(37 * 30 * 24,)]
    plain = history(config, data)
    assert "history: chunk 5/5" in plain.stderr  # progress lines when stderr is not a terminal


def test_history_killed_midway_then_run_again_ends_with_the_same_rows(api, tmp_path):
    config, data = live_config(tmp_path, api, owm=False), tmp_path / "d"
    control(api, "/_script", {"faults": [{"path": "/v1/archive", "fault": "slow", "seconds": 8, "after": 2}]})
    proc = subprocess.Popen([BIN, "history", "--from", "2026-10-01", "--to", "2026-10-30", "--config", str(config),
                             "--data-dir", str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(requests_log(api, "/v1/archive")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the third request is being answered slowly
    proc.kill()
    proc.wait()
    assert sql(data, "SELECT count(*) FROM weather_data") == [(2 * 7 * 24 * 37,)]  # two chunks stored
    resumed = json.loads(history(config, data, "--json").stdout)
    assert resumed["chunks_already_stored"] == 2
    assert sql(data, "SELECT count(*), count(DISTINCT city_name || time) FROM weather_data") == [
        (37 * 30 * 24, 37 * 30 * 24)]


def test_history_never_overwrites_a_live_reading(api, tmp_path):
    config, data = live_config(tmp_path, api, owm=False), tmp_path / "d"
    run_once(config, data, key=None)
    live_rows = sql(data, "SELECT city_name, time, temperature_2m FROM weather_data ORDER BY 1")
    today = live_rows[0][1][:10]
    out = json.loads(mf("history", "--from", today, "--to", today, "--json", "--config", str(config), "--data-dir",
                        str(data), key=None).stdout)
    on_the_hour = live_rows[0][1][14:16] == "00"  # Open-Meteo's current time is a 15-minute slot
    assert out["hours_already_present"] == (37 if on_the_hour else 0)
    assert out["rows_stored"] == 37 * 24 - out["hours_already_present"]
    assert sql(data, "SELECT city_name, time, temperature_2m FROM weather_data WHERE sources = 'openmeteo' "
                     "ORDER BY 1") == live_rows


def test_the_nwp_dag_stores_the_services_hourly_forecast(api, tmp_path):
    sys.path.insert(0, str(ROOT / "tests" / "fakes"))
    import weather_api  # the fake's own truth, bias and noise: what the stored values must be
    config, data = live_config(tmp_path, api, owm=False), tmp_path / "d"
    out = json.loads(mf("dags", "trigger", "nwp", "--json", "--config", str(config), "--data-dir", str(data),
                        key=None).stdout)
    assert out[0]["state"] == "success", out
    (request,) = requests_log(api, "/v1/forecast")  # one request for all 37 cities
    assert request["query"]["hourly"] == "temperature_2m,relative_humidity_2m,pressure_msl,wind_speed_10m,visibility"
    assert request["query"]["forecast_days"] == "2" and request["query"]["wind_speed_unit"] == "ms"
    assert "current" not in request["query"]
    rows = sql(data, "SELECT city_name, target_time, variable, issued_at, value FROM service_forecasts")
    issued = {r[3] for r in rows}
    assert len(issued) == 1
    issued_at = datetime.datetime.fromisoformat(issued.pop().replace("Z", "+00:00"))
    first_hour = issued_at.replace(minute=0, second=0, microsecond=0)
    hours = 48 - first_hour.hour  # from the fetch's hour to the end of tomorrow
    assert len(rows) == 37 * 6 * hours
    assert {r[2] for r in rows} == {"temp", "humidity", "pressure", "sea_level", "wind_speed", "visibility"}
    assert min(r[1] for r in rows) == first_hour.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    lat, lon = 33.9911, -6.8401  # Rabat, as config/live.yaml has it
    template = weather_api.nearest(weather_api.STATE.om, lat, lon, lambda t: (t["latitude"], t["longitude"]))
    for city, target, variable, _, value in rows:
        if city != "Rabat" or variable != "temp":
            continue
        when = datetime.datetime.fromisoformat(target.replace("Z", "+00:00")).timestamp()
        expected = weather_api.truth(template, "temperature_2m", when, lat) + 1.5 + \
            weather_api.forecast_noise(lat, when, "temperature_2m")
        assert abs(value - round(expected, 1)) < 1e-9, (target, value, expected)
    again = json.loads(mf("dags", "trigger", "nwp", "--json", "--config", str(config), "--data-dir", str(data),
                          key=None).stdout)
    assert again[0]["state"] == "success"
    assert len(sql(data, "SELECT DISTINCT issued_at FROM service_forecasts")) in (1, 2)  # same minute: one


def test_nwp_without_a_live_open_meteo_fails_clearly(tmp_path):
    config = tmp_path / "replay-nwp.yaml"
    config.write_text(f"extends: {ROOT / 'config' / 'live.yaml'}\n"
                      f"sources: {{openmeteo: {{mode: replay, recording: {ROOT / 'data/demo/recording/openmeteo.jsonl'}}}}}\n")
    out = mf("dags", "list", "--config", str(config), "--data-dir", str(tmp_path / "d"), key=None, check=False)
    assert out.returncode == 2
    assert "dags.nwp.tasks[0]: the nwp stage fetches Open-Meteo's forecast: it needs sources.openmeteo enabled " \
           "in live mode" in out.stderr, out.stderr


def test_post_processing_removes_the_services_bias_through_the_pipeline(api, tmp_path):
    """The fake's forecast misses its own archive by a known bias (weather_api.FORECAST_BIAS) and
    noise. The pipeline stores it (nwp DAG) and the hourly observations (history, which the fake
    serves for any day -- here today and tomorrow, so that the forecast fetched now was issued
    before the hours it is scored on); nwp-arima must remove the bias and beat the raw forecast."""
    config, data = live_config(tmp_path, api, owm=False), tmp_path / "d"
    mf("dags", "trigger", "nwp", "--config", str(config), "--data-dir", str(data), key=None)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    mf("history", "--from", today.isoformat(), "--to", (today + datetime.timedelta(days=1)).isoformat(), "--json",
       "--config", str(config), "--data-dir", str(data), key=None)
    out = mf("model", "evaluate", "--config", str(config), "--data-dir", str(data), "--candidates",
             "naive,nwp,nwp-arima", "--horizons", "1,6", "--origins", "4", "--json", key=None)
    rows = {(r["variable"], r["model"], r["horizon"]): r for r in json.loads(out.stdout)["rows"]}
    for variable, bias in (("temp", 1.5), ("humidity", -6.0), ("pressure", 2.0)):
        for h in (1, 6):
            raw, corrected = rows[(variable, "nwp", h)], rows[(variable, "nwp-arima", h)]
            assert raw["count"] == corrected["count"] > 0
            # Errors are actual - forecast: the raw forecast misses by -bias on average.
            assert abs(raw["bias"] + bias) < 0.3 * abs(bias), (variable, h, raw)
            assert abs(corrected["bias"]) < 0.2 * abs(bias), (variable, h, corrected)
            assert corrected["rmse"] < raw["rmse"], (variable, h, corrected, raw)
    # And the train DAG treats them like the other candidates: nwp-arima is chosen somewhere.
    tomorrow_end = (today + datetime.timedelta(days=2)).isoformat()
    summary = json.loads(mf("train", "--json", "--date", tomorrow_end, "--config", str(config), "--data-dir",
                            str(data), key=None).stdout)
    assert summary["chosen"].get("nwp-arima", 0) > 0, summary["chosen"]
