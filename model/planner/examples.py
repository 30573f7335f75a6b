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


def toy_input(n_days: int = 4, n_years: int = 3, first_year: int = 2021, **policy) -> PlannerInput:
    """A small city: coal, gas, hydro, wind, solar, two batteries, one programme each."""
    ny = n_years
    c = Carrier
    t = TechName
    gens = (
        Generator(
            t("coal"),
            "fossil",
            existing_gw=3.0,
            base_gw=3.0,
            fuel=c("coal"),
            heat_rate=0.305,
            capex=3.5,
            capex_annual=0.3,
            fom=0.1,
            capacity_credit=1.0,
            min_load=0.4,
            buildable=True,
            build_limit_gw=1.0,
        ),
        Generator(
            t("gas"),
            "fossil",
            existing_gw=0.2,
            base_gw=0.2,
            fuel=c("gas"),
            heat_rate=0.22,
            capex=2.5,
            capex_annual=0.2,
            fom=0.06,
            capacity_credit=1.0,
            buildable=True,
            build_limit_gw=1.0,
        ),
        Generator(
            t("hydro"),
            "hydro",
            existing_gw=0.1,
            base_gw=0.1,
            fom=0.05,
            capacity_credit=0.5,
            full_load_hours=3800.0,
            renewable=True,
        ),
        Generator(
            t("wind"),
            "vre",
            existing_gw=0.5,
            base_gw=0.4,
            profile="wind",
            capex=6.0,
            capex_annual=0.45,
            fom=0.12,
            capacity_credit=0.05,
            buildable=True,
            build_limit_gw=2.0,
            renewable=True,
        ),
        Generator(
            t("solar"),
            "vre",
            existing_gw=0.3,
            base_gw=0.2,
            profile="solar",
            capex=3.8,
            capex_annual=0.3,
            fom=0.05,
            capacity_credit=0.0,
            buildable=True,
            build_limit_gw=2.0,
            renewable=True,
        ),
    )
    stores = (
        Storage(
            t("battery_2h"),
            0.0,
            duration_h=2.0,
            efficiency=0.85,
            capex=3.0,
            capex_annual=0.35,
            fom=0.03,
            capacity_credit=0.5,
            buildable=True,
        ),
        Storage(
            t("battery_4h"),
            0.0,
            duration_h=4.0,
            efficiency=0.85,
            capex=5.2,
            capex_annual=0.6,
            fom=0.05,
            capacity_credit=0.9,
            buildable=True,
        ),
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
