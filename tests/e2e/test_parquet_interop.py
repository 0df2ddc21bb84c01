"""Parquet interop both ways, on real pyarrow and DuckDB (project venv).

Our files (tests/interop/parquet_gen: random tables, every codec, dictionary on and off, many
row groups and pages) must read the same in pyarrow and in DuckDB as in `meteoflow parquet cat`.
Files pyarrow writes (every codec, data page v1 and v2, dictionary, DELTA_*, BYTE_STREAM_SPLIT,
RLE booleans) and files DuckDB writes must read the same in `meteoflow parquet cat` as in DuckDB.
Values are compared as CSV text in DuckDB's forms (`parquet cat --format csv` prints those), so
DuckDB's CSV export is the reference printer for every reader.
"""
import csv
import io
import os
import pathlib
import subprocess

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
GEN = os.environ.get("MF_PARQUET_GEN", str(ROOT / "build" / "tests" / "parquet_gen"))


def duck():
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    return con


def duckdb_csv(source_sql, out):
    con = duck()
    con.execute(f"COPY ({source_sql}) TO '{out}' (HEADER)")
    return pathlib.Path(out).read_text(encoding="utf-8")


def our_csv(path, *extra):
    result = subprocess.run([BIN, "parquet", "cat", str(path), *extra], capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode("utf-8")


def assert_same_csv(ours, theirs, what):
    if ours == theirs:
        return
    a, b = ours.splitlines(), theirs.splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"{what}: first difference at line {i + 1}:\n  ours:   {x!r}\n  theirs: {y!r}"
    assert len(a) == len(b), f"{what}: {len(a)} lines (ours) vs {len(b)} (theirs)"


GEN_CASES = [
    # codec, dictionary, row_group_rows, page_bytes
    ("none", "0", 1000, 1 << 20),
    ("snappy", "1", 777, 4096),
    ("gzip", "1", 5000, 1 << 20),
    ("zstd", "0", 100, 512),
    ("zstd", "1", 3000, 65536),
]


@pytest.mark.parametrize("codec,dictionary,row_group_rows,page_bytes", GEN_CASES)
def test_pyarrow_and_duckdb_read_our_files(tmp_path, codec, dictionary, row_group_rows, page_bytes):
    path = tmp_path / f"ours-{codec}-{dictionary}.parquet"
    subprocess.run([GEN, str(path), "42", "5000", codec, dictionary, str(row_group_rows), str(page_bytes)], check=True)
    ours = our_csv(path)
    via_duckdb = duckdb_csv(f"SELECT * FROM read_parquet('{path}')", tmp_path / "duckdb.csv")
    assert_same_csv(ours, via_duckdb, f"DuckDB reading our {codec} file")
    table = pq.read_table(path)  # pyarrow's own reader; DuckDB only prints what it returns
    assert table.num_rows == 5000
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-5000 // row_group_rows)
    con = duck()
    con.register("arrow_table", table)
    con.execute(f"COPY (SELECT * FROM arrow_table) TO '{tmp_path / 'pyarrow.csv'}' (HEADER)")
    assert_same_csv(ours, (tmp_path / "pyarrow.csv").read_text(encoding="utf-8"), f"pyarrow reading our {codec} file")
    assert pq.ParquetFile(path).schema_arrow.metadata[b"generator"] == b"parquet_gen"


def sample_arrow_table(rows=3000):
    import random
    rng = random.Random(7)
    words = ["", "Rabat", "Tanger", "Agadir", "ünïcödé", "quote\"d", "comma,here", "new\nline"]
    def maybe(v):
        return None if rng.random() < 0.1 else v
    return pa.table({
        "flag": pa.array([maybe(rng.random() < 0.5) for _ in range(rows)], pa.bool_()),
        "n32": pa.array([maybe(rng.randint(-2**31, 2**31 - 1)) for _ in range(rows)], pa.int32()),
        "n64": pa.array([rng.randint(-2**63, 2**63 - 1) if rng.random() < 0.2 else 1_700_000_000 + i
                         for i in range(rows)], pa.int64()),
        "temp": pa.array([maybe(rng.uniform(-30, 50)) for _ in range(rows)], pa.float64()),
        "ratio": pa.array([maybe(rng.uniform(0, 1)) for _ in range(rows)], pa.float32()),
        "city": pa.array([maybe(rng.choice(words) + ("" if rng.random() < 0.7 else str(i))) for i in range(rows)],
                         pa.string()),
        "at": pa.array([maybe(1_733_263_941_000_000 + i * 600_000_000) for i in range(rows)],
                       pa.timestamp("us", tz="UTC")),
        "at_ns": pa.array([maybe(1_733_263_941_000_000_123 + i) for i in range(rows)], pa.timestamp("ns")),
        "day": pa.array([maybe(20000 + i % 400) for i in range(rows)], pa.date32()),
    })


PYARROW_CASES = [
    dict(compression="none"),
    dict(compression="snappy", data_page_version="2.0"),
    dict(compression="gzip", use_dictionary=False),
    dict(compression="zstd", data_page_version="2.0", use_dictionary=False),
    dict(compression="lz4", row_group_size=700, data_page_size=2048),
    dict(compression="snappy", use_dictionary=False, data_page_version="2.0",
         column_encoding={"n32": "DELTA_BINARY_PACKED", "n64": "DELTA_BINARY_PACKED", "temp": "BYTE_STREAM_SPLIT",
                          "ratio": "BYTE_STREAM_SPLIT", "city": "DELTA_BYTE_ARRAY", "flag": "RLE",
                          "at": "DELTA_BINARY_PACKED", "day": "DELTA_BINARY_PACKED"}),
    dict(compression="zstd", use_dictionary=False, data_page_size=1024,
         column_encoding={"city": "DELTA_LENGTH_BYTE_ARRAY", "n64": "DELTA_BINARY_PACKED",
                          "at_ns": "DELTA_BINARY_PACKED"}),
]


@pytest.mark.parametrize("options", PYARROW_CASES, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items())[:60])
def test_we_read_what_pyarrow_writes(tmp_path, options):
    path = tmp_path / "pyarrow.parquet"
    pq.write_table(sample_arrow_table(), path, **options)
    expected = duckdb_csv(f"SELECT * FROM read_parquet('{path}')", tmp_path / "duckdb.csv")
    assert_same_csv(our_csv(path), expected, f"reading pyarrow {options}")


DUCKDB_CASES = ["", "COMPRESSION zstd", "COMPRESSION gzip, ROW_GROUP_SIZE 1000", "COMPRESSION uncompressed"]


@pytest.mark.parametrize("options", DUCKDB_CASES)
def test_parquet_cat_csv_equals_duckdbs_own_export(tmp_path, options):
    path = tmp_path / "duck.parquet"
    con = duck()
    con.execute("""CREATE TABLE t AS SELECT
        i, i % 7 = 0 AS flag, (i * 2654435761) % 4294967296 - 2147483648 AS big,
        CASE WHEN i % 11 = 0 THEN NULL ELSE sin(i) * 40 END AS temp,
        (i / 3.0)::REAL AS r,
        CASE WHEN i % 13 = 0 THEN NULL WHEN i % 5 = 0 THEN '' ELSE 'city "' || (i % 17) || '", ok' END AS name,
        TIMESTAMP '2024-12-03 22:12:21' + to_microseconds(i * 600000123) AS local_ts,
        TIMESTAMPTZ '2024-12-03 22:12:21+00' + to_milliseconds(i * 1000) AS utc_ts,
        DATE '1960-01-01' + i::INTEGER AS day
      FROM range(0, 4000) r(i)""")
    with_options = f", {options}" if options else ""
    con.execute(f"COPY t TO '{path}' (FORMAT PARQUET{with_options})")
    con.execute(f"COPY t TO '{tmp_path / 'export.csv'}' (HEADER)")
    export = (tmp_path / "export.csv").read_text(encoding="utf-8")
    assert_same_csv(our_csv(path, "--format", "csv"), export, f"DuckDB file ({options or 'defaults'})")


def test_cat_projection_limit_and_jsonl(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(sample_arrow_table(50), path)
    assert our_csv(path, "--columns", "day,n32", "--limit", "2").splitlines()[0] == "day,n32"
    assert len(list(csv.reader(io.StringIO(our_csv(path, "--limit", "3"))))) == 4
    lines = our_csv(path, "--format", "jsonl").splitlines()
    assert len(lines) == 50
    import json
    first = json.loads(lines[0])
    assert list(first) == ["flag", "n32", "n64", "temp", "ratio", "city", "at", "at_ns", "day"]


def test_cli_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet PAR1")
    for args in (["cat", str(bad)], ["schema", str(tmp_path / "missing.parquet")], ["stats", str(bad)]):
        result = subprocess.run([BIN, "parquet", *args], capture_output=True, text=True)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    good = tmp_path / "good.parquet"
    pq.write_table(sample_arrow_table(5), good)
    result = subprocess.run([BIN, "parquet", "cat", str(good), "--columns", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "no column 'nope'" in result.stderr


def test_stats_lists_row_groups_codecs_and_ranges(tmp_path):
    path = tmp_path / "s.parquet"
    pq.write_table(sample_arrow_table(1000), path, row_group_size=400, compression="zstd")
    out = subprocess.run([BIN, "parquet", "stats", str(path)], capture_output=True, text=True, check=True).stdout
    assert out.count("row group ") == 3
    assert "ZSTD" in out and "day: " in out


def test_struct_fields_read_as_dotted_columns_and_lists_fail_by_name(tmp_path):
    path = tmp_path / "nested.parquet"
    coords = [None if i % 9 == 0 else {"lat": None if i % 4 == 0 else i / 7, "lon": -i / 3} for i in range(200)]
    pq.write_table(pa.table({
        "id": pa.array(range(200), pa.int64()),
        "coord": pa.array(coords, pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
        "tags": pa.array([[str(i)] for i in range(200)], pa.list_(pa.string())),
    }), path)
    expected = duckdb_csv(f'SELECT id, coord.lat AS "coord.lat", coord.lon AS "coord.lon" FROM read_parquet(\'{path}\')',
                          tmp_path / "duckdb.csv")
    assert_same_csv(our_csv(path, "--columns", "id,coord.lat,coord.lon"), expected, "struct fields")
    result = subprocess.run([BIN, "parquet", "cat", str(path), "--columns", "tags.list.element"], capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "column 'tags.list.element': repeated (list/map) columns are not supported" in result.stderr


@pytest.mark.parametrize("where,sql", [
    (["n>=3500"], "n >= 3500"),
    (["city=Rabat", "temp<10"], "city = 'Rabat' AND temp < 10"),
    (["ts>=2024-12-20 00:00:00+00"], "ts >= TIMESTAMPTZ '2024-12-20 00:00:00+00'"),
    (["day!=2024-12-25"], "day <> DATE '2024-12-25'"),
])
def test_cat_where_equals_duckdb_where(tmp_path, where, sql):
    path = tmp_path / "w.parquet"
    con = duck()
    con.execute(f"""COPY (SELECT i AS n, CASE WHEN i % 9 = 0 THEN NULL WHEN i < 2000 THEN 'Agadir' ELSE 'Rabat' END AS city,
        CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 40) - 5.5 END AS temp,
        TIMESTAMPTZ '2024-12-03 22:12:21+00' + to_minutes(i * 10) AS ts,
        DATE '2024-12-01' + (i // 144)::INTEGER AS day
        FROM range(0, 5000) r(i)) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 500)""")
    expected = duckdb_csv(f"SELECT * FROM read_parquet('{path}') WHERE {sql}", tmp_path / "expected.csv")
    args = [a for w in where for a in ("--where", w)]
    assert_same_csv(our_csv(path, *args), expected, f"--where {where}")


def test_decimals_read_exactly(tmp_path):
    from decimal import Decimal
    path = tmp_path / "dec.parquet"
    values = [Decimal("-5.50"), Decimal("0.01"), None, Decimal("123456789012.34"), Decimal("-0.07")]
    pq.write_table(pa.table({
        "d128": pa.array(values, pa.decimal128(18, 2)),
        "d9": pa.array([None if v is None else v.quantize(Decimal("0.01")) for v in values], pa.decimal128(14, 2)),
    }), path)
    expected = duckdb_csv(f"SELECT * FROM read_parquet('{path}')", tmp_path / "expected.csv")
    assert_same_csv(our_csv(path), expected, "pyarrow decimals")
    duck_path = tmp_path / "duck_dec.parquet"
    con = duck()
    con.execute(f"COPY (SELECT (i * 37 % 1000 - 500) / 100::DECIMAL(6,2) AS small, (i * 7919)::DECIMAL(18,3) / 7 AS big "
                f"FROM range(0, 300) r(i)) TO '{duck_path}' (FORMAT PARQUET)")
    expected = duckdb_csv(f"SELECT * FROM read_parquet('{duck_path}')", tmp_path / "expected2.csv")
    assert_same_csv(our_csv(duck_path), expected, "DuckDB decimals")
    assert_same_csv(our_csv(duck_path, "--where", "small>=1.5"),
                    duckdb_csv(f"SELECT * FROM read_parquet('{duck_path}') WHERE small >= 1.5", tmp_path / "e3.csv"),
                    "DuckDB decimals filtered")
