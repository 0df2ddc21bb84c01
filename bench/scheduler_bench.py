"""Scheduler overhead: meteoflow's built-in scheduler vs Apache Airflow's `dags test`, on the same
DAG -- a chain of N no-op tasks (`true` as a shell command in both: meteoflow command tasks,
Airflow BashOperators) -- in one run.

Step = a task's end minus its upstream task's end: dispatch plus running `true`, from each tool's
own records (meteoflow: meta.db task_try; Airflow: its task_instance table -- `dags test` does not
record start times, so Airflow has no separate dispatch figure). Dispatch = a task's start minus
its upstream task's end (meteoflow only). Total = wall time of the whole run, process start
included.

    make bench-scheduler
    .venv/bin/python bench/scheduler_bench.py [--tasks 1000]
"""
import argparse
import datetime
import os
import pathlib
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def ms(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


def steps(ends):
    return sorted(ends[i + 1] - ends[i] for i in range(len(ends) - 1))


def pct(values, q):
    return values[int(q * (len(values) - 1))]


def ours(binary, n, tmp):
    config = tmp / "noop.yaml"
    tasks = "\n".join(f"      - {{id: t{i}, command: \"true\"{', upstream: [t%d]' % (i - 1) if i else ''}}}"
                      for i in range(n))
    config.write_text(f"extends: {ROOT / 'config' / 'meteoflow.yaml'}\ndags:\n  noop:\n    schedule: none\n"
                      f"    tasks:\n{tasks}\n")
    data = tmp / "mf"
    start = time.perf_counter()
    subprocess.run([binary, "dags", "trigger", "noop", "--config", str(config), "--data-dir", str(data)],
                   check=True, capture_output=True)
    total = time.perf_counter() - start
    with sqlite3.connect(data / "meta.db") as db:
        rows = db.execute("SELECT task_id, started_at, ended_at FROM task_try").fetchall()
    spans = [(ms(s), ms(e)) for _, s, e in sorted(rows, key=lambda r: int(r[0][1:]))]
    dispatch = sorted(spans[i + 1][0] - spans[i][1] for i in range(n - 1))
    return total, steps([e for _, e in spans]), dispatch


def airflow(n, tmp):
    home = tmp / "airflow"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / "noop.py").write_text(f"""import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator
with DAG(dag_id="noop", schedule=None, start_date=datetime.datetime(2024, 1, 1), catchup=False) as dag:
    previous = None
    for i in range({n}):
        task = BashOperator(task_id=f"t{{i}}", bash_command="true")
        if previous is not None:
            previous >> task
        previous = task
""")
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"))
    exe = str(pathlib.Path(sys.executable).parent / "airflow")
    subprocess.run([exe, "db", "migrate"], check=True, capture_output=True, env=env)
    start = time.perf_counter()
    subprocess.run([exe, "dags", "test", "noop", "2024-12-03T22:00:00+00:00"], check=True, capture_output=True,
                   env=env)
    total = time.perf_counter() - start
    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute("SELECT task_id, end_date FROM task_instance WHERE dag_id = 'noop'").fetchall()
    ends = [ms(e) for _, e in sorted(rows, key=lambda r: int(r[0][1:]))]
    return total, steps(ends), None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build" / "meteoflow"))
    parser.add_argument("--tasks", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {"meteoflow": ours(args.binary, args.tasks, pathlib.Path(tmp)),
                   "airflow dags test": airflow(args.tasks, pathlib.Path(tmp))}
    print(f"chain of {args.tasks} no-op tasks (`true`), one run")
    print(f"{'tool':<18} {'total s':>8} {'step p50 ms':>12} {'step p95 ms':>12} {'dispatch p50 ms':>16} "
          f"{'dispatch p95 ms':>16}")
    for tool, (total, step, dispatch) in results.items():
        d50 = f"{statistics.median(dispatch):16.2f}" if dispatch else f"{'-':>16}"
        d95 = f"{pct(dispatch, 0.95):16.2f}" if dispatch else f"{'-':>16}"
        print(f"{tool:<18} {total:8.2f} {statistics.median(step):12.2f} {pct(step, 0.95):12.2f} {d50} {d95}")
    (ours_total, ours_step, _), (theirs_total, theirs_step, _) = results.values()
    print(f"ratio (airflow / meteoflow): total {theirs_total / ours_total:.1f}x, "
          f"step p50 {statistics.median(theirs_step) / statistics.median(ours_step):.1f}x")


if __name__ == "__main__":
    main()
