"""Five-year periods: the 2021-2025 numbers do not depend on the horizon; both periods reported."""

from __future__ import annotations

import shutil
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
    # 2026-2030 measures CO2 intensity (imported electricity included) against 2025
    incl = p["co2_incl_imports_t"] / p["gdp_bn"]
    for cid in r.pathways["city_id"].unique():
        c25, c30 = p.loc[(cid, 2025)], p.loc[(cid, 2030)]
        expect = 100 * (incl[(cid, 2030)] / incl[(cid, 2025)] - 1)
        assert c30["co2_intensity_change_pct"] == pytest.approx(expect, rel=1e-9)
        assert c30["period"] == "2026-2030" and c25["period"] == "2021-2025"
        assert np.isnan(c30["intensity_target_pct"])  # no energy-intensity target after 2025
    s = r.periods()
    assert set(s["period"]) == {"2021-2025", "2026-2030"}
    co2_2030 = s[(s["period"] == "2026-2030") & (s["indicator"].str.startswith("CO2 intensity"))]
    assert (co2_2030["target"] == -17.0).all()
    assert (co2_2030["gap_pp"] == co2_2030["outcome"] - co2_2030["target"]).all()
    assert set(runs[2025].periods()["period"]) == {"2021-2025"}


def test_lever_starting_after_the_horizon_is_an_error(tmp_path):
    from zonesim.scenario import ScenarioError

    shutil.copy(SCENARIOS / "baseline.yaml", tmp_path)
    f = tmp_path / "late.yaml"
    f.write_text(
        "extends: baseline.yaml\nname: late\nhorizon: {start_year: 2020, end_year: 2025}\n"
        "levers:\n  coal_reduction:\n    cut_pct_by_year: {2030: 20}\n"
        "    substitution_ratio: 1.0\n    start_year: 2027\n"
    )
    with pytest.raises(ScenarioError) as e:
        load_scenario(f)
    msg = str(e.value)
    assert "late.yaml" in msg and "start_year is 2027" in msg and "2021-2025" in msg


def test_target_year_beyond_the_horizon_is_announced_and_keeps_its_path(base):
    from zonesim.levers.coal_reduction import apply
    from zonesim.levers.rules import LeverContext, YearRules
    from zonesim.scenario import CoalReduction, LeverBeyondHorizon

    lever = {
        "coal_reduction": {
            "cut_pct_by_year": {2025: 10.0, 2030: 30.0},
            "substitution_ratio": 1.0,
            "start_year": 2021,
        }
    }
    with pytest.warns(LeverBeyondHorizon, match="cut_pct_by_year is 2030"):
        load_scenario(
            SCENARIOS / "baseline.yaml", horizon={"start_year": 2020, "end_year": 2025}, levers=lever
        )
    # the same lever means the same policy in 2025 whatever the horizon
    p = CoalReduction(cut_pct_by_year={2025: 10.0, 2030: 30.0}, substitution_ratio=1.0, start_year=2021)
    for end in (2025, 2030):
        r = YearRules()
        apply(p, LeverContext(2025, 2020, end), r)
        assert r.coal_cap_fraction == pytest.approx(0.90)
    r = YearRules()
    apply(p, LeverContext(2028, 2020, 2030), r)
    assert r.coal_cap_fraction == pytest.approx(1 - 0.22)


def test_carbon_dual_control_holds_co2_intensity_to_its_path_and_prices_it(base):
    over = {**SMALL, "horizon": {"start_year": 2020, "end_year": 2027}}
    b = run(load_scenario(SCENARIOS / "baseline.yaml", **over), base=base)
    c = run(load_scenario(SCENARIOS / "carbon_dual_control.yaml", **over), base=base)
    pb = b.pathways.set_index(["city_id", "year"])
    pc = c.pathways.set_index(["city_id", "year"])
    intensity = lambda p: p["co2_incl_imports_t"] / p["gdp_bn"]  # noqa: E731
    after = pc.index.get_level_values("year") >= 2026
    # nothing changes before the lever starts; after, CO2 intensity incl. imports never rises
    pd.testing.assert_series_equal(intensity(pc)[~after], intensity(pb)[~after])
    assert (intensity(pc)[after] <= intensity(pb)[after] * (1 + 1e-9)).all()
    plans = c.plans.set_index(["city_id", "year"])
    assert "marginal_co2_intensity" in plans and "slack_co2_intensity" in plans
    held = plans[plans.index.get_level_values("year") >= 2026]
    # each city-year: the target is met at a price (a dual >= 0) or missed, reported as a gap
    # with its reason and no price
    missed = held["slack_co2_intensity"] > 0
    assert (held.loc[~missed, "marginal_co2_intensity"] >= 0).all()
    assert held.loc[missed, "marginal_co2_intensity"].isna().all()
    assert held.loc[missed, "gap_reason_co2_intensity"].str.len().gt(0).all()
    assert (~missed).any()


def test_pathways_figure_marks_both_periods_targets(runs):
    import matplotlib
    from zonesim.plot import pathways_figure

    matplotlib.use("Agg")
    fig = pathways_figure(runs[2030])
    assert "2030 targets" in fig._suptitle.get_text() and "2025 targets" in fig._suptitle.get_text()
    ax = fig.axes[0]
    labels = [c.get_label() for c in ax.collections] + [ln.get_label() for ln in ax.lines]
    assert {"2025 target", "2030 target", "energy intensity vs 2020", "CO2 intensity vs 2025"} <= set(labels)
    co2_target = next(c for c in ax.collections if c.get_label() == "2030 target")
    (x0, y0), (x1, y1) = co2_target.get_segments()[0]
    assert (x0, x1) == (2025, 2030) and y0 == y1 == pytest.approx(-17.0)
    energy = next(c for c in ax.collections if c.get_label() == "2025 target")
    zone = sorted(runs[2030].zones()["zone_id"].unique())[0]
    z = runs[2030].zones().set_index(["zone_id", "year"])
    assert energy.get_segments()[0][0][1] == pytest.approx(z.loc[(zone, 2025), "intensity_target_pct"])


def test_compare_report_has_a_2030_section(tmp_path):
    from zonesim.report.compare import compare

    over = {**SMALL, "horizon": {"start_year": 2020, "end_year": 2030}}
    rep = compare(
        [SCENARIOS / "baseline.yaml", SCENARIOS / "carbon_dual_control.yaml"],
        out=tmp_path,
        overrides=over,
        log=lambda *_: None,
    )
    text = (tmp_path / "report.md").read_text()
    assert "## 2026-2030: carbon dual control" in text and "## 2021-2025: energy dual control" in text
    periods = rep.tables["periods"]
    rows = periods[(periods["period"] == "2026-2030") & periods["indicator"].str.startswith("CO2 intensity")]
    assert set(rows["scenario"]) == {"baseline", "carbon_dual_control"}
    assert (rows["target"] == -17.0).all()
    # the lever holds CO2 intensity (incl. imports) to its path, so it does not end above the baseline
    by = rows.set_index(["scenario", "zone"])["outcome"]
    for zone in rows["zone"].unique():
        assert by[("carbon_dual_control", zone)] <= by[("baseline", zone)] + 0.5


def test_free_allocation_charges_only_co2_above_the_sector_benchmark(base):
    import copy

    from zonesim.agents.firms import CARRIER_INDEX, SECTOR_INDEX
    from zonesim.model import TransitionModel
    from zonesim.year.setting import FUELS

    m = TransitionModel(load_scenario(SCENARIOS / "baseline.yaml", **SMALL), base=base)
    steel = m.firms.sector == SECTOR_INDEX["steel"]
    assert steel.sum() >= 4
    price = 3000.0  # CNY/tCO2: far above most steel firms' profit per tonne
    outcomes = {}
    for free in (False, True):
        b = copy.deepcopy(m.behaviour)
        b.covered = np.array([name == "steel" for name in SECTOR_INDEX])
        b.exit_unprofitable(price, 2025, free_allocation=free)
        outcomes[free] = b.firms.alive.copy()
    f = m.firms
    e = f.energy()
    co2 = sum(e[:, CARRIER_INDEX[c]] * m.factors[c] for c in FUELS)
    intensity = np.where(f.output > 0, co2 / np.where(f.output > 0, f.output, 1), 0)
    mean = co2[steel].sum() / f.output[steel].sum()
    # without free allocation most steel firms close; with it, no steel firm cleaner than the
    # benchmark (the sector mean) closes, and more steel firms survive
    assert outcomes[False][steel].sum() < outcomes[True][steel].sum()
    assert outcomes[True][steel & (intensity <= mean)].all()
    # other sectors are not covered: nobody there closes either way
    assert outcomes[False][~steel & f.alive].all() and outcomes[True][~steel & f.alive].all()
