"""Parquet interop with Apache Spark (pyspark from PyPI, local[2] on the machine's JDK 17).

Spark reads our files (every codec, dictionary on and off) with the same values pyarrow reads;
we read the files Spark writes by default and with INT96 timestamps, with the same values
DuckDB reads. One Spark session serves the module. Without pyspark or Java the module skips
with one line, except under CI, where it fails.
"""
import datetime
import math
import os
import pathlib
import subprocess
import time

import pyarrow.parquet as pq
import pytest

from test_parquet_interop import BIN, GEN, assert_same_csv, duckdb_csv, our_csv

os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture(scope="module")
def spark():
    try:
        from pyspark.sql import SparkSession
        session = (SparkSession.builder.master("local[2]").appName("meteoflow-interop")
                   .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
                   .config("spark.driver.memory", "1g").getOrCreate())
    except Exception as e:  # ImportError, or no usable JVM
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but Spark cannot start: {e}")
        pytest.skip(f"Spark not available: {e}")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def normalise(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return ("ts", value)
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return value


@pytest.mark.parametrize("codec,dictionary", [("none", "0"), ("snappy", "1"), ("gzip", "1"), ("zstd", "0")])
def test_spark_reads_our_files(tmp_path, spark, codec, dictionary):
    path = tmp_path / f"ours-{codec}.parquet"
    subprocess.run([GEN, str(path), "11", "3000", codec, dictionary, "700", "8192"], check=True)
    reference = pq.read_table(path).to_pylist()
    rows = [row.asDict() for row in spark.read.parquet(str(path)).collect()]
    assert len(rows) == len(reference) == 3000
    for i, (got, want) in enumerate(zip(rows, reference)):
        assert list(got) == list(want), "column names and order"
        for name in want:
            assert normalise(got[name]) == normalise(want[name]), (i, name, got[name], want[name])


@pytest.mark.parametrize("timestamp_type", ["TIMESTAMP_MICROS", "INT96"])
def test_we_read_what_spark_writes(tmp_path, spark, timestamp_type):
    spark.conf.set("spark.sql.parquet.outputTimestampType", timestamp_type)
    out = tmp_path / "spark_out"
    df = spark.sql("""SELECT id, CAST(id % 7 = 0 AS BOOLEAN) AS flag, CAST(id AS INT) * 3 AS n,
        CASE WHEN id % 11 = 0 THEN NULL ELSE sin(id) * 40 END AS temp,
        CASE WHEN id % 13 = 0 THEN NULL ELSE concat('city ', CAST(id % 17 AS STRING)) END AS name,
        TIMESTAMP '2024-12-03 22:12:21' + make_interval(0, 0, 0, 0, 0, 0, id * 600) AS at,
        date_add(DATE '1965-01-01', CAST(id AS INT)) AS day
        FROM range(0, 5000)""")
    df.coalesce(1).write.mode("overwrite").parquet(str(out))
    (path,) = [p for p in out.iterdir() if p.suffix == ".parquet"]
    expected = duckdb_csv(f"SELECT * FROM read_parquet('{path}')", tmp_path / "duckdb.csv")
    assert_same_csv(our_csv(path), expected, f"Spark file ({timestamp_type})")
    schema = subprocess.run([BIN, "parquet", "schema", str(path)], capture_output=True, text=True, check=True).stdout
    assert "at  TIMESTAMP" in schema
