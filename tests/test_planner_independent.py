"""The planner's optimum equals an independent formulation of the same small LP.

The LP below is written from the formulation in ``docs/planner.md`` directly as matrices
for ``scipy.optimize.linprog``, without Pyomo and without the planner's code: capacity as
cumulative sums of new build (the planner uses a state), annual energies inline (the
planner defines them as variables). Both must give the same optimum to 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import lil_matrix
from zonesim.planner.examples import default_parameters
from zonesim.planner.inputs import (
    Carrier,
    CityOutlook,
    Counting,
    Days,
    Generator,
    LandClass,
    Market,
    PlannerInput,
    PlannerPolicy,
    Storage,
    TechName,
)
from zonesim.planner.solve import plan

NY, ND, NH = 2, 2, 24
W = np.array([200.0, 165.0])
H = np.arange(24)
LOAD = np.vstack([1 + 0.2 * np.sin(H / 24 * 2 * np.pi), 1 - 0.1 * np.cos(H / 24 * 2 * np.pi)])
SUN = np.clip(np.sin((H - 6) / 12 * np.pi), 0, None)
SOLAR = np.vstack([0.7 * SUN, 0.4 * SUN])
DEMAND = np.array([8.0, 8.8])  # TWh
CAP_E = np.array([2.6, 2.5])  # Mtce
R, CP = 0.05, 100.0  # discount rate, carbon price CNY/t
GAS = dict(hr=0.35, fuel=1.0, ef=1.6, fom=0.05, ann=0.2, existing=0.5)
PV = dict(fom=0.01, ann=0.08, existing=0.2, potential=1.0)
BAT = dict(fom=0.005, ann=0.2, eff=0.85, hours=2.0, credit=0.5)
IMP, EXP, P_IMP, P_EXP = 0.3, 0.2, 0.4, 0.2
EF_GRID = 0.6  # tCO2/MWh of the grid
K = 0.3  # Mtce/TWh
RATIO = 0.1
PARAMS = default_parameters(discount_rate=R, reserve_margin=0.12, peak_pu=1.3)


class _Raw:
    weights, load_pu, solar_cf, wind_cf = W, LOAD, SOLAR, np.zeros((ND, NH))


def planner_input() -> PlannerInput:
    c, t = Carrier, TechName
    return PlannerInput(
        city_id="independent",
        years=(2021, 2022),
        days=Days.of(_Raw()),
        generators=(
            Generator(
                t("gas"),
                "fossil",
                GAS["existing"],
                fuel=c("gas"),
                heat_rate=GAS["hr"],
                capex=2.0,
                capex_annual=GAS["ann"],
                fom=GAS["fom"],
                capacity_credit=1.0,
                buildable=True,
            ),
            Generator(
                t("solar"),
                "vre",
                PV["existing"],
                base_gw=PV["existing"],
                profile="solar",
                capex=3.0,
                capex_annual=PV["ann"],
                fom=PV["fom"],
                capacity_credit=0.0,
                buildable=True,
                renewable=True,
            ),
        ),
        storage=(
            Storage(
                t("battery_2h"),
                0.0,
                BAT["hours"],
                BAT["eff"],
                capex=2.0,
                capex_annual=BAT["ann"],
                fom=BAT["fom"],
                capacity_credit=BAT["credit"],
                buildable=True,
            ),
        ),
        potentials={(t("solar"), LandClass("general")): PV["potential"]},
        programmes=(),
        outlook=CityOutlook(
            electricity_twh=tuple(DEMAND),
            fossil_final_mtce={},
            feedstock_mtce=(0.0, 0.0),
            gdp_bn=(100.0, 105.0),
        ),
        market=Market(
            fuel_price={c("gas"): (GAS["fuel"],) * NY},
            import_price=(P_IMP,) * NY,
            export_price=(P_EXP,) * NY,
            import_limit_gw=IMP,
            export_limit_gw=EXP,
            grid_emission_factor=EF_GRID,
            emission_factor={c("gas"): GAS["ef"]},
            import_capacity_credit=0.0,
        ),
        params=PARAMS,
        policy=PlannerPolicy(
            counting=(Counting(),) * NY,
            conversion_factor=(K,) * NY,
            carbon_price=(CP,) * NY,
            forced_coal_retirement_gw=(0.0,) * NY,
            energy_cap_mtce=tuple(CAP_E),
            storage_power_ratio=RATIO,
            storage_duration_h=2.0,
        ),
    )


def independent_optimum() -> float:
    """min c'x s.t. A_ub x <= b_ub, A_eq x = b_eq, bounds, built by hand."""
    hourly = ["gas", "pv", "ch", "dis", "soc", "imp", "exp", "shed", "spill"]
    idx: dict = {}
    n = 0
    for v in hourly:
        for y in range(NY):
            for d in range(ND):
                for h in range(NH):
                    idx[v, y, d, h] = n
                    n += 1
    for v in ("new_gas", "new_pv", "new_bat", "slack_e", "slack_r"):
        for y in range(NY):
            idx[v, y] = n
            n += 1
    cost = np.zeros(n)
    lo, hi = np.zeros(n), np.full(n, np.inf)
    df = (1 + R) ** -np.arange(NY)
    rest = np.array([df[y:].sum() for y in range(NY)])
    load_mean = LOAD.mean(axis=1) @ W / W.sum()
    lp = LOAD / load_mean  # the planner rescales the load to a weighted mean of 1
    gas_cost = (GAS["fuel"] + CP * 1e-3 * GAS["ef"]) * GAS["hr"]
    for y in range(NY):
        for d in range(ND):
            for h in range(NH):
                e = W[d] / 1e3 * df[y]
                cost[idx["gas", y, d, h]] = gas_cost * e
                # grid electricity carries the carbon cost of its grid (factor EF_GRID)
                cost[idx["imp", y, d, h]] = (P_IMP + CP * 1e-3 * EF_GRID) * e
                cost[idx["exp", y, d, h]] = -(P_EXP + CP * 1e-3 * EF_GRID) * e
                cost[idx["shed", y, d, h]] = PARAMS.lost_load_penalty * e
                cost[idx["spill", y, d, h]] = PARAMS.lost_load_penalty * e
                hi[idx["imp", y, d, h]] = IMP
                hi[idx["exp", y, d, h]] = EXP
        # capacity in year y = existing + sum of new up to y: fom on each year it exists
        for z in range(y + 1):
            cost[idx["new_gas", z]] += GAS["fom"] * df[y]
            cost[idx["new_pv", z]] += PV["fom"] * df[y]
            cost[idx["new_bat", z]] += BAT["fom"] * df[y]
        cost[idx["new_gas", y]] += GAS["ann"] * rest[y]
        cost[idx["new_pv", y]] += PV["ann"] * rest[y]
        cost[idx["new_bat", y]] += BAT["ann"] * rest[y]
        cost[idx["slack_e", y]] = PARAMS.slack_penalty_energy * df[y]
        cost[idx["slack_r", y]] = PARAMS.slack_penalty_reserve * df[y]
    const = sum(df[y] * (GAS["fom"] * GAS["existing"] + PV["fom"] * PV["existing"]) for y in range(NY))
    ub_rows, b_ub, eq_rows, b_eq = [], [], [], []

    def row(terms):
        return dict(terms)

    for y in range(NY):
        cum = {k: [(idx[k, z], 1.0) for z in range(y + 1)] for k in ("new_gas", "new_pv", "new_bat")}
        for d in range(ND):
            for h in range(NH):
                # gas <= existing + cum new
                ub_rows.append(row([(idx["gas", y, d, h], 1.0)] + [(i, -1.0) for i, _ in cum["new_gas"]]))
                b_ub.append(GAS["existing"])
                ub_rows.append(
                    row([(idx["pv", y, d, h], 1.0)] + [(i, -SOLAR[d, h]) for i, _ in cum["new_pv"]])
                )
                b_ub.append(SOLAR[d, h] * PV["existing"])
                ub_rows.append(
                    row(
                        [(idx["ch", y, d, h], 1.0), (idx["dis", y, d, h], 1.0)]
                        + [(i, -1.0) for i, _ in cum["new_bat"]]
                    )
                )
                b_ub.append(0.0)
                ub_rows.append(
                    row([(idx["soc", y, d, h], 1.0)] + [(i, -BAT["hours"]) for i, _ in cum["new_bat"]])
                )
                b_ub.append(0.0)
                prev = (h - 1) % NH
                eq_rows.append(
                    row(
                        [
                            (idx["soc", y, d, h], 1.0),
                            (idx["soc", y, d, prev], -1.0),
                            (idx["ch", y, d, h], -BAT["eff"]),
                            (idx["dis", y, d, h], 1.0),
                        ]
                    )
                )
                b_eq.append(0.0)
                eq_rows.append(
                    row(
                        [
                            (idx["gas", y, d, h], 1.0),
                            (idx["pv", y, d, h], 1.0),
                            (idx["dis", y, d, h], 1.0),
                            (idx["ch", y, d, h], -1.0),
                            (idx["imp", y, d, h], 1.0),
                            (idx["exp", y, d, h], -1.0),
                            (idx["shed", y, d, h], 1.0),
                            (idx["spill", y, d, h], -1.0),
                        ]
                    )
                )
                b_eq.append(lp[d, h] * DEMAND[y] * 1e3 / 8760)
        # storage mandate: power new_bat >= ratio new_pv; energy 2 h new_bat >= ratio 2 h new_pv
        ub_rows.append(row([(idx["new_pv", y], RATIO), (idx["new_bat", y], -1.0)]))
        b_ub.append(0.0)
        ub_rows.append(row([(idx["new_pv", y], RATIO * 2.0), (idx["new_bat", y], -BAT["hours"])]))
        b_ub.append(0.0)
        # firm capacity: gas + 0.5 battery + slack >= 1.3 x 1.12 x mean load
        peak = PARAMS.peak_pu * (1 + PARAMS.reserve_margin) * DEMAND[y] * 1e3 / 8760
        ub_rows.append(
            row(
                [(i, -1.0) for i, _ in cum["new_gas"]]
                + [(i, -BAT["credit"]) for i, _ in cum["new_bat"]]
                + [(idx["slack_r", y], -1.0)]
            )
        )
        b_ub.append(GAS["existing"] - peak)
        # energy cap: 0.2 gas + k (pv + imp - exp) - slack <= cap
        terms = []
        for d in range(ND):
            for h in range(NH):
                e = W[d] / 1e3
                terms += [
                    (idx["gas", y, d, h], GAS["hr"] * e),
                    (idx["pv", y, d, h], K * e),
                    (idx["imp", y, d, h], K * e),
                    (idx["exp", y, d, h], -K * e),
                ]
        ub_rows.append(row(terms + [(idx["slack_e", y], -1.0)]))
        b_ub.append(CAP_E[y])
    ub_rows.append(row([(idx["new_pv", y], 1.0) for y in range(NY)]))
    b_ub.append(PV["potential"])

    def matrix(rows):
        a = lil_matrix((len(rows), n))
        for r, terms in enumerate(rows):
            for j, v in terms.items():
                a[r, j] += v
        return a.tocsr()

    res = linprog(
        cost,
        A_ub=matrix(ub_rows),
        b_ub=b_ub,
        A_eq=matrix(eq_rows),
        b_eq=b_eq,
        bounds=list(zip(lo, hi, strict=True)),
        method="highs",
    )
    assert res.status == 0, res.message
    return float(res.fun + const)


def test_optimum_matches_independent_formulation():
    ours = plan(planner_input())
    assert ours.ok
    theirs = independent_optimum()
    assert ours.objective == pytest.approx(theirs, rel=1e-6)


def test_independent_case_is_not_trivial():
    res = plan(planner_input())
    assert res.capacity.query("tech == 'battery_2h'")["new_gw"].sum() > 0
    assert res.capacity.query("tech == 'solar'")["new_gw"].sum() > 0
    assert res.targets["binding"].any()
