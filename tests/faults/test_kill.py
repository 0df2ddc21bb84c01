"""Faults: kill -9 of meteoflow inside each stage, on the embedded default, then a re-run.

Every trial starts from an empty data dir and runs `run --once` on the bundled recording; when
the target task (collect, land, transform, predict) shows as running in meta.db, the process is
killed with SIGKILL after a seeded random part of that task's duration in a clean run. The same
command then runs to completion on that data dir. The outcome must equal an uninterrupted run by
key: weather_data, weather_hourly and predictions row for row, no dead letters, and the raw lake
holding each (source, location, fetch time) exactly once, as many as the clean run's; every
SQLite file passes its integrity check and every lake file reads back. The train stage gets the
same treatment (its registry must equal a clean train's). A trial counts for a stage when meta.db
shows that stage was the one running at the kill; each stage is hit at least TRIALS times.

The seed is printed (MF_KILL_SEED=...) and can be set to replay a failure.
"""
import json
import signal
import sqlite3
import subprocess
import time

import faultlib
from faultlib import (BIN, ROOT, assert_intact, assert_same_as_clean, durations, kill_inside, lake_keys, query,
                      store_snapshot)

RNG, REPLAY = faultlib.seeded("MF_KILL_SEED")
TRIALS = 10
STAGES = ["collect", "land", "transform", "predict"]


def mf(*args):
    return faultlib.mf(*args, replay=REPLAY)


def test_kill_9_inside_each_stage_of_a_run_loses_and_doubles_nothing(tmp_path):
    clean = tmp_path / "clean"
    mf("run", "--once", "--data-dir", clean)
    expected, expected_lake, took = store_snapshot(clean), lake_keys(clean), durations(clean)
    assert expected["weather_data"] and len(set(expected_lake)) == len(expected_lake)
    hits = {stage: 0 for stage in STAGES}
    trial = 0
    for stage in STAGES:
        attempts = 0
        while hits[stage] < TRIALS:
            attempts += 1
            assert attempts <= 4 * TRIALS, f"could not kill inside {stage}: {hits} {REPLAY}"
            trial += 1
            data = tmp_path / f"trial{trial}"
            hit = kill_inside(["run", "--once", "--data-dir", data], data, stage, took[stage], RNG)
            if hit in hits:
                hits[hit] += 1
            mf("run", "--once", "--data-dir", data)
            assert_intact(data, REPLAY)
            assert_same_as_clean(data, expected, expected_lake, f"trial {trial}, killed in {hit} {REPLAY}")
    print(f"kills per stage: {hits} over {trial} trials")


def test_kill_9_inside_train_leaves_the_registry_a_clean_train_makes(tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text(f"extends: {ROOT / 'config' / 'meteoflow.yaml'}\n"
                      "forecast:\n  candidates: [naive, drift, arima]\n")
    clean = tmp_path / "clean"
    mf("run", "--once", "--data-dir", clean)
    started = time.monotonic()
    mf("train", "--config", config, "--data-dir", clean)
    took = time.monotonic() - started
    registry = "SELECT city_name, variable, version, model, describe, fitted FROM model_versions"
    expected = sorted(query(clean / "models.db", registry))
    assert expected
    for trial in range(TRIALS):
        data = tmp_path / f"train{trial}"
        mf("run", "--once", "--data-dir", data)
        process = subprocess.Popen([BIN, "train", "--config", config, "--data-dir", data],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(RNG.uniform(0.05, max(0.1, took)))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        mf("train", "--config", config, "--data-dir", data)
        assert_intact(data, REPLAY)
        got = sorted(query(data / "models.db", registry))
        assert got == expected, f"train trial {trial} {REPLAY}"


def test_a_publish_repeated_after_a_lost_checkpoint_lands_once(tmp_path):
    # The window a kill rarely hits: slices published and flushed, their checkpoints not yet
    # written. Dropping the checkpoints reproduces it exactly: the next run publishes everything again.
    data = tmp_path / "data"
    mf("run", "--once", "--data-dir", data)
    before_store, before_lake = store_snapshot(data), lake_keys(data)
    with sqlite3.connect(data / "store.db") as conn:
        assert conn.execute("DELETE FROM checkpoints WHERE name LIKE 'collect/%'").rowcount > 0
    summary = json.loads(mf("run", "--once", "--json", "--data-dir", data).stdout)
    assert sum(summary["published"].values()) == len(before_lake), summary
    assert summary["duplicates_not_landed"] == len(before_lake), summary
    assert summary["landed"] == 0, summary
    assert lake_keys(data) == before_lake
    assert store_snapshot(data) == before_store
