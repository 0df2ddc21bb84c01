"""Apache Airflow (PyPI, project venv) runs meteoflow's DAG exported with `export-airflow`.

The exported file is loaded by Airflow's own DagBag and compared with `tasks list --json` (same
tasks, dependencies, schedule, retries, trigger rules), then `airflow dags test` runs it against
the embedded pipeline: every task must succeed and the store must hold the interval's rows.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
AIRFLOW = pathlib.Path(sys.executable).parent / "airflow"


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow")
    (home / "dags").mkdir()
    data = home / "data"
    for dag in ("weather", "train"):
        exported = subprocess.run([BIN, "export-airflow", "--dag", dag, "--data-dir", str(data)],
                                  capture_output=True, text=True, check=True, cwd=ROOT).stdout
        (home / "dags" / f"{dag}_dag.py").write_text(exported)
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"), AIRFLOW__CORE__UNIT_TEST_MODE="False")
    migrate = subprocess.run([str(AIRFLOW), "db", "migrate"], capture_output=True, text=True, env=env, timeout=600)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    return home, data, env


def test_exported_dag_has_our_tasks_dependencies_schedule_and_retries(airflow_home):
    home, _, env = airflow_home
    probe = """
import json, sys
from airflow.models import DagBag
bag = DagBag(sys.argv[1], include_examples=False)
assert not bag.import_errors, bag.import_errors
dag = bag.get_dag("weather")
print(json.dumps({"schedule": dag.schedule_interval, "catchup": dag.catchup,
                  "max_active_runs": dag.max_active_runs,
                  "tasks": [{"task_id": t.task_id, "upstream": sorted(t.upstream_task_ids), "retries": t.retries,
                             "retry_delay": t.retry_delay.total_seconds(), "trigger_rule": str(t.trigger_rule)}
                            for t in dag.topological_sort()]}))
"""
    out = subprocess.run([sys.executable, "-c", probe, str(home / "dags")], capture_output=True, text=True, env=env,
                         check=True).stdout
    theirs = json.loads(out.strip().splitlines()[-1])
    ours = json.loads(subprocess.run([BIN, "tasks", "list", "weather", "--json"], capture_output=True, text=True,
                                     check=True, cwd=ROOT).stdout)
    assert theirs["schedule"] == "*/10 * * * *" and theirs["catchup"] is False and theirs["max_active_runs"] == 1
    assert [t["task_id"] for t in theirs["tasks"]] == [t["task_id"] for t in ours]
    for a, b in zip(theirs["tasks"], ours):
        assert a["upstream"] == sorted(b["upstream"])
        assert a["retries"] == b["retries"] and a["retry_delay"] == b["retry_delay_seconds"]
        assert a["trigger_rule"] == b["trigger_rule"]


def test_airflow_dags_test_runs_the_pipeline_green(airflow_home):
    home, data, env = airflow_home
    result = subprocess.run([str(AIRFLOW), "dags", "test", "weather", "2024-12-03T22:20:00+00:00"],
                            capture_output=True, text=True, env=env, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    for task in ("collect", "land", "transform", "predict"):
        assert f"Marking task as SUCCESS. dag_id=weather, task_id={task}" in log, task
    assert "state=success" in log
    rows = json.loads(subprocess.run([BIN, "sql", "--data-dir", str(data), "--json",
                                      "SELECT count(*) AS n FROM weather_data"],
                                     capture_output=True, text=True, check=True).stdout)
    assert rows[0]["n"] > 0
