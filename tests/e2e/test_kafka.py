"""End-to-end tests of cluster mode on a real Apache Kafka broker (tools/kafka).

The broker is the one MF_KAFKA_BOOTSTRAP names (ctest starts it once per run). Without it
these tests skip with one line, except under CI, where they fail. Every test uses topic names
of its own, so one broker serves them all. kcat (Debian) is the third-party client.
"""
import json
import os
import pathlib
import signal
import subprocess
import time
import uuid

import duckdb
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
BOOTSTRAP = os.environ.get("MF_KAFKA_BOOTSTRAP", "")
RECORDINGS = ROOT / "data" / "demo" / "recording"
TABLES = {
    "weather_data": "city_name, time",
    "weather_hourly": "city_name, hour",
    "predictions": "city_name, target_time, variable, horizon, model",
    "dead_letter": "source, location_id, fetched_at",
}


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


def cluster_config(tmp_path, tasks=("collect", "land", "transform", "predict"), extra_properties=None):
    """A config extending the default one, on the test broker, with topics unique to the test."""
    suffix = uuid.uuid4().hex[:8]
    topics = {"openmeteo": f"openmeteo_raw_{suffix}", "openweathermap": f"openweathermap_raw_{suffix}"}
    upstream = None
    task_lines = []
    for task in tasks:
        task_lines.append(f"      - {{id: {task}{', upstream: [' + upstream + ']' if upstream else ''}}}")
        upstream = task
    properties = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1000, **(extra_properties or {})}
    text = "\n".join([
        f"extends: {ROOT / 'config' / 'meteoflow.yaml'}",
        "sources:",
        *[f"  {name}: {{mode: replay, recording: {RECORDINGS / (name + '.jsonl')}, topic: {topic}}}"
          for name, topic in topics.items()],
        "backends: {log: kafka, lake: local, store: sqlite}",
        "kafka:",
        f"  bootstrap_servers: {BOOTSTRAP}",
        "  partitions: 4",
        "  topic_properties: {retention.ms: -1}  # the recording's 2024 times must not expire",
        "  properties:",
        *[f"    {k}: {v}" for k, v in properties.items()],
        "dags:",
        "  weather:",
        "    schedule: '*/10 * * * *'",
        "    tasks:",
        *task_lines,
        "",
    ])
    path = tmp_path / f"cluster-{suffix}.yaml"
    path.write_text(text)
    return path, topics


def dump(data_dir, table):
    query = f"SELECT * FROM {table} ORDER BY {TABLES[table]}"
    return json.loads(mf("sql", "--data-dir", data_dir, "--json", query).stdout)


def kcat_count(topic):
    out = subprocess.run(["kcat", "-b", BOOTSTRAP, "-C", "-t", topic, "-e", "-q", "-f", "%o\n"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return len(out.splitlines())


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    d = tmp_path_factory.mktemp("embedded")
    summary = json.loads(mf("run", "--once", "--json", "--data-dir", d).stdout)
    return d, summary


def test_same_store_contents_as_the_embedded_log(tmp_path, embedded):
    local_dir, local_summary = embedded
    config, _ = cluster_config(tmp_path)
    kafka_dir = tmp_path / "kafka"
    summary = json.loads(mf("run", "--once", "--json", "--config", config, "--data-dir", kafka_dir).stdout)
    assert summary["state"] == "success"
    assert summary["stored_rows"] == local_summary["stored_rows"] == 2354 + 37  # export + snapshot tick
    for table in TABLES:
        assert dump(kafka_dir, table) == dump(local_dir, table), table


def test_kcat_sees_what_the_pipeline_published(tmp_path):
    config, topics = cluster_config(tmp_path, tasks=("collect",))
    summary = json.loads(mf("run", "--once", "--json", "--config", config, "--data-dir", tmp_path / "d").stdout)
    listing = json.loads(subprocess.run(["kcat", "-b", BOOTSTRAP, "-L", "-J"], capture_output=True, text=True,
                                        check=True).stdout)
    listed = {t["topic"]: len(t["partitions"]) for t in listing["topics"]}
    for topic in topics.values():
        assert listed.get(topic) == 4, topic
        assert kcat_count(topic) == summary["published"][topic] == 2354 + 37
    # A second run publishes nothing new (collect checkpoints) and kcat still agrees.
    again = json.loads(mf("run", "--once", "--json", "--config", config, "--data-dir", tmp_path / "d").stdout)
    assert sum(again["published"].values()) == 0
    assert kcat_count(topics["openmeteo"]) == 2354 + 37


def start_worker(config, data_dir, log_path):
    log = open(log_path, "w")
    return subprocess.Popen([BIN, "worker", "--config", str(config), "--data-dir", str(data_dir), "--batch", "50"],
                            stdout=log, stderr=subprocess.STDOUT, text=True)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def assigned(log_path):
    """How many partitions the worker said it holds last."""
    lines = [line for line in log_path.read_text().splitlines() if line.startswith("worker: assigned")] \
        if log_path.exists() else []
    return int(lines[-1].split()[2]) if lines else None


def landed_lines(log_path):
    return [line for line in log_path.read_text().splitlines() if line.startswith("worker: landed")]


def test_two_workers_split_the_partitions_and_a_killed_one_loses_nothing(tmp_path, embedded):
    local_dir, _ = embedded
    config, topics = cluster_config(tmp_path, tasks=("collect",))
    data_dir = tmp_path / "shared"
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(config, data_dir, logs[0]), start_worker(config, data_dir, logs[1])]
    try:
        # Both hold their share of the 8 partitions before any data arrives.
        wait_for(lambda: [assigned(p) for p in logs] == [4, 4], 90, "both workers to get 4 of the 8 partitions")
        mf("run", "--once", "--quiet", "--config", config, "--data-dir", data_dir)
        wait_for(lambda: all(landed_lines(p) for p in logs), 120, "both workers to land a batch")
        workers[0].send_signal(signal.SIGKILL)  # mid-stream: it holds partitions with data left
        workers[0].wait()

        lake = data_dir / "lake" / "raw"
        con = duckdb.connect()

        def lake_count(expr):
            return con.execute(f"SELECT {expr} FROM read_parquet('{lake}/**/*.parquet')").fetchone()[0]

        def all_landed_and_transformed():
            if lake_count('count(DISTINCT (topic, "partition", "offset"))') != 2 * (2354 + 37):
                return False
            files = len(list(lake.rglob("*.parquet")))
            done = mf("sql", "--data-dir", data_dir, "--json",
                      "SELECT count(*) AS n FROM checkpoints WHERE name LIKE 'transform/file/%'", check=False)
            return done.returncode == 0 and json.loads(done.stdout)[0]["n"] == files

        wait_for(all_landed_and_transformed, 180, "the surviving worker to land and transform everything")
        total, distinct = lake_count('count(*)'), lake_count('count(DISTINCT (topic, "partition", "offset"))')
        # Every published message is in the lake once: what the killed worker landed but never
        # committed is delivered again, and the land stage skips offsets already in the lake.
        assert distinct == 2 * (2354 + 37)
        assert total == 2 * (2354 + 37)
        assert lake_count('count(DISTINCT (topic, "partition"))') == 8
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
                w.wait(timeout=60)
    assert workers[1].returncode == 0, logs[1].read_text()
    # Keyed rows exactly as the embedded pipeline stores them.
    for table in ("weather_data", "dead_letter"):
        assert dump(data_dir, table) == dump(local_dir, table), table


def test_worker_needs_a_kafka_config(tmp_path):
    result = mf("worker", "--config", ROOT / "config" / "meteoflow.yaml", "--data-dir", tmp_path, check=False)
    assert result.returncode == 2
    assert "worker needs backends.log: kafka" in result.stderr


def kafka_override(tmp_path, kafka_section):
    """The default config with the Kafka log and the given `kafka:` section (flow style)."""
    config = tmp_path / "override.yaml"
    config.write_text(f"extends: {ROOT / 'config' / 'meteoflow.yaml'}\nbackends: {{log: kafka}}\nkafka: {kafka_section}\n")
    return config


def test_unreachable_broker_is_one_clear_error_in_bounded_time(tmp_path):
    config = kafka_override(tmp_path, "{bootstrap_servers: '127.0.0.1:1', connect_timeout_ms: 1500}")
    started = time.monotonic()
    result = mf("run", "--once", "--config", config, "--data-dir", tmp_path / "d", check=False, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("meteoflow: kafka: no broker of '127.0.0.1:1' answered within 1500 ms")
    assert time.monotonic() - started < 30


def test_bad_librdkafka_property_names_the_key(tmp_path):
    config = kafka_override(tmp_path, "{properties: {no.such.setting: 1}}")
    result = mf("run", "--once", "--config", config, "--data-dir", tmp_path / "d", check=False)
    assert result.returncode == 2
    assert "kafka.properties.no.such.setting" in result.stderr
