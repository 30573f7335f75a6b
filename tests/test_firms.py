"""Firm population: synthesis matches the base-year table; each verb on a hand-checkable case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zonesim.agents.firms import CARRIER_INDEX, ELEC, FirmPopulation, synthesize
from zonesim.data.schema import CARRIERS


def tiny(n: int = 3) -> FirmPopulation:
    """n firms of city 0, steel; output 1, coal intensity 2 tce/bn, electricity 10 MWh/bn."""
    intensity = np.zeros((n, len(CARRIERS)))
    intensity[:, CARRIER_INDEX["coal"]] = 2.0
    intensity[:, ELEC] = 10.0
    return FirmPopulation(
        city=np.zeros(n, int),
        sector=np.zeros(n, int),
        output=np.ones(n),
        intensity=intensity,
        vintage=np.full(n, 2000),
        hurdle=np.full(n, 0.1),
        finance_access=np.ones(n),
        backward=np.zeros(n, bool),
        retrofitted=np.zeros(n, bool),
        entrant=np.zeros(n, bool),
        alive=np.ones(n, bool),
        in_gdp=np.ones(n, bool),
        retire_year=np.zeros(n, int),
    )


def test_retire_removes_energy_and_counts_once():
    f = tiny()
    assert f.retire(np.array([True, False, False]), 2021) == 1
    assert f.retire(np.array([True, True, False]), 2022) == 1  # the first is already gone
    assert f.energy()[:, CARRIER_INDEX["coal"]].sum() == pytest.approx(2.0)
    assert list(f.retire_year) == [2021, 2022, 0]


def test_retrofit_cuts_fossil_only_once():
    f = tiny()
    saved = f.retrofit(np.array([True, True, False]), np.full(3, 0.25), 2021)
    assert saved == pytest.approx(2 * 2.0 * 0.25)
    assert f.intensity[0, CARRIER_INDEX["coal"]] == pytest.approx(1.5)
    assert f.intensity[0, ELEC] == pytest.approx(10.0)
    assert f.retrofit(np.ones(3, bool), np.full(3, 0.25), 2022) == pytest.approx(2.0 * 0.25)
    assert list(f.vintage) == [2021, 2021, 2022]


def test_electrify_moves_fossil_to_electricity():
    f = tiny(1)
    moved = f.electrify(np.ones(1, bool), np.full(1, 0.5), mwh_per_tce=4.0)
    assert moved == pytest.approx(1.0)
    assert f.intensity[0, CARRIER_INDEX["coal"]] == pytest.approx(1.0)
    assert f.intensity[0, ELEC] == pytest.approx(14.0)


def test_expand_grows_live_firms_only():
    f = tiny()
    f.retire(np.array([False, False, True]), 2021)
    f.expand(np.full(3, 0.1))
    assert list(f.output) == pytest.approx([1.1, 1.1, 1.0])


def _industry(values: dict[tuple[str, str], dict[str, float]]) -> pd.DataFrame:
    rows = [
        {"city_id": c, "sector": s, "variable": v, "value": x}
        for (c, s), d in values.items()
        for v, x in d.items()
    ]
    return pd.DataFrame(rows)


@settings(max_examples=30, deadline=None)
@given(
    n_firms=st.integers(5, 400),
    seed=st.integers(0, 2**32 - 1),
    va=st.floats(0.1, 1e3),
    coal=st.floats(0.0, 1e7),
)
def test_synthesis_reproduces_cell_totals_exactly(n_firms, seed, va, coal):
    table = {
        ("a", "steel"): {"value_added": va, "coal": coal, "electricity": 3e5, "oil": 0, "gas": 10, "heat": 0},
        ("a", "services"): {
            "value_added": 2 * va,
            "coal": 1e3,
            "electricity": 1e6,
            "oil": 5,
            "gas": 0,
            "heat": 1,
        },
        ("b", "residential"): {
            "value_added": 0.0,
            "coal": 50,
            "electricity": 2e5,
            "oil": 0,
            "gas": 3,
            "heat": 0,
        },
    }
    pop = synthesize(
        _industry(table),
        ["a", "b"],
        n_firms,
        np.random.default_rng(seed),
        size_sigma=1.2,
        intensity_sigma=0.3,
        hurdle_mean=0.15,
        hurdle_sigma=0.3,
        finance_min=0.5,
        vintage_range=(1990, 2020),
        elec_tce_per_mwh=0.1229,
        backward_share=0.2,
    )
    energy = pop.energy()
    for (city, sector), d in table.items():
        ci = ["a", "b"].index(city)
        from zonesim.agents.firms import SECTOR_INDEX

        m = (pop.city == ci) & (pop.sector == SECTOR_INDEX[sector])
        assert m.any()
        if d["value_added"] > 0:
            assert pop.output[m].sum() == pytest.approx(d["value_added"], rel=1e-9)
        else:
            assert not pop.in_gdp[m].any()
        for carrier in CARRIERS:
            got = energy[m, CARRIER_INDEX[carrier]].sum()
            assert got == pytest.approx(d[carrier], rel=1e-9, abs=1e-9)


def test_same_seed_same_population_other_seed_differs():
    table = _industry({("a", "steel"): {"value_added": 5.0, "coal": 1e6, "electricity": 1e5}})
    kw = dict(
        size_sigma=1.2,
        intensity_sigma=0.3,
        hurdle_mean=0.15,
        hurdle_sigma=0.3,
        finance_min=0.5,
        vintage_range=(1990, 2020),
        elec_tce_per_mwh=0.1229,
        backward_share=0.2,
    )
    a = synthesize(table, ["a"], 50, np.random.default_rng(1), **kw)
    b = synthesize(table, ["a"], 50, np.random.default_rng(1), **kw)
    c = synthesize(table, ["a"], 50, np.random.default_rng(2), **kw)
    assert np.array_equal(a.output, b.output) and np.array_equal(a.intensity, b.intensity)
    assert not np.array_equal(a.output, c.output)
