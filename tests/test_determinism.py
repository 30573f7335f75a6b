"""Same inputs and seed give the same bytes, whatever the worker process ran before.

A batch worker keeps each city's LP template (:mod:`zonesim.planner.standard`) and the
base-year dispatch between runs. These tests run scenario A, then B, then A again in one
process (as one worker does) and compare A's output tables byte for byte; A starts with
empty caches, so its second run takes every path the first did not (template reused,
base year from the cache).
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from zonesim.batch import load_experiment
from zonesim.batch.design import expand
from zonesim.batch.execute import run_one
from zonesim.data import load
from zonesim.planner import city as planning
from zonesim.planner import standard
from zonesim.planner.adapter import baseline_outlook, default_policy, planner_input
from zonesim.planner.solve import Planner

ROOT = Path(__file__).resolve().parents[1]

EXPERIMENT = f"""
name: aba
description: two mixes and two sampled inputs; two zones, three years
base: {ROOT / "scenarios/baseline.yaml"}
settings:
  selection: {{zones: [Z01, Z04], include_associated: false}}
  horizon: {{start_year: 2020, end_year: 2023}}
  planner: {{n_days: 4, mode: rolling}}
  firms: {{n_firms: 400}}
mixes:
  baseline: {{scenario: {ROOT / "scenarios/baseline.yaml"}}}
  carbon_price: {{scenario: {ROOT / "scenarios/carbon_price.yaml"}}}
uncertain:
  aeei: {{target: agent.aeei_pct, dist: uniform, bounds: [0.4, 1.5]}}
  pv_capex: {{target: tech.solar.capex_power, dist: uniform, bounds: [0.6, 1.4]}}
design: {{method: monte_carlo, samples: 2, seed: 5}}
replications: 1
outputs:
  tables: [pathways, investments, plans, zones]
"""


def _bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=True)
    return buf.getvalue()


def _clear_worker_caches() -> None:
    standard._TEMPLATES.clear()
    planning._BASE_DISPATCH.clear()


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    path = tmp_path_factory.mktemp("aba") / "aba.yaml"
    path.write_text(EXPERIMENT)
    runs = expand(load_experiment(path))
    a = next(r for r in runs if r.mix == "baseline")
    b = next(r for r in runs if r.mix == "carbon_price" and r.tech_scale != a.tech_scale)
    return a, b


def test_a_b_a_in_one_worker_gives_identical_bytes(specs):
    a, b = specs
    _clear_worker_caches()
    first = run_one(a)
    templates = dict(standard._TEMPLATES)
    base_years = len(planning._BASE_DISPATCH)
    other = run_one(b)
    # B differs from A in technology costs only where the base year is concerned: its base
    # year is not solved again (the dispatch cache is keyed on the LP, which costs of
    # building do not enter when nothing can be built)
    assert len(planning._BASE_DISPATCH) == base_years
    again = run_one(a)
    assert (first.status, other.status, again.status) == ("done", "done", "done"), (
        first.error or other.error or again.error
    )
    # the second run of A reused what the first built: same templates, base year cached
    assert templates and all(standard._TEMPLATES.get(k) is t for k, t in templates.items())
    assert base_years > 0 and len(planning._BASE_DISPATCH) >= base_years
    assert set(first.tables) == {"metrics", "pathways", "investments", "plans", "zones"}
    for name, table in first.tables.items():
        assert len(table) > 0, name
        assert _bytes(table) == _bytes(again.tables[name]), f"{name}: A differs after B ran"
    # B is a different run (otherwise the test would prove nothing)
    assert _bytes(first.tables["pathways"]) != _bytes(other.tables["pathways"])


def test_planner_reset_equals_a_fresh_planner():
    """A reused model, reset, solves to the same bits as one loaded for the first time."""
    base = load()
    years = range(2021, 2023)

    def city(cid: str, n_days: int = 2):
        return planner_input(
            base,
            cid,
            years,
            baseline_outlook(base, cid, years),
            default_policy(base, cid, years),
            n_days=n_days,
        )

    a = city("baotou")
    b = replace(a, policy=replace(a.policy, carbon_price=(300.0, 300.0)))
    fresh = Planner(a)
    ref = fresh.solve()
    col_a = np.asarray(fresh.highs.getSolution().col_value).copy()
    p = Planner(a)
    p.update(b)
    assert not p.update(b)  # same structure: parameters only
    res_b = p.solve()
    assert res_b.objective != ref.objective
    p.update(a)
    p.reset()
    res_a = p.solve()
    assert np.asarray(p.highs.getSolution().col_value).tobytes() == col_a.tobytes()
    assert res_a.objective == ref.objective
    pd.testing.assert_frame_equal(res_a.capacity, ref.capacity, check_exact=True)


def test_batched_update_equals_pyomos_single_calls(monkeypatch):
    """Template.update (batch calls per kind) leaves HiGHS as Pyomo's one-by-one calls, in
    Pyomo's order, did: the same cold solve and warm re-solve, to the bit."""
    base = load()
    years = range(2021, 2022)
    outlook, policy = baseline_outlook(base, "tangshan", years), default_policy(base, "tangshan", years)
    a = planner_input(base, "tangshan", years, outlook, policy, 2)
    # b: another LP (a carbon price, another discount rate and 10 % more electricity demand; with
    # plants dispatched on their plans the price alone need not move Tangshan's first year)
    b = replace(
        a,
        policy=replace(a.policy, carbon_price=(150.0,)),
        params=replace(a.params, discount_rate=0.05),
        outlook=replace(a.outlook, electricity_twh=tuple(1.1 * e for e in a.outlook.electricity_twh)),
    )

    def solve_a_then_b(one_by_one: bool) -> list:
        out = []
        with monkeypatch.context() as mp:
            if one_by_one:
                mp.setattr(standard.Template, "update", standard.Template.update_one_by_one)
            p = Planner(a)
            for inp in (a, b):
                p.update(inp)
                res = p.solve()
                out.append((np.asarray(p.highs.getSolution().col_value).tobytes(), res.timings["iterations"]))
        return out

    batched, single = solve_a_then_b(False), solve_a_then_b(True)
    assert batched[1][0] != batched[0][0]  # b is another LP
    assert batched == single
