"""Regression: the reference city's objective, model size and investment mix.

Values live in ``tests/planner_regression_values.py`` with a comment on every change.
Skipped when the data tables are not there.
"""

from __future__ import annotations

import pytest
from planner_regression_values import NEW_GW_ATOL, OBJECTIVE_RTOL, REFERENCE, VALUES


@pytest.fixture(scope="module")
def solved():
    from zonesim.data import load
    from zonesim.planner.adapter import baseline_outlook, default_policy, planner_input
    from zonesim.planner.solve import Planner

    city, years = REFERENCE["city_id"], REFERENCE["years"]
    base = load()
    inp = planner_input(
        base,
        city,
        years,
        baseline_outlook(base, city, years),
        default_policy(base, city, years),
        REFERENCE["n_days"],
    )
    p = Planner(inp)
    return p, p.solve()


def test_reference_counts(solved):
    p, _ = solved
    assert p.highs.getNumCol() == VALUES["n_vars"]
    assert p.highs.getNumRow() == VALUES["n_rows"]
    assert p.highs.getNumNz() == VALUES["n_nonzeros"]


def test_reference_objective(solved):
    _, res = solved
    assert res.ok
    assert res.objective == pytest.approx(VALUES["objective_bn_cny"], rel=OBJECTIVE_RTOL)


def test_reference_investment_mix(solved):
    _, res = solved
    new = res.capacity.groupby("tech")["new_gw"].sum()
    for tech, gw in VALUES["new_gw"].items():
        assert new.get(tech, 0.0) == pytest.approx(gw, abs=NEW_GW_ATOL), tech
