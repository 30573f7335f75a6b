"""Batches: experiment schema, local pool vs Dask, failures, killed workers, resume, analysis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from zonesim.batch import ExperimentError, compare, discover, load, load_experiment, run, sensitivity
from zonesim.batch.design import expand
from zonesim.batch.store import Store

ROOT = Path(__file__).resolve().parents[1]
ZONESIM = str(Path(sys.executable).parent / "zonesim")

# Zibo: a carbon price of 50-100 CNY/t moves its CO2 within two years (Tangshan's does not:
# its coal stays cheaper than Hebei gas and its firms barely take up efficiency at the fitted
# take-up, so the lever comparison would compare equal numbers)
SMALL = f"""
name: tiny
description: two mixes, two sampled inputs, two seeds; one city (Zibo), two years
base: {ROOT / "scenarios/baseline.yaml"}
settings:
  selection: {{zones: [Z06], include_associated: false}}
  horizon: {{start_year: 2020, end_year: 2022}}
  planner: {{n_days: 2, mode: rolling}}
  firms: {{n_firms: 200}}
mixes:
  baseline: {{scenario: {ROOT / "scenarios/baseline.yaml"}}}
  carbon_price: {{scenario: {ROOT / "scenarios/carbon_price.yaml"}}}
uncertain:
  aeei: {{target: agent.aeei_pct, dist: uniform, bounds: [0.4, 1.5]}}
  pv_capex: {{target: tech.solar.capex_power, dist: uniform, bounds: [0.7, 1.3]}}
design: {{method: monte_carlo, samples: 2, seed: 3}}
replications: 2
outputs:
  tables: [pathways, plans]
"""


@pytest.fixture(scope="module")
def experiment(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "tiny.yaml"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def reference(experiment, tmp_path_factory) -> Path:
    """The tiny experiment run on the local process pool, uninterrupted."""
    out = tmp_path_factory.mktemp("ref") / "store"
    summary = run(experiment, out, workers=2, progress=False)
    assert (summary.total, summary.done, summary.failed) == (8, 8, 0)
    return out


def _tables(store: Path) -> dict[str, pd.DataFrame]:
    data = load(store)
    out = {"metrics": data.metrics, "pathways": data.pathways, "plans": data.plans}
    return {k: v.sort_values(list(v.columns[:8])).reset_index(drop=True) for k, v in out.items()}


def _assert_same(a: Path, b: Path) -> None:
    ta, tb = _tables(a), _tables(b)
    for name in ta:
        assert len(ta[name]) > 0, name
        pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True, obj=name)


# ------------------------------------------------------------------ experiments
def test_experiment_error_names_file_line_field_value_and_allowed(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("replications: 2", "replications: 0"))
    with pytest.raises(ExperimentError) as err:
        load_experiment(bad)
    msg = str(err.value)
    assert str(bad) in msg and "line 17" in msg and "'replications'" in msg and "0" in msg

    bad.write_text(SMALL.replace("method: monte_carlo", "method: latin"))
    msg = str(pytest.raises(ExperimentError, load_experiment, bad).value)
    assert "design.method" in msg and "'latin'" in msg and "sobol" in msg and "line 16" in msg

    bad.write_text(SMALL.replace("agent.aeei_pct", "agent.aeei"))
    msg = str(pytest.raises(ExperimentError, load_experiment, bad).value)
    assert "uncertain.aeei.target" in msg and "'agent.aeei'" in msg and "aeei_pct" in msg and "line 14" in msg

    bad.write_text(SMALL.replace("replications: 2", "replication: 2"))
    msg = str(pytest.raises(ExperimentError, load_experiment, bad).value)
    assert "unknown field" in msg and "replications" in msg

    bad.write_text(SMALL.replace("tech.solar.capex_power", "tech.solar.capex"))
    msg = str(pytest.raises(ExperimentError, load_experiment, bad).value)
    assert "solar.capex_power" in msg and "line 15" in msg


def test_scenario_override_is_checked_against_the_scenario_schema(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = SMALL + "grid:\n  levers.carbon_price.path.2021: [100.0, -5.0]\n"
    bad.write_text(text)
    msg = str(pytest.raises(ExperimentError, load_experiment, bad).value)
    assert "grid.levers.carbon_price.path.2021" in msg and "-5.0" in msg and "line 21" in msg


def test_shipped_experiments_validate_and_expand():
    lc = load_experiment(ROOT / "experiments/lever_comparison.yaml")
    specs = expand(lc)
    assert len(specs) == 11 * lc.replications
    assert {s.mix for s in specs} >= {"baseline", "combined", "carbon_price"}
    sens = load_experiment(ROOT / "experiments/sensitivity.yaml")
    assert sens.design.method == "sobol"
    assert len(expand(sens)) == sens.design.samples * (len(sens.uncertain) + 2)
    assert len(expand(load_experiment(ROOT / "experiments/screening.yaml"))) == 10 * 4


# ------------------------------------------------------------- execution, store
def test_store_manifest_and_resume(reference, experiment):
    m = Store(reference).manifest()
    assert (m["status"] == "done").all() and m["run_id"].is_unique
    for col in ("seed", "scenario_hash", "data_version", "code_version", "wall_s", "p:aeei", "p:pv_capex"):
        assert m[col].notna().all(), col
    assert (
        m["data_version"].str.contains("+tech:", regex=False).all()
    )  # solar costs sampled: a modified data copy
    again = run(experiment, reference, workers=2, progress=False)
    assert (again.skipped, again.done, again.failed) == (8, 0, 0)


def test_dask_local_cluster_gives_identical_results(reference, experiment, tmp_path):
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        summary = run(experiment, tmp_path / "dask", scheduler=client, progress=False)
        workers = set(Store(tmp_path / "dask").manifest()["worker"])
    assert (summary.done, summary.failed) == (8, 0)
    assert len(workers) == 2  # both Dask workers ran
    _assert_same(reference, tmp_path / "dask")


def test_a_failing_run_is_recorded_and_the_batch_goes_on(experiment, reference, tmp_path, monkeypatch):
    out = tmp_path / "store"
    monkeypatch.setenv("ZONESIM_BATCH_FAIL", "carbon_price")
    first = run(experiment, out, workers=2, progress=False)
    assert (first.done, first.failed) == (4, 4)
    m = Store(out).manifest()
    failed = m[m["status"] == "failed"]
    assert set(failed["mix"]) == {"carbon_price"}
    assert failed["error"].str.contains("injected failure").all()
    monkeypatch.delenv("ZONESIM_BATCH_FAIL")
    second = run(experiment, out, workers=2, progress=False)
    assert (second.skipped, second.done, second.failed) == (4, 4, 0)
    _assert_same(reference, out)


def test_killed_worker_loses_nothing_and_rerun_completes(experiment, reference, tmp_path):
    import psutil

    out = tmp_path / "store"
    cmd = [ZONESIM, "batch", str(experiment), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = out / "manifest.jsonl"
    deadline = time.time() + 90
    while time.time() < deadline and not (log.exists() and log.read_text().count('"done"') >= 1):
        time.sleep(0.05)
    assert log.exists(), proc.communicate()
    # pool workers only: not multiprocessing's resource tracker or other helpers
    children = [
        c
        for c in psutil.Process(proc.pid).children()
        if not any("resource_tracker" in part or "semaphore_tracker" in part for part in c.cmdline())
    ]
    assert children, "no worker processes found"
    for child in children:  # both workers are busy with the 7 runs left: runs in flight die
        os.kill(child.pid, signal.SIGKILL)
    proc.communicate(timeout=120)
    assert proc.returncode == 1  # not complete: the command says so

    m = Store(out).manifest()
    done, failed = m[m["status"] == "done"], m[m["status"] == "failed"]
    pending = m[m["status"] == "pending"]
    # the runs the kill interrupted are visible: failed with the worker's death, or still
    # pending when the pool broke before they started
    assert len(failed) + len(pending) >= 1
    assert failed["error"].str.contains("worker").all()
    assert len(done) + len(failed) + len(pending) == 8
    # every finished run is intact and equal to the uninterrupted batch
    ref = _tables(reference)["metrics"].set_index(["run_id", "level", "region"])
    got = load(out).metrics.set_index(["run_id", "level", "region"])
    assert set(got.index.get_level_values(0)) == set(done["run_id"])
    pd.testing.assert_frame_equal(
        got.sort_index(), ref.loc[got.index].sort_index()[got.columns], check_exact=True
    )

    status = subprocess.run(
        [ZONESIM, "batch", "status", str(out)], capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0 and "failed" in status.stdout and "rerun" in status.stdout
    assert f"{len(failed)} failed, {len(pending)} pending" in status.stdout

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"{len(done)} already done" in rerun.stdout
    assert (Store(out).manifest()["status"] == "done").all()
    _assert_same(reference, out)
    assert json.loads((out / "experiment.json").read_text())["runs"] == 8


# ---------------------------------------------------------------------- analysis
def test_lever_comparison_table(reference):
    data = load(reference)
    table = compare(data, level="zone")
    assert set(table["mix"]) == {"baseline", "carbon_price"}
    row = table[table["mix"] == "carbon_price"].iloc[0]
    assert row["n"] == 4 and 0 <= row["met_share"] <= 1
    for col in ("gap_pp_mean", "gap_pp_sd", "cost_cum_bn_p05", "co2_cum_t_p95", "coal_end_tce_mean"):
        assert col in table
    base = table.set_index("mix").loc["baseline"]
    assert row["co2_cum_t_mean"] < base["co2_cum_t_mean"]  # a carbon price lowers CO2
    city = compare(data, level="city")
    assert set(city["region"]) == {"zibo"} and "zone_id" in city


def test_sobol_and_morris_indices_and_prim(tmp_path):
    """Analysis on a synthetic store (no simulation): known indices and a known PRIM box."""
    import numpy as np
    from zonesim.batch.analysis import BatchData
    from zonesim.batch.design import unit_sample
    from zonesim.batch.experiment import Experiment

    def fake(method: str, samples: int) -> BatchData:
        exp = Experiment.model_validate(
            {
                "name": "synthetic",
                "base": "baseline.yaml",
                "uncertain": {
                    "a": {"target": "agent.aeei_pct", "dist": "uniform", "bounds": [0, 1]},
                    "b": {"target": "agent.entry_rate", "dist": "uniform", "bounds": [0, 1]},
                },
                "design": {"method": method, "samples": samples, "seed": 1},
            }
        )
        x = unit_sample(exp)
        y = 4 * x[:, 0] + 0.1 * x[:, 1]
        n = len(x)
        man = pd.DataFrame(
            {
                "run_id": [f"r{i}" for i in range(n)],
                "mix": "m",
                "cell": 0,
                "point": range(n),
                "replication": 0,
                "seed": 1,
                "status": "done",
                "p:a": x[:, 0],
                "p:b": x[:, 1],
            }
        )
        met = pd.DataFrame(
            {
                "run_id": man["run_id"],
                "level": "all",
                "region": "all",
                "gap_pp": y,
                "co2_cum_t": y,
                "cost_cum_bn": y,
                "met": (x[:, 0] < 0.5).astype(float),
            }
        )
        metrics = man.drop(columns="status").merge(met, on="run_id")
        return BatchData(path=tmp_path, experiment=exp, manifest=man, metrics=metrics)

    s = sensitivity(fake("sobol", 256))
    s = s[s["output"] == "gap_pp"].set_index("input")
    assert s.loc["a", "ST"] > 0.9 and s.loc["b", "ST"] < 0.05
    mo = sensitivity(fake("morris", 20))
    mo = mo[mo["output"] == "gap_pp"].set_index("input")
    assert np.isclose(mo.loc["a", "mu_star"], 4.0) and mo.loc["b", "mu_star"] < 0.2

    res = discover(fake("monte_carlo", 400), share=1.0, density=0.9)
    box = res["box"]
    assert list(box.index) == ["p:a"] and box.loc["p:a", "max"] <= 0.52
    assert res["stats"]["density"] >= 0.9


def test_discover_takes_any_outcome_and_threshold(tmp_path):
    """EMA-style scenario discovery: the user picks the outcome and the threshold of success."""
    import numpy as np
    from zonesim.batch.analysis import BatchData, success
    from zonesim.batch.design import unit_sample
    from zonesim.batch.experiment import Experiment

    exp = Experiment.model_validate(
        {
            "name": "synthetic",
            "base": "baseline.yaml",
            "uncertain": {
                "a": {"target": "agent.aeei_pct", "dist": "uniform", "bounds": [0, 1]},
                "b": {"target": "agent.entry_rate", "dist": "uniform", "bounds": [0, 1]},
            },
            "design": {"method": "monte_carlo", "samples": 400, "seed": 1},
        }
    )
    x = unit_sample(exp)
    man = pd.DataFrame(
        {
            "run_id": [f"r{i}" for i in range(len(x))],
            "mix": "m",
            "cell": 0,
            "point": range(len(x)),
            "replication": 0,
            "seed": 1,
            "status": "done",
            "p:a": x[:, 0],
            "p:b": x[:, 1],
        }
    )
    co2 = 4 * x[:, 0] + 0.1 * x[:, 1]  # succeeds (<= 1) roughly where a <= 0.24
    metrics = man.drop(columns="status").assign(level="all", region="all", co2_cum_t=co2, met=1.0)
    data = BatchData(path=tmp_path, experiment=exp, manifest=man, metrics=metrics)
    pts = success(data, "all", outcome="co2_cum_t", threshold=1.0, op="<=")
    np.testing.assert_array_equal(pts["success_share"].to_numpy(), (co2 <= 1.0).astype(float))
    res = discover(data, outcome="co2_cum_t", threshold=1.0, op="<=", share=1.0, density=0.9)
    assert list(res["box"].index) == ["p:a"] and res["box"].loc["p:a", "max"] <= 0.27
    assert "co2_cum_t <= 1" in res["message"]
    high = discover(data, outcome="co2_cum_t", threshold=3.0, op=">=", share=1.0, density=0.9)
    assert high["box"].loc["p:a", "min"] >= 0.7
    with pytest.raises(ValueError, match="needs a threshold"):
        discover(data, outcome="co2_cum_t")
    with pytest.raises(ValueError, match="unknown outcome"):
        discover(data, outcome="co2_typo", threshold=1.0)


def test_shipped_screening_outputs_have_nonzero_effects(tmp_path):
    """The screening experiment as shipped (two Morris trajectories instead of ten): every output
    it names for the indices moves, so its Morris indices are not all zero."""
    import yaml

    spec = yaml.safe_load((ROOT / "experiments/screening.yaml").read_text())
    spec["base"] = str(ROOT / "scenarios/baseline.yaml")
    spec["design"]["samples"] = 2
    spec["settings"]["horizon"] = {"start_year": 2020, "end_year": 2022}
    exp = tmp_path / "screening.yaml"
    exp.write_text(yaml.safe_dump(spec))
    summary = run(exp, tmp_path / "store", workers=2, progress=False)
    assert summary.failed == 0
    idx = sensitivity(load(tmp_path / "store", tables=()))
    assert set(idx["output"]) == set(spec["outputs"]["sensitivity"])
    top = idx.groupby("output")["mu_star"].max()
    assert (top > 0).all(), top
