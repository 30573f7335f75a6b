"""Public efficiency programmes: a part of the package in every open firm alike; firms stay
open until their package is used up, and a firm's own retrofit takes only what remains."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zonesim.agents.firms import FOSSIL, FirmPopulation
from zonesim.data.schema import CARRIERS


def population(fossil: list[float]) -> FirmPopulation:
    n = len(fossil)
    intensity = np.zeros((n, len(CARRIERS)))
    intensity[:, FOSSIL[0]] = fossil
    return FirmPopulation(
        city=np.zeros(n, dtype=int),
        sector=np.zeros(n, dtype=int),
        output=np.ones(n),
        intensity=intensity,
        vintage=np.full(n, 2000),
        hurdle=np.full(n, 0.1),
        finance_access=np.ones(n),
        backward=np.zeros(n, dtype=bool),
        retrofitted=np.zeros(n, dtype=bool),
        entrant=np.zeros(n, dtype=bool),
        alive=np.ones(n, dtype=bool),
        in_gdp=np.ones(n, dtype=bool),
        retire_year=np.zeros(n, dtype=int),
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30),
    st.floats(0.01, 0.5),
    st.lists(st.floats(0.0, 0.2), min_size=1, max_size=8),
)
def test_programme_parts_add_up_to_the_package_and_never_beyond(fossil, share, parts):
    """Each year's part cuts every open firm alike by saving x share (the LP's carrier shares
    hold); the firms close only when the package is used up; the total cut never exceeds it."""
    f = population(fossil)
    mask = np.ones(len(fossil), dtype=bool)
    before = f.intensity[:, FOSSIL].sum(axis=1).copy()
    for k, part in enumerate(parts):
        left = share * (1.0 - f.package_used)
        now = f.intensity[:, FOSSIL].sum(axis=1).copy()
        saved = f.carry_out_package(mask, share, part * share, 2021 + k)
        expect = (now * np.minimum(part * share, left) * ~(f.retrofitted & (left <= 0))).sum()
        assert saved == pytest.approx(expect, rel=1e-9, abs=1e-6)
        assert np.all(f.package_used <= 1.0 + 1e-9)
        assert np.all(f.retrofitted == (f.package_used >= 1.0 - 1e-9))
    # the cut never exceeds the package (compounded parts of at most `share` in total)
    after = f.intensity[:, FOSSIL].sum(axis=1)
    assert np.all(after >= before * (1.0 - share) - 1e-9)


def test_a_firms_own_retrofit_takes_what_remains_of_its_package():
    f = population([10.0, 10.0])
    f.carry_out_package(np.array([True, True]), 0.1, 0.04, 2021)  # 40 % of the package
    assert not f.retrofitted.any() and f.package_used == pytest.approx([0.4, 0.4])
    f.retrofit(np.array([True, False]), 0.1 * (1.0 - f.package_used), 2022)
    assert f.intensity[0, FOSSIL[0]] == pytest.approx(10.0 * 0.96 * 0.94)
    assert f.retrofitted.tolist() == [True, False]
