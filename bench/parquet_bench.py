"""Write then read a 10-million-row weather-like table: meteoflow's Parquet library vs pyarrow.

For each codec (SNAPPY, ZSTD): bench/parquet_bench builds the table, writes it and reads it back
whole (timed separately, one process); pyarrow gets the very same table by reading that file
(untimed), then writes its own file and reads it back whole (timed). pyarrow runs with its
default thread pool; the machine's cores are what both get. Prints times and ratios
(ours / pyarrow: below 1.0 means we are faster).

    make bench-parquet
    .venv/bin/python bench/parquet_bench.py --rows 10000000
"""
import argparse
import json
import pathlib
import subprocess
import tempfile
import time

import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--binary", default=str(ROOT / "build" / "bench" / "parquet_bench"))
    args = parser.parse_args()
    print(f"{args.rows:,} rows: city_name (37 values), time (ms), 5 doubles (1 optional)")
    print(f"{'codec':<7} {'step':<6} {'meteoflow s':>11} {'pyarrow s':>10} {'ours/pyarrow':>13}  file MB (ours, pyarrow)")
    with tempfile.TemporaryDirectory() as tmp:
        for codec in ("snappy", "zstd"):
            ours_path = pathlib.Path(tmp) / f"ours-{codec}.parquet"
            theirs_path = pathlib.Path(tmp) / f"pyarrow-{codec}.parquet"
            out = subprocess.run([args.binary, "write", str(ours_path), str(args.rows), codec], check=True,
                                 capture_output=True, text=True).stdout
            ours = json.loads(out)
            table = pq.read_table(ours_path)
            assert table.num_rows == args.rows
            start = time.perf_counter()
            pq.write_table(table, theirs_path, compression=codec, row_group_size=1 << 20)
            write = time.perf_counter() - start
            del table
            start = time.perf_counter()
            back = pq.read_table(theirs_path)
            read = time.perf_counter() - start
            assert back.num_rows == args.rows
            del back
            sizes = f"{ours_path.stat().st_size / 1e6:.1f}, {theirs_path.stat().st_size / 1e6:.1f}"
            print(f"{codec:<7} {'write':<6} {ours['write_seconds']:11.2f} {write:10.2f} "
                  f"{ours['write_seconds'] / write:13.2f}  {sizes}")
            print(f"{codec:<7} {'read':<6} {ours['read_seconds']:11.2f} {read:10.2f} {ours['read_seconds'] / read:13.2f}")


if __name__ == "__main__":
    main()
