"""Every lever parameter has an effect (issue 10): changing it changes some output.

For each parameter of the scenario schema's levers, a short run of one zone with the lever
at its ``combined.yaml`` values (``carbon_dual_control`` at ``carbon_dual_control.yaml``'s)
and the same run with that one parameter changed must differ somewhere in the pathways,
investments or plans. A test checks that the list covers every parameter of the schema.
"""

from __future__ import annotations

import typing
import warnings

import numpy as np
import pandas as pd
import pytest
from zonesim.model import TransitionModel
from zonesim.runner import run, with_overrides
from zonesim.scenario import LeverBeyondHorizon, Levers, load_scenario

END = 2022  # two simulated years: enough for every parameter below but the 2026-2030 ones
CHANGES = {
    ("coal_reduction", "cut_pct_by_year"): {2022: 30.0},
    ("coal_reduction", "substitution_ratio"): 3.0,
    ("coal_reduction", "start_year"): 2022,
    ("pv_storage", "storage_power_ratio"): 0.5,
    ("pv_storage", "storage_duration_h"): 8.0,
    ("pv_storage", "land_classes"): ["general", "rooftop"],
    ("capacity_retirement", "coal_unit_max_mw"): 700.0,
    ("capacity_retirement", "backward_share"): 0.3,
    ("capacity_retirement", "by_year"): 2022,
    ("dual_control", "intensity_reduction_pct"): 30.0,
    ("dual_control", "total_growth_pct_per_year"): -5.0,
    ("dual_control", "target_year"): 2022,
    ("carbon_dual_control", "intensity_reduction_pct"): 40.0,
    ("carbon_dual_control", "start_year"): 2027,
    ("carbon_dual_control", "target_year"): 2027,
    ("curb_two_highs", "from_year"): 2022,
    ("curb_two_highs", "max_expansion_pct_per_year"): 5.0,
    ("carbon_price", "path"): {2021: 300.0},
    ("carbon_price", "coverage"): "ets",
    ("green_finance", "rate_discount_pp"): 3.0,
    ("green_finance", "loan_volume_bn_cny_per_year"): 50.0,
    ("green_finance", "eligible"): ["storage"],
    ("evaluation", "poor_years_to_lose_status"): 1,
    ("evaluation", "excellent_bonus_pct"): 50.0,
    ("circular_parks", "participation_share"): 0.9,
    ("circular_parks", "energy_saving_pct"): 15.0,
    ("circular_parks", "cost_cny_per_tce"): 100.0,
    ("circular_parks", "complete_by"): 2022,
}
LATE = {"carbon_dual_control": 2027}  # levers of the 2026-2030 period: their horizon end
ZONE = {"pv_storage": "Z12", "coal_reduction": "Z12", "dual_control": "Z03"}  # Ningxia: desert and
# subsidence land, new coal; Baotou-Ordos: its intensity target binds by 2022 (Tangshan meets it
# by then with its steel output cut, so the target year would change nothing there)
# conditions under which a parameter can act at all: status is lost only after poor ratings,
# so every zone is rated poor (progress thresholds far above any progress)
AGENT_PARAMS = {
    ("evaluation", "poor_years_to_lose_status"): {
        "rating_excellent": 70.0,
        "rating_good": 60.0,
        "rating_average": 50.0,
    }
}
NO_NEW_COAL = {("coal_reduction", "substitution_ratio")}
"""Acts on new coal only (GW retired per GW built): no city builds new coal in these runs (nor in
baseline or combined 2021-2030), so its effect is checked on the LP's input here and on the LP's
optimum in tests/test_planner.py::test_family_coal_substitution."""


def schema_parameters() -> set[tuple[str, str]]:
    """(lever, parameter) for every field of every lever model in the scenario schema."""
    out = set()
    for name, f in Levers.model_fields.items():
        model = next(a for a in typing.get_args(f.annotation) if a is not type(None))
        out |= {(name, p) for p in model.model_fields}
    return out


def test_every_schema_parameter_is_listed():
    assert set(CHANGES) == schema_parameters()


def lever_settings(lever: str) -> dict:
    source = "carbon_dual_control" if lever == "carbon_dual_control" else "combined"
    return getattr(load_scenario(f"scenarios/{source}.yaml").levers, lever).model_dump()


def outputs(base, lever: str, settings: dict, agent_params: dict | None = None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LeverBeyondHorizon)
        r = run(
            "scenarios/baseline.yaml",
            base=base,
            horizon={"start_year": 2020, "end_year": LATE.get(lever, END)},
            selection={"zones": [ZONE.get(lever, "Z04")]},
            firms={"n_firms": 300},
            levers={lever: settings},
            agent_params=agent_params,
        )
    return pd.concat([f.reset_index(drop=True) for f in (r.pathways, r.investments, r.plans)], axis=1)


_BASE_RUNS: dict[tuple, pd.DataFrame] = {}


def lp_policy(base, lever: str, settings: dict) -> list:
    """The LP policies of the first simulated year of every city (one step of the model)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LeverBeyondHorizon)
        scenario = with_overrides(
            "scenarios/baseline.yaml",
            horizon={"start_year": 2020, "end_year": END},
            selection={"zones": [ZONE.get(lever, "Z04")]},
            firms={"n_firms": 300},
            levers={lever: settings},
        )
        m = TransitionModel(scenario, base=base)
    m.step()
    return [m.planner.last_input[c.city_id].policy for c in m.cities]


@pytest.mark.parametrize(("lever", "param"), sorted(CHANGES))
def test_changing_the_parameter_changes_an_output(base, lever, param):
    settings = lever_settings(lever)
    assert settings[param] != CHANGES[(lever, param)]
    changed = {**settings, param: CHANGES[(lever, param)]}
    if (lever, param) in NO_NEW_COAL:
        policies = [lp_policy(base, lever, s) for s in (settings, changed)]
        assert policies[0] != policies[1], f"{lever}.{param} does not reach the LP"
        return
    agent_params = AGENT_PARAMS.get((lever, param))
    key = (lever, repr(agent_params))
    if key not in _BASE_RUNS:
        _BASE_RUNS[key] = outputs(base, lever, settings, agent_params)
    before = _BASE_RUNS[key]
    after = outputs(base, lever, changed, agent_params)
    differs = list(before.columns) != list(after.columns) or before.shape != after.shape
    if not differs:
        num = before.select_dtypes("number").columns
        differs = not np.allclose(
            before[num].to_numpy(float), after[num].to_numpy(float), rtol=1e-9, atol=0.0, equal_nan=True
        )
        other = before.columns.difference(num)  # labels and states (e.g. a zone's status)
        differs = differs or not before[other].astype(str).equals(after[other].astype(str))
    assert differs, f"{lever}.{param} -> {CHANGES[(lever, param)]!r} changed no output"
