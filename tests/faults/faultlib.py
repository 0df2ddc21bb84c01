"""What the fault tests share: running meteoflow, and comparing a data dir with a clean run's by key."""
import contextlib
import os
import pathlib
import random
import signal
import sqlite3
import subprocess
import time

import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
TABLES = ["weather_data", "weather_hourly", "predictions", "dead_letter"]  # compared row for row


def seeded(variable):
    """(random.Random, replay text) from the seed in $variable, or a fresh one; the seed is printed
    so that a failure can be replayed by setting the variable."""
    seed = int(os.environ.get(variable, random.SystemRandom().randrange(1 << 30)))
    print(f"{variable}={seed}")
    return random.Random(seed), f"({variable}={seed})"


def mf(*args, replay=""):
    """Runs meteoflow to success; `replay` (e.g. a seed) is added to the failure message."""
    result = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args}: {result.stdout[-3000:]} {result.stderr[-2000:]} {replay}"
    return result


def query(db, sql):
    """Rows of a read-only query, or [] when the file cannot be read."""
    try:  # closed at once: a connection left to the garbage collector keeps a deleted file's space
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.Error:
        return []


def running_task(data):
    """The task meta.db shows running, or None."""
    rows = query(data / "meta.db", "SELECT task_id FROM task_instance WHERE state = 'running'")
    return rows[0][0] if rows else None


def durations(data):
    """Seconds each task's successful try took, by task."""
    rows = query(data / "meta.db", "SELECT task_id, started_at, ended_at FROM task_try WHERE state = 'success'")
    parse = lambda s: time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + s[19:-1])
    return {task: max(0.005, parse(end) - parse(start)) for task, start, end in rows}


def kill_inside(args, data, stage, duration, rng):
    """Runs meteoflow with `args` on `data`, SIGKILLs it inside `stage` after a random part of
    `duration` (its clean time); returns the stage running at the kill (None: missed)."""
    process = subprocess.Popen([BIN, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if running_task(data) == stage:
                time.sleep(rng.uniform(0, 0.8 * duration))
                break
            time.sleep(0.001)
        hit = running_task(data) if process.poll() is None else None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return hit if process.returncode == -signal.SIGKILL else None
    finally:
        if process.poll() is None:
            process.kill()


def store_snapshot(data):
    db = data / "store.db"
    return {table: sorted(query(db, f"SELECT * FROM {table}"), key=repr) for table in TABLES}


def lake_keys(data):
    """(topic, location, fetch time) of every raw lake row; raises on a torn file."""
    keys = []
    for path in sorted((data / "lake").rglob("*.parquet")):
        table = pq.read_table(path, columns=["topic", "location_id", "fetched_at"])
        keys.extend(zip(*(table.column(c).to_pylist() for c in ("topic", "location_id", "fetched_at"))))
    return keys


def assert_intact(data, replay=""):
    for db in data.glob("*.db"):
        assert query(db, "PRAGMA integrity_check") == [("ok",)], f"{db} {replay}"


def assert_same_as_clean(data, expected_store, expected_lake, where):
    """The store row for row and the raw lake's keys as a clean run left them, no message twice."""
    got = store_snapshot(data)
    for table in TABLES:
        assert got[table] == expected_store[table], f"{table} differs after {where}"
    keys = lake_keys(data)
    assert len(keys) == len(set(keys)), f"the raw lake holds a message twice after {where}"
    assert sorted(keys) == sorted(expected_lake), f"the raw lake lost messages after {where}"
