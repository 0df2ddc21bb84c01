"""Upsert the same N weather rows into weather_data of the same local Cassandra node: meteoflow's
CQL client (bench/cassandra_bench.cc: the prepared INSERT of CassandraStore, pipelined on one
connection) vs the Python cassandra-driver's execute_concurrent_with_args, same concurrency,
one run. Each writes its own keyspace (same schema, created by meteoflow), so neither overwrites
the other's rows; both at consistency LOCAL_ONE.

    make bench-cassandra                       (starts tools/cassandra when it is not running)
    .venv/bin/python bench/cassandra_bench.py --rows 1000000 --contact 127.0.0.1:9042
"""
import argparse
import datetime
import json
import pathlib
import subprocess
import time

from cassandra import ConsistencyLevel
from cassandra.cluster import Cluster
from cassandra.concurrent import execute_concurrent_with_args

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIELDS = ["apparent_temperature", "clouds_all", "elevation", "feels_like", "grnd_level", "humidity", "is_day",
          "latitude", "longitude", "precipitation", "pressure", "pressure_msl", "rain", "relative_humidity_2m",
          "sea_level", "showers", "snowfall", "surface_pressure", "temp", "temperature_2m", "visibility", "wind_deg",
          "wind_speed", "temperature_feels_like"]
BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


def row(i):
    """Row i exactly as cassandra_bench.cc builds it."""
    values = [f"City{i % 1000}", BASE + datetime.timedelta(minutes=10 * (i // 1000)), f"loc{i % 1000}", "MA", None,
              None, "openweathermap+openmeteo"]
    while len(values) < 7 + len(FIELDS):
        values.append(((i * 7 + len(values)) % 1000) / 10.0)
    return tuple(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contact", default="127.0.0.1:9042")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--in-flight", type=int, default=256)
    parser.add_argument("--binary", default=str(ROOT / "build" / "bench" / "cassandra_bench"))
    args = parser.parse_args()
    host, port = args.contact.rsplit(":", 1)
    cluster = Cluster([host], port=int(port))
    session = cluster.connect()
    for ks in ("mf_bench_ours", "mf_bench_driver"):
        session.execute(f"DROP KEYSPACE IF EXISTS {ks}")
        subprocess.run([args.binary, args.contact, ks, "0", "1"], check=True)  # schema only

    start = time.perf_counter()
    ours = json.loads(subprocess.run([args.binary, args.contact, "mf_bench_ours", str(args.rows), str(args.in_flight)],
                                     check=True, capture_output=True, text=True).stdout)
    ours_seconds = time.perf_counter() - start

    columns = ["city_name", "time", "location_id", "country", "sunrise", "sunset", "sources", *FIELDS]
    insert = session.prepare(f"INSERT INTO mf_bench_driver.weather_data ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' * len(columns))})")
    insert.consistency_level = ConsistencyLevel.LOCAL_ONE
    start = time.perf_counter()
    results = execute_concurrent_with_args(session, insert, (row(i) for i in range(args.rows)),
                                           concurrency=args.in_flight, raise_on_first_error=False,
                                           results_generator=True)
    failed = sum(1 for ok, _ in results if not ok)
    theirs_seconds = time.perf_counter() - start

    counts = {ks: session.execute(f"SELECT count(*) FROM {ks}.weather_data", timeout=300).one()[0]
              for ks in ("mf_bench_ours", "mf_bench_driver")}
    cluster.shutdown()
    print(f"{args.rows} weather rows ({7 + len(FIELDS)} columns) upserted into one local node, "
          f"{args.in_flight} requests in flight, LOCAL_ONE")
    print(f"{'client':<26} {'seconds':>8} {'rows/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7} {'rows read back':>15}")
    print(f"{'meteoflow CQL client':<26} {ours_seconds:8.2f} {args.rows / ours_seconds:10,.0f} {ours['p50_ms']:8.2f} "
          f"{ours['p99_ms']:8.2f} {ours['failed']:7d} {counts['mf_bench_ours']:15,d}")
    print(f"{'cassandra-driver (Python)':<26} {theirs_seconds:8.2f} {args.rows / theirs_seconds:10,.0f} {'-':>8} "
          f"{'-':>8} {failed:7d} {counts['mf_bench_driver']:15,d}")
    print(f"ratio meteoflow / cassandra-driver: {theirs_seconds / ours_seconds:.1f}x")


if __name__ == "__main__":
    main()
