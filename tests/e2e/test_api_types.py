"""The page's TypeScript types (web/src/api.ts) against what the server really sends.

A short pipeline run fills a data dir; `meteoflow serve` answers every JSON endpoint the page
reads; each response is written into a TypeScript file as an object literal assigned to the
type api.ts declares for it, and the project's own `tsc` checks the file. Object literals get
TypeScript's excess-property check, so a key the server sends that api.ts lacks fails as surely
as a missing key or a wrong type (a null where api.ts says number). The same file also checks
the CLI's `--json` run listing against the DagRun type (one shape per kind of record).
"""
import gzip
import json
import os
import pathlib
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
TSC = ROOT / "web" / "node_modules" / ".bin" / "tsc"


def mf(*args):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("types")
    mf("run", "--once", "--quiet", "--data-dir", str(data), "--from", "2024-12-03T22:00", "--to", "2024-12-04T02:00")
    mf("dags", "trigger", "weather", "--data-dir", str(data), "--date", "2024-12-04T02:00", "--json")
    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--data-dir", str(data), "--port", str(port)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/api/health")
            break
        except OSError:
            time.sleep(0.1)
    yield base, data
    server.terminate()
    server.wait()


def get(base, path):
    return json.load(urllib.request.urlopen(base + path))


def check_types(tmp_path, declarations):
    """Type-checks `const name: Type = <value>;` for each (name, type, value) against api.ts."""
    lines = ['import type * as api from "%s";' % (ROOT / "web" / "src" / "api")]
    for name, type_name, value in declarations:
        lines.append(f"export const {name}: {type_name} = {json.dumps(value)};")
    source = tmp_path / "responses.ts"
    source.write_text("\n".join(lines) + "\n")
    result = subprocess.run([str(TSC), "--noEmit", "--strict", "--target", "ES2022", "--module", "ESNext",
                             "--moduleResolution", "bundler", "--skipLibCheck", str(source)],
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


def test_every_endpoint_matches_its_declared_type(served, tmp_path):
    base, data = served
    runs = get(base, "/api/dags/weather/dagRuns?limit=5")["dag_runs"]
    assert runs, "the pipeline run left no DAG runs"
    run_id = runs[0]["dag_run_id"]
    cities = get(base, "/api/cities")
    assert any(c["latest"] is not None for c in cities)
    cli_runs = json.loads(mf("dags", "runs", "weather", "--json", "--data-dir", str(data)))
    declarations = [
        ("health", "api.Health", get(base, "/api/health")),
        ("cities", "api.City[]", cities),
        ("observations", "api.Observation[]", get(base, "/api/observations?city=Casablanca")),
        ("predictions", "api.Prediction[]", get(base, "/api/predictions?city=Casablanca")),
        ("runs", "api.RunWithTries[]", get(base, "/api/runs?limit=5")),
        ("dags", "{ dags: api.Dag[]; total_entries: number }", get(base, "/api/dags")),
        ("dag", "api.DagDetail", get(base, "/api/dags/weather")),
        ("dagRuns", "{ dag_runs: api.DagRun[]; total_entries: number }", get(base, "/api/dags/weather/dagRuns?limit=5")),
        ("taskInstances", "{ task_instances: api.TaskInstance[]; total_entries: number }",
         get(base, f"/api/dags/weather/dagRuns/{run_id}/taskInstances")),
        ("cliRuns", "api.DagRun[]", cli_runs),
    ]
    code, output = check_types(tmp_path, declarations)
    assert code == 0, output


def test_the_check_fails_on_an_undeclared_key_and_on_a_wrong_type(served, tmp_path):
    base, _ = served
    run = get(base, "/api/dags/weather/dagRuns?limit=1")["dag_runs"][0]
    code, output = check_types(tmp_path, [("extra", "api.DagRun", {**run, "surprise": 1})])
    assert code != 0 and "surprise" in output
    code, output = check_types(tmp_path, [("wrong", "api.DagRun", {**run, "state": None})])
    assert code != 0 and "'null' is not assignable" in output


def test_one_run_shape_across_cli_rest_and_dashboard(served):
    base, data = served
    rest = get(base, "/api/dags/weather/dagRuns?limit=1")["dag_runs"][0]
    cli = [r for r in json.loads(mf("dags", "runs", "weather", "--json", "--data-dir", str(data)))
           if r["dag_run_id"] == rest["dag_run_id"]][0]
    dashboard = [r for r in get(base, "/api/runs?limit=50") if r["dag_run_id"] == rest["dag_run_id"]][0]
    assert cli == rest
    assert {k: v for k, v in dashboard.items() if k != "tasks"} == rest


def test_json_is_gzipped_and_the_page_revalidates_with_etags(served):
    base, _ = served
    request = urllib.request.Request(base + "/api/cities", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert len(json.loads(gzip.decompress(response.read()))) == 37
    with urllib.request.urlopen(base + "/") as page:
        etag, cache = page.headers["ETag"], page.headers["Cache-Control"]
        html = page.read().decode()
    assert etag and cache == "no-cache"
    again = urllib.request.Request(base + "/", headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(again)
    assert not_modified.value.code == 304
    bundle = re.search(r'src="(/assets/[^"]+\.js)"', html).group(1)  # content-hashed by Vite
    with urllib.request.urlopen(base + bundle) as asset:
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert asset.headers["ETag"] != etag
