"""Fit the original pipeline's models to every (city, variable) series of the seed recording:
meteoflow (`meteoflow model fit --by series`: one process fits every series) vs statsmodels (one
Python process, `ARIMA(...).fit()` per series), same series, one run.

Series: 37 cities x 6 variables (humidity, pressure, sea_level, temp, visibility, wind_speed) of
data/demo/seed/weather_data1.csv, in time order; models ARIMA(1,1,1) and SARIMA(1,1,1)(1,1,1,12),
as the original trains them. Each fit leaves the last 6 points out and forecasts them, so the
table also gives each tool's holdout RMSE and how often each tool's estimates score the higher
likelihood -- both scored by statsmodels' own likelihood (its ARIMA default, with a diffuse start
for the integrated states), our parameters and sigma2 plugged in.
Series without variation are skipped for both (statsmodels fits them; we refuse, by design).
meteoflow's time is the whole process: start, CSV parsing, fitting, forecasting, JSON output --
once with --jobs 1 (one core, as statsmodels runs) and once on every core (meteoflow*, same fits).
Ours runs with each start of the integrated states (`--start`): "meteoflow" the exact likelihood of
the differenced series, "meteoflow~" statsmodels' own approximate diffuse prior.

    make bench-forecast
    .venv/bin/python bench/forecast_bench.py
"""
import argparse
import csv
import json
import os
import math
import pathlib
import subprocess
import tempfile
import time
import warnings

import numpy as np
from statsmodels.tsa.arima.model import ARIMA

ROOT = pathlib.Path(__file__).resolve().parents[1]
VARIABLES = ["humidity", "pressure", "sea_level", "temp", "visibility", "wind_speed"]
MODELS = {"ARIMA(1,1,1)": ((1, 1, 1), None), "SARIMA(1,1,1)(1,1,1,12)": ((1, 1, 1), (1, 1, 1, 12))}
HOLDOUT = 6
STARTS = ["exact", "approximate"]  # model fit --start: ours as rows "meteoflow" and "meteoflow~"


def seed_series():
    rows = {}
    with open(ROOT / "data" / "demo" / "seed" / "weather_data1.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["city_name"], []).append(r)
    out = {}
    for city, rs in rows.items():
        rs.sort(key=lambda r: r["time"])
        for v in VARIABLES:
            y = np.array([float(r[v]) for r in rs])
            if np.ptp(np.diff(y)) > 0:
                out[(city, v)] = y
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build" / "meteoflow"))
    args = parser.parse_args()
    series = seed_series()
    print(f"{len(series)} series x {len(MODELS)} models = {len(series) * len(MODELS)} fits "
          f"(holdout {HOLDOUT} points each)")
    print(f"{'model':<24} {'tool':<11} {'seconds':>8} {'fits/s':>8} {'holdout RMSE':>13} {'higher loglik':>14}")
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "series.csv"
        keys = list(series)
        with open(path, "w", encoding="utf-8") as f:
            f.write("series,t,v\n")
            for k, (city, variable) in enumerate(keys):
                f.writelines(f"{k},{i:05d},{float(v)!r}\n" for i, v in enumerate(series[(city, variable)][:-HOLDOUT]))
        for label, (order, seasonal) in MODELS.items():
            cmd = [args.binary, "model", "fit", "--csv", str(path), "--by", "series", "--time-column", "t",
                   "--value-column", "v", "--order", ",".join(map(str, order)), "--horizon", str(HOLDOUT), "--json"]
            if seasonal:
                cmd += ["--model", "sarima", "--seasonal", ",".join(map(str, seasonal))]
            theirs = [], []  # log-likelihoods and squared errors, filled on the first pass
            theirs_time = 0.0
            for start_kind in STARTS:
                label_start = f"meteoflow{'' if start_kind == 'exact' else '~'}"
                run_cmd = cmd + ["--start", start_kind]
                start = time.perf_counter()
                result = subprocess.run(run_cmd + ["--jobs", "1"], capture_output=True, text=True)
                ours_time = time.perf_counter() - start
                start = time.perf_counter()
                parallel = subprocess.run(run_cmd, capture_output=True, text=True)
                parallel_time = time.perf_counter() - start
                assert parallel.stdout == result.stdout, "fits differ between --jobs 1 and all cores"
                mine = {int(r["series"]): r for r in map(json.loads, result.stdout.splitlines())}
                ours_ll, ours_err = [], []
                for k, key in enumerate(keys):
                    y = series[key]
                    train, test = y[:-HOLDOUT], y[-HOLDOUT:]
                    if len(theirs[0]) <= k:
                        began = time.perf_counter()
                        fit = ARIMA(train, order=order, seasonal_order=seasonal or (0, 0, 0, 0)).fit()
                        forecast = fit.forecast(HOLDOUT)
                        theirs_time += time.perf_counter() - began
                        theirs[0].append((fit.llf, fit.model))
                        theirs[1].extend((forecast - test) ** 2)
                    llf, model = theirs[0][k]
                    if "error" in mine[k]:
                        ours_ll.append(-math.inf)
                        continue
                    params = mine[k]["params"]
                    names = [n for n in model.param_names if n != "sigma2"]
                    ours_ll.append(model.loglike(np.array([params.get(n, 0.0) for n in names] + [mine[k]["sigma2"]])))
                    ours_err.extend((np.array(mine[k]["forecast"]["mean"]) - test) ** 2)
                n = len(series)
                theirs_ll = [llf for llf, _ in theirs[0]]
                higher_ours = sum(a > b + 0.01 for a, b in zip(ours_ll, theirs_ll))
                higher_theirs = sum(b > a + 0.01 for a, b in zip(ours_ll, theirs_ll))
                failed = sum(1 for r in mine.values() if "error" in r)
                print(f"{label:<24} {label_start:<11} {ours_time:8.2f} {n / ours_time:8.1f} "
                      f"{math.sqrt(np.mean(ours_err)):13.4f} {higher_ours:14d}" +
                      (f"  ({failed} failed)" if failed else ""))
                if start_kind == STARTS[0]:
                    print(f"{label:<24} {'statsmodels':<11} {theirs_time:8.2f} {n / theirs_time:8.1f} "
                          f"{math.sqrt(np.mean(theirs[1])):13.4f} {higher_theirs:14d}")
                else:
                    print(f"{'':<24} {'':<11} {'':>8} {'':>8} {'':>13} {higher_theirs:14d}  (statsmodels higher)")
                print(f"{label:<24} {label_start + '*':<11} {parallel_time:8.2f} {n / parallel_time:8.1f}")
                print(f"{label:<24} speed ratio (statsmodels time / ours): {theirs_time / ours_time:.1f}x on one "
                      f"core, {theirs_time / parallel_time:.1f}x on all {os.cpu_count()} ({label_start}*)")


if __name__ == "__main__":
    main()
