"""A fake of the weather APIs meteoflow collects from, for tests on loopback.

Serves, in the real APIs' shapes (../shared/reference/weather-apis.md, data/demo/snapshots):
  GET /v1/forecast        Open-Meteo current weather (`current=`) and hourly forecast (`hourly=`,
                          `forecast_days`, from today 00:00 UTC); comma lists of coordinates give
                          a JSON array in input order with "location_id" from the second element on
  GET /v1/archive         Open-Meteo history: hourly arrays between start_date and end_date
  GET /v1/search          Open-Meteo geocoding: {"results": [...]} by name
  GET /data/2.5/weather   OpenWeatherMap current weather for lat/lon (appid required)
Values come from the real snapshots of the nearest recorded city, moved a little with time.
The hourly forecast is the archive's value of the same hour (the fake's "truth") plus a known bias
and noise per variable (FORECAST_BIAS, FORECAST_NOISE; the noise is a fixed function of place,
hour and variable), so tests can check that post-processing the forecast removes its bias.
Every response is gzip-compressed when the client accepts it.

Control (for tests):
  POST /_script  {"faults": [{"path": "/data/2.5/weather", "fault": "429", ...}, ...]}
                 queues faults; each is used by the next request whose path starts with "path"
                 (and, with "lat", whose lat parameter equals it; with "after": N, once N
                 matching requests have gone through unharmed; with "sticky": true, it stays
                 queued and answers every matching request until /_reset)
  GET  /_requests  every request so far: {"time", "path", "query", "status", "client_port" (the
                   connection it came on), "gzip" (whether the client accepted gzip)}
  POST /_reset     forgets the log and the queued faults
  POST /_key       {"appid": "..."}: the only OpenWeatherMap key accepted (default: any non-empty)
Faults: "429" (no Retry-After), "429-retry-after" (Retry-After: "seconds", default 1), "503",
"500", "slow" (sleeps "seconds" before answering), "truncated" (a 200 cut in the middle),
"plaintext" (a 200 JSON body followed by Open-Meteo's streaming error text), "error"
(400 {"error":true,"reason":...}), "401" ({"cod":401,...}), "404-string" ({"cod":"404",...}),
"400-number" ({"cod":400,...}).

Run: python3 weather_api.py [--port P]; prints "PORT <n>" when listening.
"""
import argparse
import datetime
import gzip
import json
import math
import pathlib
import random
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "data" / "demo" / "snapshots"


def load_snapshots():
    om = [json.loads(line) for line in (SNAPSHOTS / "openmeteo_current_2024-12-09.jsonl").read_text().splitlines()]
    owm = [json.loads(line) for line in (SNAPSHOTS / "openweathermap_current_2024-12-09.jsonl").read_text().splitlines()]
    return om, owm


def nearest(items, lat, lon, coords):
    return min(items, key=lambda item: (coords(item)[0] - lat) ** 2 + (coords(item)[1] - lon) ** 2)


def wave(now, lat, amplitude):
    """A deterministic daily swing so that values move with time like weather does."""
    hours = now / 3600.0
    return amplitude * math.sin(2 * math.pi * (hours / 24.0) + lat)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.faults = []
        self.appid = None
        self.om, self.owm = load_snapshots()

    def take_fault(self, path, query):
        with self.lock:
            for i, f in enumerate(self.faults):
                if not path.startswith(f.get("path", "")):
                    continue
                if "lat" in f and query.get("lat", [None])[0] != f["lat"]:
                    continue
                if f.get("after", 0) > 0:  # let this many matching requests through first
                    f["after"] -= 1
                    return None
                return f if f.get("sticky") else self.faults.pop(i)
        return None


STATE = State()


FORECAST_BIAS = {"temperature_2m": 1.5, "relative_humidity_2m": -6.0, "pressure_msl": 2.0, "wind_speed_10m": 1.0,
                 "visibility": -1500.0}
FORECAST_NOISE = {"temperature_2m": 0.4, "relative_humidity_2m": 2.0, "pressure_msl": 0.5, "wind_speed_10m": 0.3,
                  "visibility": 300.0}


def truth(template, variable, when, lat):
    """The archive's value of `variable` at `when` (seconds): the snapshot's value and a daily swing."""
    default = 1000.0 if "pressure" in variable else 10000.0 if variable == "visibility" else 10.0
    return round(template["current"].get(variable, default) + wave(when, lat, 4), 1)


def forecast_noise(lat, when, variable):
    seed = f"{lat:.4f}/{int(when)}/{variable}"
    return random.Random(seed).gauss(0.0, FORECAST_NOISE.get(variable, 0.0))


def open_meteo_hourly(body, template, lat, now, variables, days):
    start = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).replace(hour=0, minute=0, second=0,
                                                                                 microsecond=0)
    times = [start + datetime.timedelta(hours=h) for h in range(24 * days)]
    hourly = {"time": [t.strftime("%Y-%m-%dT%H:%M") for t in times]}
    for v in variables:
        hourly[v] = [round(truth(template, v, t.timestamp(), lat) + FORECAST_BIAS.get(v, 0.0) +
                           forecast_noise(lat, t.timestamp(), v), 1) for t in times]
    body["hourly_units"] = {"time": "iso8601", **{v: "" for v in variables}}
    body["hourly"] = hourly


def open_meteo_current(lat, lon, now, index):
    template = nearest(STATE.om, lat, lon, lambda t: (t["latitude"], t["longitude"]))
    body = json.loads(json.dumps(template))
    body["latitude"], body["longitude"] = round(lat * 16) / 16, round(lon * 16) / 16
    if index > 0:
        body["location_id"] = index
    slot = int(now // 900 * 900)
    current = body["current"]
    current["time"] = datetime.datetime.fromtimestamp(slot, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M")
    current["temperature_2m"] = round(current["temperature_2m"] + wave(slot, lat, 3), 1)
    current["apparent_temperature"] = round(current["apparent_temperature"] + wave(slot, lat, 3), 1)
    current.setdefault("wind_speed_10m", 3.2)
    current.setdefault("wind_direction_10m", 240)
    current.setdefault("wind_gusts_10m", 6.1)
    return body


def openweathermap_current(lat, lon, now):
    template = nearest(STATE.owm, lat, lon, lambda t: (t["coord"]["lat"], t["coord"]["lon"]))
    body = json.loads(json.dumps(template))
    body["coord"] = {"lat": lat, "lon": lon}
    body["dt"] = int(now)
    body["main"]["temp"] = round(body["main"]["temp"] + wave(now, lat, 3), 2)
    body["main"]["feels_like"] = round(body["main"]["feels_like"] + wave(now, lat, 3), 2)
    return body


def archive(lat, lon, start, end, variables, index):
    template = nearest(STATE.om, lat, lon, lambda t: (t["latitude"], t["longitude"]))
    first = datetime.datetime.fromisoformat(start).replace(tzinfo=datetime.timezone.utc)
    last = datetime.datetime.fromisoformat(end).replace(tzinfo=datetime.timezone.utc)
    hours = int((last - first).total_seconds() // 3600) + 24
    times = [first + datetime.timedelta(hours=h) for h in range(hours)]
    hourly = {"time": [t.strftime("%Y-%m-%dT%H:%M") for t in times]}
    units = {"time": "iso8601"}
    for v in variables:
        hourly[v] = [truth(template, v, t.timestamp(), lat) for t in times]
        units[v] = template.get("current_units", {}).get(v, "")
    body = {"latitude": round(lat * 16) / 16, "longitude": round(lon * 16) / 16, "generationtime_ms": 1.2,
            "utc_offset_seconds": 0, "timezone": "GMT", "timezone_abbreviation": "GMT",
            "elevation": template.get("elevation", 0.0), "hourly_units": units, "hourly": hourly}
    if index > 0:
        body["location_id"] = index
    return body


def gazetteer():
    """Places the geocoder knows: the recorded cities, with the snapshots' coordinates."""
    places = []
    for i, t in enumerate(STATE.owm):
        places.append({"id": 2553604 + i, "name": t["name"], "latitude": t["coord"]["lat"],
                       "longitude": t["coord"]["lon"], "elevation": 20.0, "feature_code": "PPLA",
                       "country_code": "MA", "country": "Morocco", "timezone": "Africa/Casablanca",
                       "population": 100000 + 7919 * i, "admin1": "Region"})
    return places


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, *args):
        pass

    def send_json(self, status, payload, extra_headers=None, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update(extra_headers or {})
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status

    def record(self, arrived, path, query, status):
        with STATE.lock:
            STATE.requests.append({"time": arrived, "path": path, "query": query, "status": status,
                                   "client_port": self.client_address[1],
                                   "gzip": "gzip" in self.headers.get("Accept-Encoding", "")})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        payload = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/_script":
            with STATE.lock:
                STATE.faults.extend(payload.get("faults", []))
        elif self.path == "/_reset":
            with STATE.lock:
                STATE.requests.clear()
                STATE.faults.clear()
        elif self.path == "/_key":
            STATE.appid = payload.get("appid")
        else:
            return self.send_json(404, {"error": True, "reason": "no such control path"})
        self.send_json(200, {"ok": True})

    def do_GET(self):
        arrived = time.time()
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/_requests":
            with STATE.lock:
                return self.send_json(200, list(STATE.requests))
        status = self.answer(url.path, query)
        self.record(arrived, url.path, {k: v[0] for k, v in query.items()}, status)

    def fault(self, f):
        kind = f["fault"]
        if kind == "429":
            return self.send_json(429, {"error": True, "reason": "Minutely API request limit exceeded. Please try again in one minute."})
        if kind == "429-retry-after":
            return self.send_json(429, {"cod": 429, "message": "Too many requests"},
                                  {"Retry-After": str(f.get("seconds", 1))})
        if kind in ("503", "500"):
            return self.send_json(int(kind), {"error": True, "reason": "The service is overloaded"})
        if kind == "error":
            return self.send_json(400, {"error": True, "reason": f.get("reason", "Latitude must be in range of -90 to 90°.")})
        if kind == "401":
            return self.send_json(401, {"cod": 401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."})
        if kind == "404-string":
            return self.send_json(404, {"cod": "404", "message": "city not found"})
        if kind == "400-number":
            return self.send_json(400, {"cod": 400, "message": "wrong latitude"})
        return None

    def answer(self, path, query):
        f = STATE.take_fault(path, query)
        if f and f["fault"] == "slow":
            time.sleep(float(f.get("seconds", 3)))
            f = None
        if f and f["fault"] not in ("truncated", "plaintext"):
            return self.fault(f)
        now = time.time()
        if path == "/v1/forecast":
            payload, status = self.forecast(query, now)
        elif path in ("/v1/archive", "/v1/era5"):
            payload, status = self.archive(query)
        elif path == "/v1/search":
            payload, status = self.search(query)
        elif path == "/data/2.5/weather":
            payload, status = self.owm(query, now)
        else:
            payload, status = {"error": True, "reason": "Not Found"}, 404
        raw = json.dumps(payload).encode()
        if f and f["fault"] == "truncated":
            raw = raw[: len(raw) // 2]
        if f and f["fault"] == "plaintext":
            raw = raw + b"Unexpected error while streaming data: timeout"
        return self.send_json(status, None, raw=raw)

    @staticmethod
    def coordinates(query, lat_key, lon_key):
        lats = [float(x) for x in query.get(lat_key, [""])[0].split(",") if x]
        lons = [float(x) for x in query.get(lon_key, [""])[0].split(",") if x]
        return lats, lons

    def forecast(self, query, now):
        lats, lons = self.coordinates(query, "latitude", "longitude")
        if not lats or len(lats) != len(lons):
            return {"error": True, "reason": "Parameter 'latitude' and 'longitude' must have the same number of elements"}, 400
        if len(lats) > 1000:
            return {"error": True, "reason": "Only up to 1000 locations can be requested at once"}, 400
        variables = [v for v in query.get("hourly", [""])[0].split(",") if v]
        days = int(query.get("forecast_days", ["7"])[0])
        if not 0 <= days <= 16:
            return {"error": True, "reason": "Parameter 'forecast_days' must be between 0 and 16"}, 400
        bodies = []
        for i, (lat, lon) in enumerate(zip(lats, lons)):
            body = open_meteo_current(lat, lon, now, i)
            if "current" not in query:
                del body["current"]
                body.pop("current_units", None)
            if variables:
                template = nearest(STATE.om, lat, lon, lambda t: (t["latitude"], t["longitude"]))
                open_meteo_hourly(body, template, lat, now, variables, days)
            bodies.append(body)
        return (bodies if len(bodies) > 1 else bodies[0]), 200

    def archive(self, query):
        lats, lons = self.coordinates(query, "latitude", "longitude")
        start, end = query.get("start_date", [""])[0], query.get("end_date", [""])[0]
        variables = [v for v in query.get("hourly", [""])[0].split(",") if v]
        try:
            first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
        except ValueError:
            return {"error": True, "reason": "Parameter 'start_date' and 'end_date' must be dates"}, 400
        if not lats or len(lats) != len(lons) or last < first or not variables:
            return {"error": True, "reason": "Invalid request"}, 400
        bodies = [archive(lat, lon, start, end, variables, i) for i, (lat, lon) in enumerate(zip(lats, lons))]
        return (bodies if len(bodies) > 1 else bodies[0]), 200

    def search(self, query):
        name = query.get("name", [""])[0].lower()
        count = int(query.get("count", ["10"])[0])
        if len(name) < 2:
            return {"generationtime_ms": 0.1}, 200
        found = [p for p in gazetteer() if p["name"].lower().startswith(name)][:count]
        return ({"results": found, "generationtime_ms": 0.3} if found else {"generationtime_ms": 0.3}), 200

    def owm(self, query, now):
        appid = query.get("appid", [""])[0]
        if not appid or (STATE.appid and appid != STATE.appid):
            return {"cod": 401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}, 401
        try:
            lat, lon = float(query["lat"][0]), float(query["lon"][0])
        except (KeyError, ValueError):
            return {"cod": "400", "message": "Nothing to geocode"}, 400
        if not -90 <= lat <= 90:
            return {"cod": "400", "message": "wrong latitude"}, 400
        return openweathermap_current(lat, lon, now), 200


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
