"""End-to-end: the built-in scheduler through the CLI -- backfill, runs listings, triggers with
parameters, pauses, logs, the subprocess executor, bad input, and a scheduler killed with -9
then restarted. Run states are read with `dags runs --json` and checked against meta.db itself
(Python's sqlite3) for doubles.
"""
import json
import os
import pathlib
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))


def mf(*args, check=True, timeout=300):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"meteoflow {' '.join(args)} failed: {result.stderr}")
    return result


def chores_config(tmp_path, extra_dag=""):
    """The default config with one more DAG of shell commands, its tasks writing to out.txt."""
    out = tmp_path / "out.txt"
    config = tmp_path / "chores.yaml"
    dags = (ROOT / "config" / "meteoflow.yaml").read_text().split("\ndags:\n", 1)[1].split("\n# Forecasting")[0]
    config.write_text(f"""extends: {ROOT / "config" / "meteoflow.yaml"}
pools:
  default: 16
  narrow: 1
dags:
{dags}
  chores:
    schedule: "@daily"
    start_date: "{time.strftime('%Y-%m-%d', time.gmtime(time.time() - 4 * 86400))}"
    catchup: true
    max_active_runs: 1
    tasks:
      - {{id: first, command: "sleep 0.7; echo $MF_RUN_ID first >> {out}", retries: 1}}
      - {{id: second, command: "echo $MF_RUN_ID second $MF_CONF | tee -a {out}", upstream: [first]}}
{extra_dag}""")
    return config, out


def wait_for_running_try(meta_db, min_runs_done, task_id="first", timeout=60):
    """Polls meta.db until a try of `task_id` runs after `min_runs_done` runs succeeded (no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if meta_db.exists():
            try:
                with sqlite3.connect(f"file:{meta_db}?mode=ro", uri=True, timeout=1) as db:
                    done = db.execute("SELECT count(*) FROM dag_run WHERE state = 'success'").fetchone()[0]
                    running = db.execute("SELECT count(*) FROM task_try WHERE state = 'running' AND task_id = ?",
                                         (task_id,)).fetchone()[0]
                if done >= min_runs_done and running == 1:
                    return
            except sqlite3.OperationalError:
                pass  # the scheduler is creating its tables
        time.sleep(0.05)
    raise AssertionError(f"no try running in {meta_db} after {min_runs_done} finished runs within {timeout} s")


def runs(data_dir, dag, config=None):
    args = ["dags", "runs", dag, "--json", "--data-dir", str(data_dir)]
    if config:
        args += ["--config", str(config)]
    return json.loads(mf(*args).stdout)


def test_backfill_creates_exactly_the_intervals_and_runs_lists_them(tmp_path):
    out = mf("dags", "backfill", "weather", "--from", "2024-12-03T22:00", "--to", "2024-12-04T02:00",
             "--data-dir", str(tmp_path))
    assert out.stdout.count("success") == 24
    listed = runs(tmp_path, "weather")
    assert len(listed) == 24
    assert all({"dag_run_id", "logical_date", "state", "start_date", "end_date"} <= set(r) for r in listed)
    assert [r["logical_date"] for r in listed][:2] == ["2024-12-03T22:00:00Z", "2024-12-03T22:10:00Z"]
    assert listed[-1]["data_interval_end"] == "2024-12-04T02:00:00Z"
    assert {r["state"] for r in listed} == {"success"}
    # The recording's rows of those four hours reached the store, one run per interval.
    rows = json.loads(mf("sql", "--data-dir", str(tmp_path), "--json",
                         "SELECT count(*) AS n FROM weather_data WHERE time < '2024-12-04T02:00'").stdout)
    assert rows[0]["n"] > 0
    again = mf("dags", "backfill", "weather", "--from", "2024-12-03T22:00", "--to", "2024-12-04T02:00",
               "--data-dir", str(tmp_path))
    assert again.returncode == 0 and len(runs(tmp_path, "weather")) == 24  # nothing doubled
    logs = mf("tasks", "logs", "weather", "collect", "--date", "2024-12-03T22:10", "--data-dir", str(tmp_path)).stdout
    assert "weather__backfill__2024-12-03T22:10:00Z collect try 1: success" in logs


def test_scheduler_killed_with_minus_9_loses_and_doubles_nothing(tmp_path):
    config, out = chores_config(tmp_path)
    data = tmp_path / "d"
    mf("dags", "pause", "weather", "--config", str(config), "--data-dir", str(data))
    mf("dags", "pause", "train", "--config", str(config), "--data-dir", str(data))
    mf("dags", "pause", "maintenance", "--config", str(config), "--data-dir", str(data))
    first = subprocess.Popen([BIN, "scheduler", "--once", "--config", str(config), "--data-dir", str(data)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_running_try(data / "meta.db", min_runs_done=1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    with sqlite3.connect(data / "meta.db") as db:
        before = db.execute("SELECT count(*) FROM dag_run WHERE dag_id = 'chores'").fetchone()[0]
        running = db.execute("SELECT count(*) FROM task_instance WHERE state = 'running'").fetchone()[0]
    assert before >= 4 and running == 1  # the kill left one try running
    mf("scheduler", "--once", "--config", str(config), "--data-dir", str(data), timeout=120)
    listed = runs(data, "chores", config)
    dates = [r["logical_date"] for r in listed]
    assert len(dates) == len(set(dates)) >= 4  # no run lost or doubled
    assert {r["state"] for r in listed} == {"success"}
    with sqlite3.connect(data / "meta.db") as db:
        interrupted = db.execute("SELECT run_id, task_id FROM task_try WHERE state = 'interrupted'").fetchall()
        doubles = db.execute("SELECT count(*) FROM (SELECT dag_id, logical_date, run_type FROM dag_run "
                             "GROUP BY 1, 2, 3 HAVING count(*) > 1)").fetchone()[0]
    assert len(interrupted) == 1 and doubles == 0
    run_id, task_id = interrupted[0]
    lines = out.read_text().splitlines()
    assert f"{run_id} second {{}}" in lines  # the interrupted run went on to the end
    for r in listed:
        assert lines.count(f"{r['dag_run_id']} second {{}}") == 1


def test_trigger_passes_parameters_and_pause_stops_scheduling(tmp_path):
    config, out = chores_config(tmp_path)
    data = tmp_path / "d"
    for dag in ("weather", "train", "maintenance", "chores"):
        mf("dags", "pause", dag, "--config", str(config), "--data-dir", str(data))
    mf("scheduler", "--once", "--quiet", "--config", str(config), "--data-dir", str(data))
    assert runs(data, "chores", config) == []  # paused: nothing scheduled
    listing = json.loads(mf("dags", "list", "--json", "--config", str(config), "--data-dir", str(data)).stdout)
    assert {d["dag_id"]: d["is_paused"] for d in listing} == {"weather": True, "train": True, "maintenance": True,
                                                                 "chores": True}
    run = json.loads(mf("dags", "trigger", "chores", "--conf", '{"city": "Rabat"}', "--json", "--config",
                        str(config), "--data-dir", str(data)).stdout)[0]
    assert run["state"] == "success" and run["run_type"] == "manual" and run["conf"] == {"city": "Rabat"}
    assert f'{run["dag_run_id"]} second {{"city":"Rabat"}}' in out.read_text()
    mf("dags", "unpause", "chores", "--config", str(config), "--data-dir", str(data))
    mf("scheduler", "--once", "--quiet", "--config", str(config), "--data-dir", str(data))
    assert len([r for r in runs(data, "chores", config) if r["run_type"] == "scheduled"]) >= 4
    tasks = json.loads(mf("tasks", "list", "chores", "--json", "--config", str(config)).stdout)
    assert [t["task_id"] for t in tasks] == ["first", "second"] and tasks[1]["upstream"] == ["first"]


def test_subprocess_executor_runs_stages_as_children(tmp_path):
    out = mf("dags", "backfill", "weather", "--from", "2024-12-03T22:00", "--to", "2024-12-03T22:30",
             "--executor", "subprocess", "--json", "--data-dir", str(tmp_path))
    assert [r["state"] for r in json.loads(out.stdout)] == ["success"] * 3
    logs = mf("tasks", "logs", "weather", "transform", "--date", "2024-12-03T22:20", "--data-dir", str(tmp_path))
    assert "weather.transform (stage transform)" in logs.stdout


@pytest.mark.parametrize("args,message", [
    (["dags", "runs", "nope"], "no DAG 'nope'"),
    (["dags", "trigger", "weather", "--conf", "[1, 2]"], "--conf must be a JSON object"),
    (["dags", "backfill", "weather", "--from", "yesterday", "--to", "2024-12-04"], "--from"),
    (["dags", "backfill", "weather", "--from", "2024-12-04", "--to", "2024-12-03"], "--from must be before --to"),
    (["tasks", "run", "weather", "nope", "--date", "2024-12-03T22:00"], "no task 'nope'"),
    (["tasks", "logs", "weather", "collect", "--date", "2024-12-03T22:00"], "no tries"),
])
def test_bad_input_is_a_clear_error(tmp_path, args, message):
    result = mf(*args, "--data-dir", str(tmp_path), check=False)
    assert result.returncode != 0 and message in result.stderr, result.stderr


def serve(data_dir, config, port, env=None):
    server = subprocess.Popen([BIN, "serve", "--config", str(config), "--data-dir", str(data_dir), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("serve did not answer")


def call(url, method="GET", body=None, token=None, headers=None):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read().decode()
            return response.status, json.loads(raw) if response.headers.get_content_type() == "application/json" else raw
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_rest_api_in_airflows_shape(tmp_path):
    config, _ = chores_config(tmp_path, "    params: {city: Casablanca}\n")
    data = tmp_path / "d"
    mf("dags", "trigger", "chores", "--config", str(config), "--data-dir", str(data))
    port = free_port()
    server = serve(data, config, port)
    base = f"http://127.0.0.1:{port}/api/dags"
    try:
        status, dags = call(base)
        assert status == 200 and dags["total_entries"] == 4  # weather, train, maintenance, chores
        status, listed = call(f"{base}/chores/dagRuns")
        assert status == 200 and listed["total_entries"] == 1
        run = listed["dag_runs"][0]
        assert run["state"] == "success" and run["conf"] == {"city": "Casablanca"}  # the DAG's params
        status, tis = call(f"{base}/chores/dagRuns/{run['dag_run_id']}/taskInstances")
        assert [(t["task_id"], t["state"], t["try_number"]) for t in tis["task_instances"]] == \
            [("first", "success", 1), ("second", "success", 1)]
        assert tis["task_instances"][0]["duration"] >= 0.6
        status, log = call(f"{base}/chores/dagRuns/{run['dag_run_id']}/taskInstances/second/logs/1")
        assert status == 200 and "second" in log
        status, queued = call(f"{base}/chores/dagRuns", "POST", {"conf": {"city": "Fes"}})
        assert status == 200 and queued["state"] == "queued" and queued["conf"] == {"city": "Fes"}
        status, patched = call(f"{base}/chores", "PATCH", {"is_paused": True})
        assert status == 200 and patched["is_paused"] is True
        assert call(f"{base}/nope")[0] == 404
        assert call(f"{base}/chores/dagRuns/nope/taskInstances")[0] == 404
        assert call(f"{base}/chores", "PATCH", {"is_paused": "yes"})[0] == 400
        assert call(f"{base}/chores/dagRuns?limit=0")[0] == 400
    finally:
        server.terminate()
        server.wait()
    # The queued run is picked up by the next scheduler.
    mf("scheduler", "--once", "--quiet", "--config", str(config), "--data-dir", str(data))
    assert {r["state"] for r in runs(data, "chores", config) if r["run_type"] == "manual"} == {"success"}


def test_state_changes_need_the_token_beyond_localhost(tmp_path):
    config, _ = chores_config(tmp_path)
    port = free_port()
    open_config = tmp_path / "open.yaml"
    open_config.write_text(f"extends: {config}\ndashboard:\n  bind: 0.0.0.0:{port}\n")
    data = tmp_path / "d"
    mf("dags", "trigger", "chores", "--config", str(open_config), "--data-dir", str(data))
    base = f"http://127.0.0.1:{port}/api/dags/chores"
    server = serve(data, open_config, port, env={k: v for k, v in os.environ.items() if k != "MF_API_TOKEN"})
    try:
        status, body = call(base, "PATCH", {"is_paused": True})
        assert status == 403 and "MF_API_TOKEN" in body["error"]
        assert call(base)[0] == 200  # reading needs no token
    finally:
        server.terminate()
        server.wait()
    server = serve(data, open_config, port, env=dict(os.environ, MF_API_TOKEN="s3cret"))
    try:
        assert call(base, "PATCH", {"is_paused": True})[0] == 401
        assert call(base, "PATCH", {"is_paused": True}, token="wrong")[0] == 401
        assert call(base, "PATCH", {"is_paused": True}, token="s3cret")[0] == 200
        assert call(f"{base}/dagRuns", "POST", {}, token="s3cret")[0] == 200
        # A browser on another site cannot change state, even with the token.
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"},
                        {"Content-Type": "application/x-www-form-urlencoded"}):
            status, body = call(base, "PATCH", {"is_paused": False}, token="s3cret", headers=headers)
            assert status == 403 and "cross-site request refused" in body["error"], headers
        same_site = {"Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{port}"}
        assert call(base, "PATCH", {"is_paused": False}, token="s3cret", headers=same_site)[0] == 200
    finally:
        server.terminate()
        server.wait()
