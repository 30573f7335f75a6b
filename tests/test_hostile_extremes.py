"""Extreme scenarios at small settings (one or two cities, a few years, one representative day,
few firms): each either fails with a clear error naming the setting before anything is
simulated, or runs to outputs that are finite and physically valid (non-negative where a
quantity cannot be negative, coal use not above total energy use). Never exit 0 with bad
numbers. Plus the numerics guards on hand-made rows."""

from __future__ import annotations

import copy
import fnmatch
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from zonesim import guards
from zonesim.results import Results
from zonesim.runner import run
from zonesim.scenario import CARBON_PRICE_MAX, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
COMBINED = yaml.safe_load((ROOT / "scenarios" / "combined.yaml").read_text())["levers"]

SMALL = {
    "selection": {"zones": ["Z01"], "include_associated": False, "cities": ["fushun"]},
    "horizon": {"start_year": 2020, "end_year": 2022},
    "planner": {"n_days": 1, "mode": "rolling"},
    "firms": {"n_firms": 60},
}
ALL_ELIGIBLE = ["solar", "wind", "storage", "efficiency", "electrification"]
AT_MAXIMUM = {
    "coal_reduction": {"cut_pct_by_year": {2022: 100}, "substitution_ratio": 1e6, "start_year": 2021},
    "pv_storage": {
        "storage_power_ratio": 1,
        "storage_duration_h": 24,
        "land_classes": ["general", "rooftop", "desert", "subsidence", "offshore"],
    },
    "capacity_retirement": {"coal_unit_max_mw": 10_000, "backward_share": 1, "by_year": 2021},
    "dual_control": {"intensity_reduction_pct": 100, "total_growth_pct_per_year": -20, "target_year": 2021},
    "curb_two_highs": {"from_year": 2021, "max_expansion_pct_per_year": 0},
    "carbon_price": {"path": {2021: CARBON_PRICE_MAX}},
    "green_finance": {
        "rate_discount_pp": 10,
        "loan_volume_bn_cny_per_year": 101_600,
        "eligible": ALL_ELIGIBLE,
    },
    "evaluation": {"poor_years_to_lose_status": 1, "excellent_bonus_pct": 100},
    "circular_parks": {
        "participation_share": 1,
        "energy_saving_pct": 100,
        "cost_cny_per_tce": 1e6,
        "complete_by": 2021,
    },
}

# name: (settings over SMALL, expected: "rejected: <field>" or "valid")
EXTREMES = {
    "carbon_price_1e6": (
        {"levers": {"carbon_price": {"path": {2021: 1e6}}}},
        "rejected: levers.carbon_price.path.2021",
    ),
    "carbon_price_1e308": (
        {"levers": {"carbon_price": {"path": {2021: 1e308}}}},
        "rejected: levers.carbon_price.path",
    ),
    "carbon_price_inf": (
        {"levers": {"carbon_price": {"path": {2021: float("inf")}}}},
        "rejected: carbon_price.path",
    ),
    "carbon_price_nan": (
        {"levers": {"carbon_price": {"path": {2021: float("nan")}}}},
        "rejected: carbon_price.path",
    ),
    "seed_1e30": ({"seed": 10**30}, "rejected: seed"),
    "loan_volume_1e300": (
        {"levers": {"green_finance": {**AT_MAXIMUM["green_finance"], "loan_volume_bn_cny_per_year": 1e300}}},
        "rejected: levers.green_finance.loan_volume_bn_cny_per_year",
    ),
    "coal_unit_1e9": (
        {"levers": {"capacity_retirement": {**AT_MAXIMUM["capacity_retirement"], "coal_unit_max_mw": 1e9}}},
        "rejected: levers.capacity_retirement.coal_unit_max_mw",
    ),
    "every_lever_at_maximum": ({"levers": AT_MAXIMUM}, "valid"),
    "every_lever_at_maximum_tangshan": (
        {"levers": AT_MAXIMUM, "selection": {"zones": ["Z04"], "include_associated": False}},
        "valid",
    ),
    "carbon_price_at_ceiling": ({"levers": {"carbon_price": {"path": {2021: CARBON_PRICE_MAX}}}}, "valid"),
    "aggressive_retirement": (
        {"levers": {"capacity_retirement": {"coal_unit_max_mw": 1100, "backward_share": 1, "by_year": 2021}}},
        "valid",
    ),
    "combined_to_2035": ({"levers": COMBINED, "horizon": {"start_year": 2020, "end_year": 2035}}, "valid"),
    "seed_at_maximum": ({"seed": 2**63 - 1}, "valid"),
    "intensity_cut_100pct": ({"levers": {"dual_control": AT_MAXIMUM["dual_control"]}}, "valid"),
    "coal_cut_100pct": ({"levers": {"coal_reduction": AT_MAXIMUM["coal_reduction"]}}, "valid"),
    "fewest_firms": ({"firms": {"n_firms": 10}}, "valid"),
    "associated_city_only": (
        {"selection": {"zones": ["Z01"], "include_associated": True, "cities": ["hebi"]}},
        "valid",
    ),
}


def _settings(over: dict) -> dict:
    out = copy.deepcopy(SMALL)
    out.update(copy.deepcopy(over))
    return out


def check_valid(res: Results) -> None:
    """Finite everywhere (a target column may be NaN: no such target in the period), non-negative
    where it must be, coal <= total energy."""
    for name, df in {"pathways": res.pathways, "zones": res.zones(), "plans": res.plans}.items():
        num = df.select_dtypes("number").drop(columns=guards.ID_COLUMNS, errors="ignore")
        targets = [c for c in num.columns if any(fnmatch.fnmatch(c, p) for p in guards.NO_TARGET)]
        assert not np.isinf(num[targets].to_numpy(dtype=float)).any(), f"{name}: infinite target"
        num = num.drop(columns=targets)
        assert np.isfinite(num.to_numpy(dtype=float)).all(), f"{name}: non-finite values"
    p = res.pathways
    for col in p.columns:
        if guards._nonnegative(col) and p[col].dtype.kind == "f":
            assert (p[col] >= 0).all(), f"{col} negative: {p[col].min()}"
    assert (p["coal_tce"] <= p["energy_total_tce"] * (1 + 1e-9)).all()
    assert ((p["coal_share"] >= 0) & (p["coal_share"] <= 1 + 1e-9)).all()


@pytest.mark.parametrize("name", list(EXTREMES))
def test_extreme_scenario_rejected_before_running_or_valid_numbers(name, base, tmp_path, monkeypatch):
    over, expected = EXTREMES[name]
    if expected.startswith("rejected"):
        field = expected.split(": ", 1)[1]

        def no_simulation(*args, **kwargs):
            raise AssertionError("the model was built although the scenario is invalid")

        monkeypatch.setattr("zonesim.runner.TransitionModel", no_simulation)
        with pytest.raises(ScenarioError) as err:
            run(load_scenario(BASELINE, **_settings(over)), base=base)
        msg = str(err.value)
        assert field in msg and str(BASELINE) in msg, msg
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = run(load_scenario(BASELINE, **_settings(over)), base=base, out=tmp_path / "out")
    check_valid(res)
    written = Results.read(tmp_path / "out")  # what is written is what was checked
    check_valid(written)
    assert len(written.warnings) == len(res.warnings)


def test_aggressive_retirement_keeps_coal_nonnegative_without_clipping(base):
    """All backward capacity and every small coal unit retired in 2021 (Fushun): coal used to go
    negative and be clipped by the guards (the base-year residual carried with power fuel);
    since retirement acts on capacity shares (issue 11) it stays >= 0 on its own."""
    over = EXTREMES["aggressive_retirement"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = run(load_scenario(BASELINE, **_settings(over)), base=base)
    assert len(res.warnings) == 0, res.warnings
    assert (res.pathways["coal_tce"] >= 0).all()
    assert (res.pathways["coal_tce"] <= res.pathways["energy_total_tce"]).all()


# ------------------------------------------------------------------ the guards by hand
def _row(**values) -> dict:
    row = {"city_id": "x", "zone_id": "Z00", "year": 2021, "gdp_bn": 10.0, "coal_tce": 5.0}
    row.update(energy_total_tce=10.0, coal_share=0.5, net_import_mwh=-3.0, co2_t=1.0)
    row.update(values)
    return row


def test_guard_clips_negatives_but_not_quantities_that_may_be_negative():
    scenario = load_scenario(BASELINE)
    log: list[dict] = []
    rows = [_row(coal_tce=-2.0, co2_t=-1e-9, cap_solar_mw=-4.0)]
    guards.check_year(rows, 2021, scenario, log)
    r = rows[0]
    assert r["coal_tce"] == 0 and r["coal_share"] == 0 and r["cap_solar_mw"] == 0 and r["co2_t"] == 0
    assert r["net_import_mwh"] == -3.0  # exports are negative imports: not clipped
    assert [w["variable"] for w in log] == ["coal_tce", "cap_solar_mw"]  # float noise is not recorded


def test_guard_clips_coal_above_total_energy():
    log: list[dict] = []
    rows = [_row(coal_tce=12.0)]
    guards.check_year(rows, 2021, load_scenario(BASELINE), log)
    assert rows[0]["coal_tce"] == 10.0 and rows[0]["coal_share"] == 1.0
    assert log[0]["variable"] == "coal_tce" and "exports" in log[0]["reason"]


def test_guard_stops_on_zero_gdp_naming_the_settings_that_close_firms():
    scenario = load_scenario(BASELINE, levers={"carbon_price": {"path": {2021: 9000.0}}})
    with pytest.raises(guards.NumericsError) as err:
        guards.check_year([_row(gdp_bn=0.0)], 2021, scenario, [])
    msg = str(err.value)
    assert "x 2021" in msg and "GDP" in msg and "levers.carbon_price.path = {2021: 9000.0}" in msg


def test_guard_refuses_non_finite_tables_naming_variable_and_settings():
    scenario = load_scenario(BASELINE, levers={"carbon_price": {"path": {2021: 50.0}}})
    df = pd.DataFrame([_row(), _row(year=2022, coal_tce=float("inf"))])
    with pytest.raises(guards.NumericsError) as err:
        guards.assert_finite({"pathways": df}, scenario)
    msg = str(err.value)
    assert "pathways: coal_tce is inf" in msg and "2022" in msg and "levers.carbon_price.path" in msg
    guards.assert_finite({"pathways": df.iloc[:1]}, scenario)  # finite: no error


@pytest.mark.parametrize("value", [-0.1, 1.2])
def test_a_share_outside_zero_to_one_is_refused_naming_its_source(base, value):
    """A share above 1 turns the model's arithmetic over (a feedstock share of 1.2 makes the
    chemicals' efficiency programmes raise counted energy): refused before the run, naming
    where the value came from, the parameter and the range."""
    from zonesim.agents.params import AgentParams

    with pytest.raises(
        ValueError, match=r"the override: agent parameter 'feedstock_share_chemicals' = .*between 0 and 1"
    ):
        AgentParams.from_data(base, feedstock_share_chemicals=value)
    assert 0.0 <= AgentParams.from_data(base).feedstock_share_chemicals <= 1.0
