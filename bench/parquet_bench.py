"""Write then read a 10-million-row weather-like table: meteoflow's Parquet library vs pyarrow.

For each codec (SNAPPY, ZSTD): bench/parquet_bench builds the table, writes it and reads it back
whole (timed separately, one process); pyarrow gets the very same table by reading that file
(untimed), then writes its own file and reads it back whole (timed). pyarrow runs with its
default thread pool; the machine's cores are what both get. Each side runs --rounds times
(the kernel's page handling varies from run to run); the table gives medians and ratios of
medians (ours / pyarrow: below 1.0 means we are faster).

    make bench-parquet
    .venv/bin/python bench/parquet_bench.py --rows 10000000
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import tempfile
import time

import pyarrow.parquet as pq

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--binary", default=str(ROOT / "build" / "bench" / "parquet_bench"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.rows:,} rows: city_name (37 values), time (ms), 5 doubles (1 optional)")
    print(f"{'codec':<7} {'step':<6} {'meteoflow s':>11} {'pyarrow s':>10} {'ours/pyarrow':>13}  file MB (ours, pyarrow)")
    with tempfile.TemporaryDirectory() as tmp:
        for codec in ("snappy", "zstd"):
            ours_path = pathlib.Path(tmp) / f"ours-{codec}.parquet"
            theirs_path = pathlib.Path(tmp) / f"pyarrow-{codec}.parquet"
            ours = {"write_seconds": [], "read_seconds": []}
            theirs = {"write": [], "read": []}
            for _ in range(args.rounds):
                out = subprocess.run([args.binary, "write", str(ours_path), str(args.rows), codec], check=True,
                                     capture_output=True, text=True).stdout
                for key, value in json.loads(out).items():
                    if key in ours:
                        ours[key].append(value)
                table = pq.read_table(ours_path)
                assert table.num_rows == args.rows
                start = time.perf_counter()
                pq.write_table(table, theirs_path, compression=codec, row_group_size=1 << 20)
                theirs["write"].append(time.perf_counter() - start)
                del table
                start = time.perf_counter()
                back = pq.read_table(theirs_path)
                theirs["read"].append(time.perf_counter() - start)
                assert back.num_rows == args.rows
                del back
            sizes = f"{ours_path.stat().st_size / 1e6:.1f}, {theirs_path.stat().st_size / 1e6:.1f}"
            for step in ("write", "read"):
                mine, other = statistics.median(ours[f"{step}_seconds"]), statistics.median(theirs[step])
                print(f"{codec:<7} {step:<6} {mine:11.2f} {other:10.2f} {mine / other:13.2f}"
                      + (f"  {sizes}" if step == "write" else ""))


if __name__ == "__main__":
    main()
