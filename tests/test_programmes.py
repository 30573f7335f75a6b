"""Public efficiency programmes: whole packages to the largest fossil users, the rest stay open."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zonesim.agents.firms import FOSSIL, FirmPopulation
from zonesim.year.build import _package_takers


def population(fossil: list[float]) -> FirmPopulation:
    n = len(fossil)
    intensity = np.zeros((n, 5))
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
        propensity=np.linspace(0, 1, n, endpoint=False),
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30),
    st.floats(0.01, 0.5),
    st.floats(0.0, 1.0),
)
def test_a_programme_saves_what_was_planned_and_leaves_the_others_open(fossil, share, reach):
    f = population(fossil)
    pool = share * float(np.sum(fossil))
    tce = reach * pool
    mask = np.ones(len(fossil), dtype=bool)
    saved = f.retrofit(*_package_takers(f, mask, share, tce), 2021)
    assert saved == pytest.approx(min(tce, pool), rel=1e-9, abs=1e-6)
    # whole packages except at most one firm; the untouched firms are still open
    s = _package_takers(population(fossil), mask, share, tce)[1]
    assert np.sum((s > 0) & (s < share - 1e-12)) <= 1
    if reach < 0.5 and len(fossil) > 2 and min(fossil) > 0:
        assert not f.retrofitted.all()


def test_the_largest_fossil_users_take_the_package_first():
    f = population([1.0, 10.0, 5.0])
    take, saving = _package_takers(f, np.ones(3, dtype=bool), 0.1, 1.0)
    assert list(take) == [False, True, False] and saving[1] == pytest.approx(0.1)
