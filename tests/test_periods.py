"""Five-year periods: the 2021-2025 numbers do not depend on the horizon; both periods reported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from zonesim.periods import period_of, periods
from zonesim.runner import run
from zonesim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SMALL = {
    "selection": {"zones": ["Z04", "Z12"], "include_associated": False},
    "firms": {"n_firms": 300},
    "planner": {"n_days": 2, "mode": "rolling"},
}


@pytest.fixture(scope="module")
def runs(base):
    out = {}
    for end in (2025, 2030):
        sc = load_scenario(
            SCENARIOS / "baseline.yaml", horizon={"start_year": 2020, "end_year": end}, **SMALL
        )
        out[end] = run(sc, base=base)
    return out


def test_periods_come_from_the_data(base):
    ps = periods(base)
    assert [(p.name, p.base_year, p.target_year) for p in ps] == [
        ("2021-2025", 2020, 2025),
        ("2026-2030", 2025, 2030),
    ]
    assert period_of(ps, 2025).name == "2021-2025" and period_of(ps, 2026).name == "2026-2030"


def test_2021_2025_identical_whatever_the_horizon(runs):
    a = runs[2025].pathways
    b = runs[2030].pathways
    b = b[b["year"] <= 2025][a.columns]
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


def test_both_periods_reported_with_their_own_base(runs):
    r = runs[2030]
    p = r.pathways.set_index(["city_id", "year"])
    # 2026-2030 measures CO2 intensity against 2025
    for cid in r.pathways["city_id"].unique():
        c25, c30 = p.loc[(cid, 2025)], p.loc[(cid, 2030)]
        expect = 100 * (c30["co2_intensity_t_per_10k"] / c25["co2_intensity_t_per_10k"] - 1)
        assert c30["co2_intensity_change_pct"] == pytest.approx(expect, rel=1e-9)
        assert c30["period"] == "2026-2030" and c25["period"] == "2021-2025"
        assert np.isnan(c30["intensity_target_pct"])  # no energy-intensity target after 2025
    s = r.periods()
    assert set(s["period"]) == {"2021-2025", "2026-2030"}
    co2_2030 = s[(s["period"] == "2026-2030") & (s["indicator"].str.startswith("CO2 intensity"))]
    assert (co2_2030["target"] == -17.0).all()
    assert (co2_2030["gap_pp"] == co2_2030["outcome"] - co2_2030["target"]).all()
    assert set(runs[2025].periods()["period"]) == {"2021-2025"}
