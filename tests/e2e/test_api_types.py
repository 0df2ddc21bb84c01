"""The dashboard API: its TypeScript types (web/src/api.ts) against what the server really sends,
bad parameters, compression and caching, and the Server-Sent Events stream.

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
import urllib.parse
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
    mf("run", "--once", "--quiet", "--data-dir", str(data), "--from", "2024-12-03T22:00", "--to", "2024-12-05T00:00")
    mf("train", "--data-dir", str(data))  # registered models: /api/models has entries
    for hour in range(4):  # hourly runs: predictions whose actual arrives, so errors get scored
        mf("run", "--once", "--quiet", "--data-dir", str(data), "--from", f"2024-12-05T{hour:02}:00",
           "--to", f"2024-12-05T{hour + 1:02}:00")
    mf("dags", "trigger", "weather", "--data-dir", str(data), "--date", "2024-12-05T06:00", "--json")
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
    error_summary = get(base, "/api/errors/summary")
    assert error_summary, "no scored predictions to type-check"
    scored = error_summary[0]["city_name"]
    trained = next((m for c in cities for m in [get(base, "/api/models?" + urllib.parse.urlencode({"city": c["id"]}))] if m), [])
    declarations = [
        ("health", "api.Health", get(base, "/api/health")),
        ("cities", "api.City[]", cities),
        ("observations", "api.Observation[]", get(base, "/api/observations?city=Casablanca")),
        ("predictions", "api.Prediction[]", get(base, "/api/predictions?city=Casablanca")),
        ("forecast", "api.LatestForecast", get(base, "/api/forecast?city=Casablanca")),
        ("runs", "api.RunWithTries[]", get(base, "/api/runs?limit=5")),
        ("dags", "{ dags: api.Dag[]; total_entries: number }", get(base, "/api/dags")),
        ("dag", "api.DagDetail", get(base, "/api/dags/weather")),
        ("dagRuns", "{ dag_runs: api.DagRun[]; total_entries: number }", get(base, "/api/dags/weather/dagRuns?limit=5")),
        ("taskInstances", "{ task_instances: api.TaskInstance[]; total_entries: number }",
         get(base, f"/api/dags/weather/dagRuns/{run_id}/taskInstances")),
        ("cliRuns", "api.DagRun[]", cli_runs),
        ("series", "api.Series", get(base, "/api/series?city=Rabat&fields=temp,humidity&points=50")),
        ("sourceSeries", "api.Series", get(base, "/api/series?city=Rabat&source=openmeteo&fields=temperature_2m")),
        ("freshness", "api.Freshness[]", get(base, "/api/sources")),
        ("owmReadings", "api.Readings", get(base, "/api/sources/openweathermap/readings?city=Rabat&limit=3")),
        ("omReadings", "api.Readings", get(base, "/api/sources/openmeteo/readings?limit=3")),
        ("owmSummary", "api.SourceSummary", get(base, "/api/sources/openweathermap/summary")),
        ("omSummary", "api.SourceSummary", get(base, "/api/sources/openmeteo/summary?from=2024-12-04")),
        ("comparison", "api.Comparison", get(base, "/api/compare")),
        ("errors", "api.PredictionErrorRow[]", get(base, "/api/errors?" + urllib.parse.urlencode({"city": scored}))),
        ("errorSummary", "api.ErrorSummary[]", error_summary),
        ("byHorizon", "api.HorizonScores[]", get(base, "/api/errors/horizons")),
        ("models", "api.ModelEntry[]", trained),
        ("deadLetters", "api.DeadLetters", get(base, "/api/dead-letters?limit=3")),
    ]
    for name, _, value in declarations[-13:]:
        assert value not in ([], {}), f"{name} is empty: the check would prove little"
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


BAD_REQUESTS = [
    ("/api/observations", "city: required parameter is missing"),
    ("/api/observations?city=Atlantis", "city: 'Atlantis' is not a configured location"),
    ("/api/observations?city=Rabat&from=yesterday", "from: not a UTC timestamp or date"),
    ("/api/observations?city=Rabat&from=2024-12-05&to=2024-12-04", "to: must be after from"),
    ("/api/observations?city=Rabat&limit=0", "limit: '0' is not an integer in 1..50000"),
    ("/api/series?city=Rabat&fields=temp&from=0001-01-01&to=9999-12-31", "range: from and to are more than"),
    ("/api/series?city=Rabat", "fields: required parameter is missing"),
    ("/api/series?city=Rabat&fields=temp,nope", "fields: 'nope' is not a weather_data column"),
    ("/api/series?city=Rabat&fields=DROP%20TABLE", "fields: 'DROP TABLE' is not a field name"),
    ("/api/series?city=Rabat&fields=temp&points=99999999999", "points: '99999999999' is not an integer"),
    ("/api/series?city=Rabat&fields=temp&source=darksky", "source: 'darksky' is not openweathermap or openmeteo"),
    ("/api/sources/darksky/readings", "source: 'darksky' is not"),
    ("/api/sources/openmeteo/summary?to=not-a-date", "to: not a UTC timestamp or date"),
    ("/api/compare?from=2024-13-45", "from: not a UTC timestamp or date"),
    ("/api/predictions?city=Rabat&horizon=-1", "horizon: '-1' is not an integer in 0..1000"),
    ("/api/errors/summary?horizon=1e3", "horizon: '1e3' is not an integer"),
    ("/api/forecast", "city: required parameter is missing"),
    ("/api/predictions?city=%3Cscript%3E", "city: '<script>' is not a configured location"),
    ("/api/errors?city=", "city: required parameter is missing"),
    ("/api/models", "city: required parameter is missing"),
    ("/api/dead-letters?limit=-1", "limit: '-1' is not an integer in 0..500"),
    ("/api/runs?limit=x", "limit: expected an integer in 1..9999"),
    ("/api/observations?city=" + "x" * 5000, "is not a configured location"),
]


@pytest.mark.parametrize("path,message", BAD_REQUESTS)
def test_bad_parameters_get_400_with_a_message_naming_them(served, path, message):
    base, _ = served
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(base + path)
    assert failure.value.code == 400
    body = json.load(failure.value)
    assert message in body["error"]
    assert len(body["error"]) < 300, "a hostile value is not echoed whole"


def test_downsampling_keeps_the_budget_and_the_extremes(served):
    base, _ = served
    full = get(base, "/api/series?city=Rabat&fields=temp&points=20000")["series"]["temp"]
    small = get(base, "/api/series?city=Rabat&fields=temp&points=10")["series"]["temp"]
    assert len(full) > 10 and len(small) <= 10
    values = [v for _, v in full]
    assert min(values) in [v for _, v in small] and max(values) in [v for _, v in small]
    assert [t for t, _ in small] == sorted(t for t, _ in small)


def test_big_responses_are_gzipped_by_the_server_never_twice(served):
    base, _ = served
    with urllib.request.urlopen(base + "/") as page:
        bundle = re.search(r'src="(/assets/[^"]+\.js)"', page.read().decode()).group(1)
    for path in [bundle, "/api/sources/openweathermap/summary", "/api/observations?city=Rabat"]:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip, deflate, br"})
        with urllib.request.urlopen(request) as response:
            assert response.headers.get_all("Content-Encoding") == ["gzip"], path
            assert response.headers["Vary"] == "Accept-Encoding"
            body = gzip.decompress(response.read())
            assert body and (path == bundle or json.loads(body) is not None)


def test_events_stream_announces_a_new_run(served):
    base, data = served
    stream = urllib.request.urlopen(base + "/api/events", timeout=30)
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    hello = b""
    while not hello.endswith(b"\n\n"):
        hello += stream.read(1)
    assert b"event: hello" in hello and b"retry: 2000" in hello
    mf("run", "--once", "--quiet", "--data-dir", str(data), "--from", "2024-12-05T04:00", "--to", "2024-12-05T05:00")
    event = b""
    while b"event: change" not in event:
        event += stream.read(1)
    while not event.endswith(b"\n\n"):
        event += stream.read(1)
    assert re.search(rb"data: \{\"version\":[1-9]\d*\}", event), event
    stream.close()


def raw_request(base, text):
    """Sends `text` as the whole request on a fresh connection; the status line that comes back."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(text.encode())
        return conn.recv(4096).split(b"\r\n", 1)[0].decode()


@pytest.mark.parametrize("path", ["/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/../../CMakeLists.txt",
                                  "/..%2f..%2fREADME.md", "/index.html/../../README.md"])
def test_nothing_outside_the_built_page_is_served(served, path):
    base, _ = served
    status = raw_request(base, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status.split(" ")[1] in ("400", "404"), (path, status)


def test_oversized_and_slow_requests_are_refused(served):
    base, _ = served
    huge_header = raw_request(base, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 20000 + "\r\n\r\n")
    assert huge_header == "" or huge_header.split(" ")[1] in ("400", "431"), huge_header
    body = "{" + " " * (200 * 1024) + "}"
    big_body = raw_request(base, f"POST /api/dags/weather/dagRuns HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}")
    assert big_body.split(" ")[1] == "413", big_body
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as slow:
        slow.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        started = time.time()
        answer = slow.recv(4096)  # the socket's own timeout (60 s) would raise if the server waited on
        waited = time.time() - started
    assert answer == b"" or answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 408")), answer[:80]
    assert waited < 30, f"the slow client was dropped after {waited:.1f} s"
