"""Hostile raw messages end to end on a real Apache Kafka broker (tools/kafka).

An outside producer (kcat) publishes a corpus of hostile messages to the raw topics: truncated
JSON, wrong types, NaN and Infinity literals, 1e400, duplicate keys, deep nesting, invalid UTF-8,
control bytes, a near-megabyte string, injection-laden and unicode text, out-of-range values,
far-future and ancient times, empty messages, unknown and odd keys. Then `run --once` lands and
transforms them. Every message must end in the store or in dead_letter with a short reason, the
run must not fail, DuckDB must read the lake, and the API must give back the odd names and keys as
the same text. Each case has a location of its own, so its fate is found by key.

A response larger than the broker's message limit must fail the collect task with one clear line
in bounded time, not leave it stuck.

The broker is the one MF_KAFKA_BOOTSTRAP names (ctest starts it once per run); without it these
tests skip with one line, except under CI, where they fail.
"""
import dataclasses
import json
import os
import pathlib
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request
import uuid

import duckdb
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
BOOTSTRAP = os.environ.get("MF_KAFKA_BOOTSTRAP", "")
NOW = int(time.time())
SLOT = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(NOW - NOW % 900))

# Names a user could give their places; the store and the API must keep them as text.
ODD_NAMES = [
    "Robert'); DROP TABLE weather_data;--",
    "<script>alert('x')</script>",
    "Fès ☀ 🌧 مراكش",
    "\u202eevil\u202c \"quoted\" \\ back",
    "名古屋 <b>&amp;</b>",
]


def owm(**changes):
    """A valid OpenWeatherMap answer observed a minute ago, with top-level fields replaced."""
    body = {"coord": {"lon": -7.6, "lat": 33.6},
            "weather": [{"id": 800, "main": "Clear", "description": "clear sky", "icon": "01n"}],
            "main": {"temp": 14.5, "humidity": 65, "pressure": 1016}, "visibility": 10000,
            "wind": {"speed": 3.1, "deg": 250}, "clouds": {"all": 0}, "dt": NOW - 60,
            "sys": {"country": "MA", "sunrise": NOW - 36000, "sunset": NOW - 2000}, "name": "X", "cod": 200}
    body.update(changes)
    return json.dumps(body, ensure_ascii=False).encode()


def om(**current_changes):
    """A valid Open-Meteo answer for the current quarter hour, with `current` fields replaced."""
    current = {"time": SLOT, "interval": 900, "temperature_2m": 13.9, "relative_humidity_2m": 70,
               "surface_pressure": 1015.0, "wind_speed_10m": 11.2, "weather_code": 0}
    current.update(current_changes)
    body = {"latitude": 33.6, "longitude": -7.6, "utc_offset_seconds": 0, "timezone": "GMT", "current": current}
    return json.dumps(body).encode()


@dataclasses.dataclass
class Case:
    name: str
    source: str  # openweathermap | openmeteo
    payload: bytes | None  # None: a null value (a tombstone)
    expect: str  # stored | dead | either
    reason: str = ""  # expected in the dead-letter reason (case-insensitive)
    key: bytes | None = None  # the message key; default: the case's own location


CASES = [
    Case("valid owm", "openweathermap", owm(), "stored"),
    Case("valid om", "openmeteo", om(), "stored"),
    Case("truncated", "openweathermap", owm()[:70], "dead", "json"),
    Case("empty message", "openweathermap", b"", "dead", "json"),
    Case("null message", "openweathermap", None, "dead", "json"),
    Case("empty object", "openweathermap", b"{}", "dead", "dt"),
    Case("an array", "openweathermap", b"[1, 2, 3]", "dead"),
    Case("temp as text", "openweathermap", owm(main={"temp": "hot"}), "dead", "main.temp"),
    Case("temp NaN literal", "openweathermap", owm().replace(b'"temp": 14.5', b'"temp": NaN'), "dead", "json"),
    Case("temp Infinity literal", "openweathermap", owm().replace(b'"temp": 14.5', b'"temp": Infinity'), "dead",
         "json"),
    Case("temp 1e400", "openweathermap", owm().replace(b'"temp": 14.5', b'"temp": 1e400'), "dead"),
    Case("temp out of range", "openweathermap", owm(main={"temp": 999}), "dead", "outside"),
    Case("humidity negative", "openweathermap", owm(main={"temp": 10, "humidity": -5}), "dead", "main.humidity"),
    Case("duplicate keys", "openweathermap", owm().replace(b'"temp": 14.5', b'"temp": 14.5, "temp": 99'), "either"),
    Case("deep nesting", "openweathermap", b'{"main":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "dead", "deep"),
    Case("invalid UTF-8", "openweathermap", owm(name="X").replace(b'"name": "X"', b'"name": "\xff\xfe\xc3"'), "dead",
         "json"),
    Case("control bytes", "openweathermap", owm(name="X").replace(b'"name": "X"', b'"name": "a\x01\x1fb"'), "dead"),
    Case("near-megabyte string", "openweathermap",
         owm(weather=[{"id": 800, "main": "Clear", "description": "x" * 900_000, "icon": "01n"}]), "dead",
         "longer than"),
    Case("injection in labels", "openweathermap",
         owm(weather=[{"id": 800, "main": "<img src=x onerror=alert(1)>", "description": "'; DROP TABLE x;--",
                       "icon": "../../etc/passwd"}]), "stored"),
    Case("far future", "openweathermap", owm(dt=NOW + 10 * 365 * 86400), "dead", "dt"),
    Case("ancient", "openweathermap", owm(dt=0), "dead", "dt"),
    Case("dt as a string", "openweathermap", owm(dt=str(NOW)), "dead", "dt"),
    Case("om time garbage", "openmeteo", om(time="not a time"), "dead", "current.time"),
    Case("om temperature null", "openmeteo", om(temperature_2m=None), "dead", "temperature_2m"),
    Case("om far future", "openmeteo", om(time="2999-01-01T00:00"), "dead", "current.time"),
    Case("om pressure out of range", "openmeteo", om(surface_pressure=-1e300), "dead", "outside"),
    Case("unknown key", "openweathermap", owm(), "dead", "location", key=b"atlantis"),
    Case("injection key", "openweathermap", owm(), "dead", "location", key=b"x'); DROP TABLE dead_letter;--"),
    Case("unicode key", "openweathermap", owm(), "dead", "location", key="<b>Fès ☀</b>".encode()),
    Case("invalid UTF-8 key", "openweathermap", owm(), "dead", "location", key=b"\xff\xfe"),
    Case("no key", "openweathermap", owm(), "dead", "location", key=b""),
]


def location_id(i):
    return f"h{i:02d}"


def location_name(i):
    return f"{ODD_NAMES[i % len(ODD_NAMES)]} #{i}"


@pytest.fixture(scope="module", autouse=True)
def broker():
    if not BOOTSTRAP:
        if os.environ.get("CI"):
            pytest.fail("CI=true but MF_KAFKA_BOOTSTRAP is not set: the real broker did not start")
        pytest.skip("real Kafka broker not running (set MF_KAFKA_BOOTSTRAP, or run via ctest)")
    probe = subprocess.run(["kcat", "-b", BOOTSTRAP, "-L", "-m", "10"], capture_output=True, text=True)
    if probe.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but the broker at {BOOTSTRAP} does not answer: {probe.stderr.strip()}")
        pytest.skip(f"real Kafka broker at {BOOTSTRAP} does not answer")


def mf(*args, check=True, timeout=300):
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"meteoflow {' '.join(map(str, args))} failed: {result.stderr}")
    return result


def write_config(tmp_path, tasks, recordings=None, enabled=("openmeteo", "openweathermap")):
    suffix = uuid.uuid4().hex[:8]
    topics = {s: f"{s}_raw_hostile_{suffix}" for s in ("openmeteo", "openweathermap")}
    recordings = recordings or {s: ROOT / "data" / "demo" / "recording" / f"{s}.jsonl" for s in topics}
    locations = [{"id": location_id(i), "name": location_name(i), "latitude": 33.6, "longitude": -7.6}
                 for i in range(len(CASES))]
    sources = {s: {"mode": "replay", "recording": str(recordings[s]), "topic": topics[s], "enabled": s in enabled}
               for s in topics}
    upstream, task_list = None, []
    for task in tasks:
        task_list.append({"id": task, **({"upstream": [upstream]} if upstream else {})})
        upstream = task
    config = {  # JSON is YAML: every odd name goes through the config parser as written
        "extends": str(ROOT / "config" / "meteoflow.yaml"),
        "locations": locations,
        "sources": sources,
        "backends": {"log": "kafka", "lake": "local", "store": "sqlite"},
        "kafka": {"bootstrap_servers": BOOTSTRAP, "partitions": 2,
                  "properties": {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000}},
        "dags": {"weather": {"schedule": "*/10 * * * *", "tasks": task_list}},
    }
    path = tmp_path / f"hostile-{suffix}.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path, topics


def kcat_publish(topic, key, payload, tmp_path):
    """One message; a file is sent whole, but an empty (or, with -Z, a null) value needs the
    key-and-value line form, which kcat does not skip."""
    args = ["kcat", "-P", "-b", BOOTSTRAP, "-t", topic, "-X", "message.max.bytes=2000000"]
    if not payload:
        args += ["-K", "\t"] + (["-Z"] if payload is None else [])
        subprocess.run(args, input=key + b"\t\n", check=True, timeout=60, capture_output=True)
        return
    message = tmp_path / "message"
    message.write_bytes(payload)
    if key is not None:
        args += ["-k", key]
    subprocess.run([*args, str(message)], check=True, timeout=60, capture_output=True)


def sql(data_dir, query):
    return json.loads(mf("sql", "--data-dir", data_dir, "--json", query).stdout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    config, topics = write_config(tmp, ("land", "transform"))
    for i, case in enumerate(CASES):
        key = case.key if case.key is not None else location_id(i).encode()
        kcat_publish(topics[case.source], key, case.payload, tmp)
    data_dir = tmp / "d"
    result = mf("run", "--once", "--json", "--config", config, "--data-dir", data_dir, check=False)
    return config, data_dir, result


def key_of(i):
    case = CASES[i]
    return case.key if case.key is not None else location_id(i).encode()


def landed_text(key):
    """The key as the lake and the store hold it: bytes that are not UTF-8 written as \\xHH."""
    text = key.decode("utf-8", errors="backslashreplace")
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: "\\x" + m.group(1).upper(), text)


def test_the_run_survives_and_lands_every_message(run):
    _, data_dir, result = run
    assert result.returncode == 0, result.stderr
    # Every value read, not only counted: DuckDB refuses a file holding one STRING that is not UTF-8.
    rows = duckdb.sql(f"SELECT location_id, payload FROM read_parquet('{data_dir}/lake/raw/**/*.parquet')").fetchall()
    assert len(rows) == len(CASES)
    assert {key for key, _ in rows} == {landed_text(key_of(i)) for i in range(len(CASES))}


def test_every_message_is_stored_or_dead_lettered_with_a_reason(run):
    _, data_dir, _ = run
    stored = {(r["source"], r["location_id"])
              for r in sql(data_dir, "SELECT source, location_id FROM source_observations")}
    dead = {(r["source"], r["location_id"]): r["reason"]
            for r in sql(data_dir, "SELECT source, location_id, reason FROM dead_letter")}
    assert len(stored) + len(dead) == len(CASES)
    fates = []
    for i, case in enumerate(CASES):
        key = landed_text(key_of(i))
        reason = dead.get((case.source, key))
        is_stored = (case.source, key) in stored
        fate = "stored" if is_stored else "dead" if reason is not None else "lost"
        fates.append(f"{case.name}: {fate}{' (' + reason + ')' if reason else ''}")
        assert fate != "lost", f"{case.name}: neither stored nor dead-lettered"
        assert not (is_stored and reason is not None), f"{case.name}: both stored and dead-lettered ({reason})"
        if case.expect != "either":
            assert fate == case.expect, f"{case.name}: {fate}, expected {case.expect} ({reason})"
        if reason is not None:
            assert 0 < len(reason) < 300, f"{case.name}: reason of {len(reason)} bytes"
            assert case.reason.lower() in reason.lower(), f"{case.name}: reason '{reason}' lacks '{case.reason}'"
    print("\n".join(fates))


def test_the_api_gives_back_odd_names_and_keys_as_text(run):
    config, data_dir, _ = run
    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--config", str(config), "--data-dir", str(data_dir), "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/health")
                break
            except OSError:
                time.sleep(0.1)
        cities = json.load(urllib.request.urlopen(f"{base}/api/cities"))
        assert [c["name"] for c in cities] == [location_name(i) for i in range(len(CASES))]
        with_latest = {c["name"] for c in cities if c["latest"]}
        assert location_name(0) in with_latest  # the valid OpenWeatherMap answer
        letters = json.load(urllib.request.urlopen(f"{base}/api/dead-letters?limit=500"))
        keys = {d["location_id"] for d in letters["newest"]}
        for i, case in enumerate(CASES):
            if case.key is not None:
                assert landed_text(key_of(i)) in keys, case.name
        labelled = CASES.index(next(c for c in CASES if c.name == "injection in labels"))
        city = urllib.parse.quote(location_id(labelled))
        readings = json.load(urllib.request.urlopen(f"{base}/api/sources/openweathermap/readings?city={city}"))
        text = json.dumps(readings, ensure_ascii=False)
        assert "<img src=x onerror=alert(1)>" in text and "'; DROP TABLE x;--" in text
    finally:
        server.terminate()
        assert server.wait(timeout=10) == 0, server.stderr.read().decode(errors="replace")


def test_a_response_over_the_brokers_limit_fails_collect_in_one_clear_line(tmp_path):
    recording = tmp_path / "big.jsonl"
    fetched = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW))
    big = json.loads(owm(weather=[{"id": 800, "main": "Clear", "description": "x" * 1_500_000, "icon": "01n"}]))
    recording.write_text(json.dumps({"location_id": "h00", "fetched_at": fetched, "response": big}) + "\n")
    config, _ = write_config(tmp_path, ("collect",), recordings={"openmeteo": recording, "openweathermap": recording},
                             enabled=("openweathermap",))
    started = time.monotonic()
    result = mf("run", "--once", "--config", config, "--data-dir", tmp_path / "d", check=False, timeout=180)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "collect" in line and "failed" in line]
    assert lines, result.stderr
    assert "too large" in lines[0].lower() or "size" in lines[0].lower(), lines[0]
    print(f"failed in {time.monotonic() - started:.1f} s: {lines[0]}")
