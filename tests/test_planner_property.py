"""Properties of the planner on randomised small cities (hypothesis).

* Tightening a cap never lowers the cost (the feasible set only shrinks).
* Slack appears only when the cap is below what is reachable, and then equals the gap.
* Energy is conserved in every hour; the cost items add up to the objective.
* A re-solve after a parameter change equals a fresh build.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zonesim.planner.examples import toy_input
from zonesim.planner.solve import Planner

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def base_input(demand_scale: float, carbon: float):
    inp = toy_input(n_days=2, n_years=1)
    out = inp.outlook
    return replace(
        inp,
        outlook=replace(out, electricity_twh=tuple(v * demand_scale for v in out.electricity_twh)),
        policy=replace(inp.policy, carbon_price=(carbon,), energy_cap_mtce=(1e4,)),
    )


def with_cap(inp, cap: float):
    return replace(inp, policy=replace(inp.policy, energy_cap_mtce=(cap,)))


@pytest.fixture(scope="module")
def reachable():
    """Lowest counted total energy of the toy city (cap 0: the penalty dominates)."""
    inp = base_input(1.0, 50.0)
    res = Planner(with_cap(inp, 0.0)).solve()
    t = res.targets.query("target == 'energy_total'").iloc[0]
    return inp, float(t["value"])


@SETTINGS
@given(a=st.floats(0.0, 1.0), b=st.floats(0.0, 1.0))
def test_tightening_a_cap_never_lowers_cost(reachable, a, b):
    inp, e_min = reachable
    lo, hi = sorted((a, b))
    span = 8.0
    tight, loose = e_min - 1.0 + lo * span, e_min - 1.0 + hi * span
    p = Planner(with_cap(inp, loose))
    cost_loose = p.solve().objective
    p.update(with_cap(inp, tight))
    cost_tight = p.solve().objective
    assert cost_tight >= cost_loose - 1e-7 * abs(cost_loose)


@SETTINGS
@given(x=st.floats(-2.0, 6.0))
def test_slack_only_when_cap_unreachable(reachable, x):
    inp, e_min = reachable
    cap = e_min + x
    res = Planner(with_cap(inp, cap)).solve()
    slack = res.targets.query("target == 'energy_total'")["slack"].iloc[0]
    if x >= 1e-6:
        assert slack == pytest.approx(0.0, abs=1e-7)
    else:
        assert slack == pytest.approx(max(-x, 0.0), rel=1e-5, abs=1e-6)


@SETTINGS
@given(scale=st.floats(0.6, 1.4), carbon=st.floats(0.0, 300.0))
def test_conservation_and_cost_identity(scale, carbon):
    inp = base_input(scale, carbon)
    res = Planner(inp).solve()
    assert res.ok
    assert res.cost["bn_cny_pv"].sum() == pytest.approx(res.objective, rel=1e-7)
    h = res.hourly
    net = sum(v for k, v in h.items() if k.startswith(("gen:", "discharge:")))
    net = net - sum(v for k, v in h.items() if k.startswith("charge:"))
    net = net + h["import"] - h["export"] + h["shed"] - h["spill"]
    el = res.programmes.query("programme.str.endswith('electrification')")["level_mtce"].sum()
    demand = inp.outlook.electricity_twh[0] + inp.params.electrification_twh_per_mtce * el
    np.testing.assert_allclose(net[0], demand * 1e3 / 8760 * inp.days.load_pu, rtol=1e-6, atol=1e-6)


@SETTINGS
@given(carbon=st.floats(0.0, 500.0), cap_shift=st.floats(-1.0, 3.0))
def test_resolve_equals_fresh_build(reachable, carbon, cap_shift):
    inp, e_min = reachable
    p = Planner(inp)
    p.solve()
    new = with_cap(replace(inp, policy=replace(inp.policy, carbon_price=(carbon,))), e_min + cap_shift)
    assert not p.update(new)
    warm = p.solve().objective
    fresh = Planner(new).solve().objective
    assert warm == pytest.approx(fresh, rel=1e-6)
