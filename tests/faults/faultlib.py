"""What the fault tests share: running meteoflow, and comparing a data dir with a clean run's by key."""
import contextlib
import os
import pathlib
import sqlite3
import subprocess

import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
TABLES = ["weather_data", "weather_hourly", "predictions", "dead_letter"]  # compared row for row


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
