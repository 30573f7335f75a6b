"""The recent stage's joint fit (zonesim.calibration.recent): coordinate descent over the take-up
and AEEI finds the minimum of a known loss, reports intervals, bounds and identification."""

from __future__ import annotations

import types

import pandas as pd
import pytest
from zonesim.calibration import recent


def _fake_run(optimum: dict[str, float], calls: list[dict[str, float]]):
    """A stand-in for zonesim.runner.run whose loss is a known bowl around ``optimum``."""

    def run(scenario, base=None, agent_params=None, **kwargs):
        calls.append(dict(agent_params))
        return types.SimpleNamespace(pathways=dict(agent_params))

    def loss(pathways, base, years):
        x, a = pathways["retrofit_adoption_per_year"], pathways["aeei_pct"]
        # a mildly coupled quadratic with a floor of 1 pp^2
        dx, da = (x - optimum["retrofit_adoption_per_year"]) * 20, a - optimum["aeei_pct"]
        return 1.0 + dx**2 + da**2 + 0.3 * dx * da

    return run, loss


@pytest.mark.parametrize(
    "optimum",
    [
        {"retrofit_adoption_per_year": 0.06, "aeei_pct": 0.4},
        {"retrofit_adoption_per_year": 0.0, "aeei_pct": 1.7},
    ],
)
def test_coordinate_descent_finds_the_joint_minimum(base, monkeypatch, optimum):
    calls: list[dict[str, float]] = []
    run, loss = _fake_run(optimum, calls)
    monkeypatch.setattr("zonesim.runner.run", run)
    monkeypatch.setattr(recent, "loss", loss)
    out = recent.fit(base, {"entry_rate": 0.0}, progress=lambda s: None)
    assert set(out) == set(recent.PARAMETERS)
    for name, entry in out.items():
        assert entry["value"] == pytest.approx(optimum[name], abs=3 * recent.TOLERANCE[name])
        lo, hi = entry["ci95"]
        assert lo <= entry["value"] <= hi
        assert entry["identified"]
        assert entry["fit_years"] == [2021, 2022]
        assert "fitted jointly with" in entry["note"]
    # every run used the other overrides and stopped at the last fit year
    assert all(c["entry_rate"] == 0.0 for c in calls)
    at_bound = out["retrofit_adoption_per_year"]["note"]
    assert ("at a bound" in at_bound) == (optimum["retrofit_adoption_per_year"] == 0.0)


def test_a_flat_loss_is_not_identified(base, monkeypatch):
    monkeypatch.setattr("zonesim.runner.run", lambda *a, **k: types.SimpleNamespace(pathways=None))
    monkeypatch.setattr(recent, "loss", lambda p, b, y: 2.0)
    out = recent.fit(base, {}, progress=lambda s: None)
    assert not any(e["identified"] for e in out.values())


def test_the_fit_runs_stop_at_the_last_fit_year(base, monkeypatch):
    seen: list[dict] = []

    def run(scenario, base=None, agent_params=None, **kwargs):
        seen.append(kwargs)
        return types.SimpleNamespace(pathways=pd.DataFrame())

    monkeypatch.setattr("zonesim.runner.run", run)
    monkeypatch.setattr(recent, "loss", lambda p, b, y: 1.0)
    recent.fit(base, {}, progress=lambda s: None)
    assert seen and all(k["horizon"]["end_year"] == 2022 for k in seen)


def test_interchangeable_parameters_send_the_least_determined_back_to_its_prior(base, monkeypatch):
    """A loss that depends only on a combination of the two (a valley) cannot tell them apart:
    one goes back to its prior (agent_parameters.csv) and the other is refitted alone."""
    from zonesim.agents.params import AgentParams

    def run(scenario, base=None, agent_params=None, **kwargs):
        return types.SimpleNamespace(pathways=dict(agent_params))

    def loss(p, b, y):
        # only 10 x take-up + AEEI matters, best at 3 (reachable from either prior: 0.2 and 1.0)
        return 1.0 + (10 * p["retrofit_adoption_per_year"] + p["aeei_pct"] - 3.0) ** 2

    monkeypatch.setattr("zonesim.runner.run", run)
    monkeypatch.setattr(recent, "loss", loss)
    out = recent.fit(base, {}, progress=lambda s: None)
    prior = AgentParams.from_data(base, calibrated=False)
    back = [n for n, e in out.items() if not e["identified"]]
    assert len(back) == 1
    (name,) = back
    assert out[name]["value"] == pytest.approx(getattr(prior, name))
    (other,) = [n for n in out if n != name]
    assert out[other]["identified"]
    # the refitted one makes up for the other at its prior
    combo = 10 * (out["retrofit_adoption_per_year"]["value"]) + out["aeei_pct"]["value"]
    assert combo == pytest.approx(3.0, abs=0.1)
