"""Small synthetic planner inputs for tests, benchmarks and notebooks (no data files).

The numbers are round, plausible magnitudes for a mid-sized industrial city; they are
illustrations, not data, and nothing in the model reads them.
"""

from __future__ import annotations

import math

import numpy as np
from zonesim.planner.inputs import (
    Carrier,
    CityOutlook,
    Counting,
    Days,
    Generator,
    LandClass,
    Market,
    PlannerInput,
    PlannerParameters,
    PlannerPolicy,
    Programme,
    Storage,
    TechName,
)


def synthetic_days(n_days: int = 4, seed: int = 0) -> Days:
    """``n_days`` days with a daily load cycle, a PV bell and noisy wind (weights sum 365)."""
    rng = np.random.default_rng(seed)
    h = np.arange(24)
    season = np.linspace(0, 2 * np.pi, n_days, endpoint=False)
    load = 1 + 0.15 * np.sin((h[None, :] - 8) / 24 * 2 * np.pi) + 0.1 * np.cos(season)[:, None]
    sun = np.clip(np.sin((h - 6) / 12 * np.pi), 0, None)
    solar = np.outer(0.6 + 0.2 * np.sin(season), sun)
    wind = np.clip(0.3 + 0.1 * np.cos(season)[:, None] + 0.1 * rng.standard_normal((n_days, 24)), 0, 1)
    weights = np.full(n_days, 365 // n_days)
    weights[0] += 365 - weights.sum()
    return Days.of(_Raw(weights.astype(float), load, solar, wind))


class _Raw:
    def __init__(self, weights, load_pu, solar_cf, wind_cf):
        self.weights, self.load_pu, self.solar_cf, self.wind_cf = weights, load_pu, solar_cf, wind_cf


def default_parameters(**overrides) -> PlannerParameters:
    """Planner parameters of the same magnitude as ``planner_parameters.csv``."""
    base = dict(
        discount_rate=0.05,
        reserve_margin=0.12,
        peak_pu=1.3,
        slack_penalty_energy=100.0,
        slack_penalty_co2=40.0,
        slack_penalty_reserve=100.0,
        lost_load_penalty=1000.0,
        budget_overrun_penalty=1000.0,
        coal_flex_min_load=0.3,
        coal_flex_capex=0.1,
        coal_flex_capex_annual=0.012,
        electrification_twh_per_mtce=6.5,
    )
    return PlannerParameters(**{**base, **overrides})


# the toy fleet, one row per technology (None: the field's default; fuel as its carrier name)
_GEN_EXTRA = (
    "fuel", "heat_rate", "profile", "capex", "capex_annual", "fom", "capacity_credit",
    "full_load_hours", "min_load", "buildable", "build_limit_gw", "renewable",
)  # fmt: skip
_TOY_GENERATORS = (
    # name, kind, existing_gw, base_gw, then _GEN_EXTRA
    ("coal", "fossil", 3.0, 3.0, "coal", 0.305, None, 3.5, 0.3, 0.1, 1.0, None, 0.4, True, 1.0, None),
    ("gas", "fossil", 0.2, 0.2, "gas", 0.22, None, 2.5, 0.2, 0.06, 1.0, None, None, True, 1.0, None),
    ("hydro", "hydro", 0.1, 0.1, None, None, None, None, None, 0.05, 0.5, 3800.0, None, None, None, True),
    ("wind", "vre", 0.5, 0.4, None, None, "wind", 6.0, 0.45, 0.12, 0.05, None, None, True, 2.0, True),
    ("solar", "vre", 0.3, 0.2, None, None, "solar", 3.8, 0.3, 0.05, 0.0, None, None, True, 2.0, True),
)  # fmt: skip
_STORE_EXTRA = ("duration_h", "efficiency", "capex", "capex_annual", "fom", "capacity_credit", "buildable")
_TOY_STORAGE = (
    # name, existing_gw, then _STORE_EXTRA
    ("battery_2h", 0.0, 2.0, 0.85, 3.0, 0.35, 0.03, 0.5, True),
    ("battery_4h", 0.0, 4.0, 0.85, 5.2, 0.6, 0.05, 0.9, True),
)  # fmt: skip


def _given(values: tuple, names: tuple[str, ...]) -> dict:
    """The keyword arguments of a toy row that are given (None: the default)."""
    out = {k: v for k, v in zip(names, values, strict=True) if v is not None}
    if "fuel" in out:
        out["fuel"] = Carrier(out["fuel"])
    return out


def toy_input(n_days: int = 4, n_years: int = 3, first_year: int = 2021, **policy) -> PlannerInput:
    """A small city: coal, gas, hydro, wind, solar, two batteries, one programme each."""
    ny = n_years
    c = Carrier
    t = TechName
    gens = tuple(
        Generator(t(name), kind, existing, base_gw=base, **_given(rest, _GEN_EXTRA))
        for name, kind, existing, base, *rest in _TOY_GENERATORS
    )
    stores = tuple(
        Storage(t(name), existing, **_given(rest, _STORE_EXTRA)) for name, existing, *rest in _TOY_STORAGE
    )
    pots = {
        (t("wind"), LandClass("general")): 3.0,
        (t("solar"), LandClass("rooftop")): 1.0,
        (t("solar"), LandClass("subsidence")): 2.0,
    }
    progs = (
        Programme(
            "steel:efficiency",
            "efficiency",
            (1.0,) * ny,
            cost=0.4,
            carrier_shares={c("coal"): 0.9, c("gas"): 0.1},
        ),
        Programme(
            "other_industry:electrification",
            "electrification",
            (0.5,) * ny,
            cost=0.3,
            carrier_shares={c("coal"): 0.6, c("gas"): 0.4},
        ),
    )
    grow = [1.03**i for i in range(ny)]
    outlook = CityOutlook(
        electricity_twh=tuple(20.0 * g for g in grow),
        fossil_final_mtce={
            c("coal"): tuple(12.0 * g for g in grow),
            c("oil"): (1.5,) * ny,
            c("gas"): (1.0,) * ny,
            c("heat"): (0.5,) * ny,
        },
        feedstock_mtce=(1.0,) * ny,
        gdp_bn=tuple(300.0 * 1.05**i for i in range(ny)),
    )
    market = Market(
        fuel_price={c("coal"): (0.9,) * ny, c("gas"): (2.5,) * ny, c("oil"): (4.0,) * ny},
        import_price=(0.45,) * ny,
        export_price=(0.3,) * ny,
        import_limit_gw=1.0,
        export_limit_gw=0.5,
        grid_emission_factor=0.58,
        emission_factor={c("coal"): 2.66, c("oil"): 2.08, c("gas"): 1.64, c("heat"): 2.66},
        import_capacity_credit=0.5,
    )
    pol = dict(
        counting=(Counting(),) * ny,
        conversion_factor=(0.3,) * ny,
        carbon_price=(50.0,) * ny,
        forced_coal_retirement_gw=(0.0,) * ny,
        storage_power_ratio=0.1,
        storage_duration_h=2.0,
        min_coal_gw=1.0,
    )
    pol.update(policy)
    return PlannerInput(
        city_id="toy",
        years=tuple(range(first_year, first_year + ny)),
        days=synthetic_days(n_days),
        generators=gens,
        storage=stores,
        potentials=pots,
        programmes=progs,
        outlook=outlook,
        market=market,
        params=default_parameters(),
        policy=PlannerPolicy(**pol),
    )


INF = math.inf
