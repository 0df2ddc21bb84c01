"""End-to-end: the train DAG and the model registry on the bundled recording.

The recording is split in time: the weather DAG runs over the first part, `meteoflow train`
chooses and registers a model per (city, variable) and predicts with it, then the weather DAG runs
over the rest, whose observations score those predictions into prediction_errors. Registry
contents are read straight from models.db with Python's sqlite3, not through meteoflow.
"""
import json
import os
import pathlib
import sqlite3
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("MF_BIN", str(ROOT / "build" / "meteoflow"))
SPLIT = "2024-12-05T12:00:00Z"
VARIABLES = {"humidity", "pressure", "sea_level", "temp", "visibility", "wind_speed"}


def mf(*args, check=True):
    result = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"meteoflow {' '.join(args)} failed: {result.stderr}")
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("train")
    mf("run", "--once", "--quiet", "--to", SPLIT, "--data-dir", str(d))
    summary = json.loads(mf("train", "--json", "--data-dir", str(d)).stdout)
    return d, summary


def registry(d):
    with sqlite3.connect(d / "models.db") as db:
        return db.execute("SELECT city_name, variable, version, model, describe, fitted, metrics, observations "
                          "FROM model_versions").fetchall()


def test_train_registers_one_model_per_city_and_variable(trained):
    d, summary = trained
    assert summary["state"] == "success", summary
    assert summary["series"] == 37 * 6
    assert summary["trained"] + summary["too_short"] + summary["train_failed"] == summary["series"]
    assert summary["trained"] >= 200 and summary["train_failed"] == 0
    assert summary["new_versions"] == summary["trained"]
    assert sum(summary["chosen"].values()) == summary["trained"]
    rows = registry(d)
    assert len(rows) == summary["trained"]
    assert {r[1] for r in rows} == VARIABLES
    candidates = {"naive", "drift", "arima", "sarima", "auto", "xgb"}
    for city, variable, version, model, describe, fitted, metrics, observations in rows:
        assert version == 1 and model in candidates
        metrics = json.loads(metrics)
        assert {m["model"] for m in metrics} == candidates
        best = min((m for m in metrics if m["scored"] > 0), key=lambda m: m["rmse"])
        assert best["rmse"] == next(m for m in metrics if m["model"] == model)["rmse"]
        assert json.loads(fitted)["describe"] == describe
        assert observations >= 24


def test_predictions_come_from_the_registry(trained):
    d, summary = trained
    assert summary["from_registry"] == summary["trained"] and summary["fallbacks"] == 0
    chosen = {(c, v): describe for c, v, _, _, describe, *_ in registry(d)}
    with sqlite3.connect(d / "store.db") as db:
        made = set(db.execute("SELECT city_name, variable, model FROM predictions").fetchall())
    # Each pair's registered model has predicted it (the weather run before training used naive-last).
    assert all((c, v, describe) in made for (c, v), describe in chosen.items())


def test_later_data_scores_the_registry_predictions(trained):
    d, _ = trained
    out = json.loads(mf("run", "--once", "--json", "--from", SPLIT, "--data-dir", str(d)).stdout)
    assert out["state"] == "success" and out["scored"] > 0
    models = {describe for *_, describe, _, _, _ in registry(d)}
    with sqlite3.connect(d / "store.db") as db:
        scored = db.execute("SELECT model, predicted, actual FROM prediction_errors").fetchall()
    from_registry = [r for r in scored if r[0] in models]
    assert len(from_registry) > 100
    assert all(isinstance(p, float) and isinstance(a, float) for _, p, a in from_registry)


def test_retraining_unchanged_data_adds_no_versions(tmp_path):
    mf("run", "--once", "--quiet", "--to", SPLIT, "--data-dir", str(tmp_path))
    date = "2024-12-05T12:00:00Z"
    first = json.loads(mf("train", "--json", "--date", date, "--data-dir", str(tmp_path)).stdout)
    again = json.loads(mf("train", "--json", "--date", date, "--data-dir", str(tmp_path)).stdout)
    assert first["new_versions"] == first["trained"] > 0
    assert again["new_versions"] == 0 and again["trained"] == first["trained"]


def test_train_errors_are_clear(tmp_path):
    empty = mf("train", "--data-dir", str(tmp_path / "empty"), check=False)
    assert empty.returncode == 2 and "no observations" in empty.stderr
    bad_date = mf("train", "--date", "tomorrow", "--data-dir", str(tmp_path / "empty"), check=False)
    assert bad_date.returncode == 2 and "tomorrow" in bad_date.stderr
    config = tmp_path / "bad.yaml"
    base = (ROOT / "config" / "meteoflow.yaml").read_text()
    config.write_text(base.replace("candidates: [naive, drift, arima, sarima, auto, xgb]",
                                   "candidates: [naive, prophet]").replace("../data/", str(ROOT / "data") + "/"))
    bad = mf("train", "--config", str(config), "--data-dir", str(tmp_path / "x"), check=False)
    assert bad.returncode == 2 and "forecast.candidates[1]" in bad.stderr


def test_model_fit_xgb_and_many_series_in_one_process(tmp_path):
    path = tmp_path / "long.csv"
    lines = ["city,t,v"]
    for city, slope in (("a", 0.5), ("b", -0.25)):
        lines += [f"{city},{i:04d},{10 + slope * i + (i % 3) * 0.1}" for i in range(60)]
    lines += [f"short,{i:04d},{i}" for i in range(5)]
    path.write_text("\n".join(lines) + "\n")
    out = mf("model", "fit", "--csv", str(path), "--time-column", "t", "--value-column", "v", "--by", "city",
             "--model", "xgb", "--horizon", "2", "--json", check=False)
    assert out.returncode == 2 and "1 of 3 series could not be fitted" in out.stderr
    fits = [json.loads(line) for line in out.stdout.splitlines()]
    assert [f["series"] for f in fits] == ["a", "b", "short"]
    assert fits[0]["model"] == "boosted lags(6)" and fits[0]["loglik"] is None and fits[0]["nobs"] == 53
    assert len(fits[0]["forecast"]["mean"]) == 2
    assert "too few" in fits[2]["error"]
    arima = mf("model", "fit", "--csv", str(path), "--time-column", "t", "--value-column", "v", "--by", "city",
               "--json", check=False)
    # The repeating pattern puts the MA estimate at the invertibility edge: the order is refused
    # for ARIMA(1,1,0), and the output says what was asked for.
    fits = [json.loads(line) for line in arima.stdout.splitlines()]
    assert [f.get("requested", f.get("model")) for f in fits] == ["ARIMA(1,1,1)"] * 2 + [None]
    assert [f.get("model") for f in fits] == ["ARIMA(1,1,0)"] * 2 + [None]
    text = mf("model", "fit", "--csv", str(path), "--time-column", "t", "--value-column", "v", "--by", "city",
              check=False).stdout
    assert "ARIMA(1,1,1) was asked for: its MA estimate sat at the invertibility edge" in text


def test_model_evaluate_on_the_store_and_on_a_series_whose_best_model_is_known(trained, tmp_path):
    d, _ = trained
    report = json.loads(mf("model", "evaluate", "--data-dir", str(d), "--horizons", "1,6", "--origins", "2",
                           "--json").stdout)
    assert report["series"] == 37 * 6 and set(report["variables"]) == VARIABLES
    rows = report["rows"]
    assert {r["horizon"] for r in rows} == {1, 6}
    assert {r["model"] for r in rows} == {"selection", "naive", "drift", "arima", "sarima", "auto", "xgb"}
    for r in rows:
        if r["model"] == "naive" and r["skill"] is not None:
            assert abs(r["skill"]) < 1e-9, r  # naive is persistence
    for variable, v in report["variables"].items():
        assert sum(v["chosen"].values()) == v["origins"] > 0, variable
    # A line with a little noise: drift is the best model, and the rule finds it.
    path = tmp_path / "line.csv"
    path.write_text("t,v\n" + "".join(f"{i:04d},{0.5 * i + (0.1 if i % 2 else -0.1)}\n" for i in range(200)))
    line = json.loads(mf("model", "evaluate", "--csv", str(path), "--time-column", "t", "--value-column", "v",
                         "--candidates", "naive,drift", "--horizons", "1,12", "--json").stdout)
    assert line["variables"]["v"]["chosen"] == {"drift": 5}
    by = {(r["model"], r["horizon"]): r for r in line["rows"]}
    assert by[("selection", 12)]["skill"] > 0.9 and by[("naive", 12)]["skill"] == 0
    text = mf("model", "evaluate", "--csv", str(path), "--time-column", "t", "--value-column", "v",
              "--candidates", "naive,drift").stdout
    assert "the rule chose drift 5x" in text and "skill" in text
    guarded = json.loads(mf("model", "evaluate", "--csv", str(path), "--time-column", "t", "--value-column", "v",
                            "--candidates", "naive,drift", "--persistence-margin", "0.5", "--json").stdout)
    assert guarded["variables"]["v"]["chosen"] == {"drift": 5}  # beats persistence by far more than 2x
    for args, message in [(["--horizons", "0"], "--horizons '0'"), (["--candidates", "prophet"], "prophet"),
                          (["--persistence-margin", "2"], "--persistence-margin"),
                          (["--data-dir", str(d)], "not both")]:
        bad = mf("model", "evaluate", "--csv", str(path), "--time-column", "t", "--value-column", "v", *args,
                 check=False)
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr
    nothing = mf("model", "evaluate", "--data-dir", str(tmp_path / "no-such-dir"), check=False)
    assert nothing.returncode == 1 and "no store at" in nothing.stderr and "run the pipeline first" in nothing.stderr
    short = tmp_path / "short.csv"
    short.write_text("t,v\n" + "".join(f"{i:04d},{i}\n" for i in range(20)))
    too_short = mf("model", "evaluate", "--csv", str(short), "--time-column", "t", "--value-column", "v", check=False)
    assert too_short.returncode == 2 and "too short" in too_short.stderr


def test_the_weather_services_forecast_as_a_predictor(tmp_path):
    """A forecast column 2 units too high with noise of its own: nwp-arima learns the bias away."""
    import math
    import random
    rng = random.Random(5)
    rows, wander = [], 0.0
    for t in range(600):
        wander = 0.8 * wander + rng.gauss(0, 0.3)
        truth = 15 + 5 * math.sin(2 * math.pi * t / 144) + wander
        rows.append((f"{t:05d}", truth, truth + 2 + rng.gauss(0, 0.5)))
    path = tmp_path / "nwp.csv"
    path.write_text("t,v,nwp\n" + "".join(f"{t},{v!r},{x!r}\n" for t, v, x in rows))
    report = json.loads(mf("model", "evaluate", "--csv", str(path), "--time-column", "t", "--value-column", "v",
                           "--exog", "nwp", "--horizons", "1,6,24", "--json").stdout)
    by = {(r["model"], r["horizon"]): r for r in report["rows"]}
    assert {"nwp", "nwp-arima", "naive", "arima"} <= {m for m, _ in by}
    for h in (1, 6, 24):
        raw, corrected = by[("nwp", h)], by[("nwp-arima", h)]
        assert abs(raw["bias"] + 2) < 0.4 and abs(corrected["bias"]) < 0.4, (raw, corrected)
        assert corrected["rmse"] < raw["rmse"], (raw, corrected)
    scores = json.loads(mf("model", "backtest", "--csv", str(path), "--time-column", "t", "--value-column", "v",
                           "--exog", "nwp", "--horizon", "24", "--json").stdout)
    rmse = {s["model"]: s["rmse"] for s in scores}
    assert rmse["nwp-arima"] < rmse["nwp"] and rmse["nwp-arima"] < rmse["naive"], rmse
    # model fit: the regression's estimates, forecasting the rows that have only the forecast.
    fit_path = tmp_path / "fit.csv"
    fit_path.write_text("t,v,nwp\n" + "".join(f"{t},{v!r},{x!r}\n" for t, v, x in rows[:-3])
                        + "".join(f"{t},,{x!r}\n" for t, _, x in rows[-3:]))
    fit = json.loads(mf("model", "fit", "--csv", str(fit_path), "--time-column", "t", "--value-column", "v",
                        "--model", "nwp-arima", "--exog", "nwp", "--json").stdout)
    assert abs(fit["params"]["nwp"] - 1) < 0.2 and len(fit["forecast"]["mean"]) == 3
    missing = mf("model", "fit", "--csv", str(fit_path), "--time-column", "t", "--value-column", "v",
                 "--model", "nwp", check=False)
    assert missing.returncode == 2 and "--exog" in missing.stderr
