"""The transform at scale, end to end: a synthetic-from-real recording (bench/transform_bench.py's
generator: real response templates, perturbed values) through the whole pipeline, checked
against an independent reference (the same job written in DuckDB SQL), and raw-lake compaction
under kill -9 at seeded random points. Needs MF_BIN; DuckDB and pyarrow from the project venv.
"""
import datetime as dt
import json
import os
import pathlib
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import duckdb
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
sys.path.insert(0, str(ROOT / "bench"))
import transform_bench  # noqa: E402  (the generator and the DuckDB reference job)

LOCATIONS, DAYS = 20, 4


def mf(*args):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"meteoflow {' '.join(args)} failed: {result.stderr}"
    return result


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scale")
    messages, last_tick = transform_bench.generate(folder, LOCATIONS, DAYS, seed=3)
    data = folder / "data"
    totals = {"landed": 0, "transformed_records": 0, "dead_lettered": 0}
    end = last_tick + transform_bench.TICK
    start = transform_bench.START
    while start < end:  # six-hour runs: several small lake files per source and day
        stop = min(end, start + dt.timedelta(hours=6))
        out = json.loads(mf("run", "--once", "--json", "--config", str(folder / "meteoflow.yaml"), "--data-dir",
                            str(data), "--from", transform_bench.stamp(start), "--to", transform_bench.stamp(stop)).stdout)
        assert out["state"] == "success", out
        for k in totals:
            totals[k] += out[k]
        start = stop
    return folder, data, messages, totals


def test_every_message_is_transformed_once(scaled):
    _, _, messages, summary = scaled
    assert summary["landed"] == messages == 2 * LOCATIONS * DAYS * 144
    assert summary["transformed_records"] == messages
    assert summary["dead_lettered"] == 0


def stored_rows(data):
    with sqlite3.connect(data / "store.db") as store:
        rows = store.execute("SELECT location_id, time, temperature_2m, humidity FROM weather_data").fetchall()
    out = {}
    for location_id, time_text, temperature, humidity in rows:
        t = dt.datetime.strptime(time_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
        out[(location_id, int(t.timestamp() * 1000))] = (temperature, humidity)
    return out


def test_weather_data_equals_the_duckdb_reference(scaled, tmp_path):
    _, data, _, _ = scaled
    con = duckdb.connect(str(tmp_path / "reference.db"))
    con.execute(transform_bench.DUCKDB_JOB.format(lake=data / "lake" / "raw"))
    reference = {(loc, t): (temp, hum) for loc, t, temp, hum in
                 con.execute("SELECT location_id, time, temperature_2m, humidity FROM weather_data").fetchall()}
    ours = stored_rows(data)
    assert len(ours) == len(reference) > LOCATIONS * DAYS * 100
    assert ours.keys() == reference.keys()
    wrong = [k for k in reference if any(abs(a - b) > 1e-9 for a, b in zip(ours[k], reference[k]))]
    assert wrong == []


def lake_rows(data):
    """Every raw row as DuckDB reads the lake (hive partitions), in a canonical order."""
    return duckdb.sql(
        f"SELECT source, location_id, epoch_ms(fetched_at), topic, \"partition\", \"offset\", md5(payload) "
        f"FROM read_parquet('{data / 'lake' / 'raw'}/**/*.parquet', hive_partitioning = true) ORDER BY ALL").fetchall()


def files_per_day(data):
    out = {}
    for f in (data / "lake" / "raw").glob("source=*/date=*/*.parquet"):
        key = f"{f.parent.parent.name}/{f.parent.name}"
        out[key] = out.get(key, 0) + 1
    return out


def test_compaction_under_kill_9_agrees_with_an_uninterrupted_run(scaled, tmp_path):
    folder, data, messages, _ = scaled
    config = str(folder / "meteoflow.yaml")
    before = lake_rows(data)
    assert len(before) == messages
    clean = tmp_path / "clean"
    shutil.copytree(data, clean)
    began = time.perf_counter()
    summary = json.loads(mf("lake", "compact", "--json", "--config", config, "--data-dir", str(clean)).stdout)
    took = time.perf_counter() - began
    assert summary["partitions"] == 2 * (DAYS - 1) and summary["rows"] > 0 and summary["skipped"] == []
    compacted = files_per_day(clean)
    assert all(n == 1 for day, n in compacted.items() if not day.endswith(max(k[-10:] for k in compacted)))
    assert lake_rows(clean) == before
    assert pq.read_table(clean / "lake" / "raw").num_rows == messages  # pyarrow reads it too

    seed = int(os.environ.get("MF_KILL_SEED", random.randrange(1 << 30)))
    print(f"kill -9 points seeded with MF_KILL_SEED={seed}")
    rng = random.Random(seed)
    for attempt in range(10):
        killed = tmp_path / f"killed{attempt}"
        shutil.copytree(data, killed)
        proc = subprocess.Popen([BIN, "lake", "compact", "--config", config, "--data-dir", str(killed)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert lake_rows(killed) == before, f"attempt {attempt} (MF_KILL_SEED={seed}): readers saw other rows"
        done = sum(1 for day, n in files_per_day(killed).items() if n == 1 and compacted.get(day) == 1)
        print(f"  attempt {attempt}: killed with {done} of {len(compacted)} day partitions in one file, "
              f"staging {'left' if (killed / 'lake-staging').exists() else 'absent'}")
        mf("lake", "compact", "--config", config, "--data-dir", str(killed))
        assert files_per_day(killed) == compacted, f"attempt {attempt} (MF_KILL_SEED={seed})"
        assert lake_rows(killed) == before
        assert not (killed / "lake-staging").exists()
        shutil.rmtree(killed)

    # The compacted files count as transformed: a re-run transforms nothing and keeps the tables.
    rows = stored_rows(clean)
    again = json.loads(mf("run", "--once", "--json", "--config", config, "--data-dir", str(clean),
                          "--from", "2030-01-01", "--to", "2030-01-01T00:10:00Z").stdout)
    assert again["transformed_records"] == 0
    assert stored_rows(clean) == rows
