"""The planner LP: one hand-checkable test per constraint family, plus invariants.

Each ``test_family_<name>`` builds a micro city (one or two years, one or two flat days,
a few technologies) where the optimum of that family can be computed by hand. A test at
the end checks that every family of ``zonesim.planner.build.FAMILIES`` has one.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace

import numpy as np
import pytest
from zonesim.planner.build import FAMILIES, build
from zonesim.planner.examples import default_parameters, toy_input
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
    Programme,
    Storage,
    TechName,
)
from zonesim.planner.solve import Planner, advance, plan, plan_rolling

C, T, L = Carrier, TechName, LandClass
REL = 1e-6


class _Raw:
    def __init__(self, w, load, solar, wind):
        self.weights, self.load_pu, self.solar_cf, self.wind_cf = w, load, solar, wind


def flat_days(n_days=1, solar=0.5, wind=0.0) -> Days:
    w = np.full(n_days, 365.0 / n_days)
    one = np.ones((n_days, 24))
    return Days.of(_Raw(w, one, one * solar, one * wind))


def gas(existing=0.0, buildable=False, **kw) -> Generator:
    base = dict(
        fuel=C("gas"),
        heat_rate=0.2,
        capex=2.0,
        capex_annual=0.2,
        fom=0.05,
        capacity_credit=1.0,
        buildable=buildable,
    )
    return Generator(T("gas"), "fossil", existing_gw=existing, **{**base, **kw})


def solar(existing=0.0, buildable=False, **kw) -> Generator:
    base = dict(
        profile="solar",
        capex=3.0,
        capex_annual=0.25,
        fom=0.0,
        capacity_credit=0.0,
        buildable=buildable,
        renewable=True,
    )
    return Generator(T("solar"), "vre", existing_gw=existing, **{**base, **kw})


def coal(existing=0.0, **kw) -> Generator:
    base = dict(
        base_gw=existing,
        fuel=C("coal"),
        heat_rate=0.3,
        capex=3.5,
        capex_annual=0.3,
        fom=0.06,
        capacity_credit=1.0,
    )
    return Generator(T("coal"), "fossil", existing_gw=existing, **{**base, **kw})


def battery(name="battery_2h", hours=2.0, **kw) -> Storage:
    base = dict(efficiency=0.81, capex=2.0, capex_annual=0.2, fom=0.0, capacity_credit=0.5, buildable=True)
    return Storage(T(name), 0.0, duration_h=hours, **{**base, **kw})


def micro(
    gens=(),
    stores=(),
    years=1,
    days=None,
    demand_twh=8.76,  # 1 GW flat
    fossil=None,
    potentials=None,
    programmes=(),
    import_limit=0.0,
    export_limit=0.0,
    import_price=0.4,
    export_price=0.0,
    params=None,
    **policy,
) -> PlannerInput:
    """A micro city; by default no targets, no imports, 1 GW flat load, one flat day."""
    n = years
    fossil = fossil or {}
    pol = dict(
        counting=(Counting(),) * n,
        conversion_factor=(0.3,) * n,
        carbon_price=(0.0,) * n,
        forced_coal_retirement_gw=(0.0,) * n,
    )
    pol.update(policy)
    return PlannerInput(
        city_id="micro",
        years=tuple(range(2021, 2021 + n)),
        days=days or flat_days(),
        generators=tuple(gens),
        storage=tuple(stores),
        potentials=potentials or {},
        programmes=tuple(programmes),
        outlook=CityOutlook(
            electricity_twh=(demand_twh,) * n if np.isscalar(demand_twh) else demand_twh,
            fossil_final_mtce={C(c): (v,) * n for c, v in fossil.items()},
            feedstock_mtce=(0.0,) * n,
            gdp_bn=(100.0,) * n,
        ),
        market=Market(
            fuel_price={C("gas"): (1.0,) * n, C("coal"): (0.5,) * n},
            import_price=(import_price,) * n,
            export_price=(export_price,) * n,
            import_limit_gw=import_limit,
            export_limit_gw=export_limit,
            grid_emission_factor=0.6,
            emission_factor={C("coal"): 2.7, C("gas"): 1.6, C("oil"): 2.1, C("heat"): 2.7},
            import_capacity_credit=0.0,
        ),
        params=params or default_parameters(reserve_margin=0.0, peak_pu=1.0, discount_rate=0.0),
        policy=PlannerPolicy(**pol),
    )


def cap_of(res, tech, year_index=0):
    y = res.years[year_index]
    c = res.capacity
    row = c[(c["tech"] == tech) & (c["year"] == y)]
    return float(row["capacity_gw"].iloc[0])


def energy(res, col, year_index=0):
    return float(res.energy[col].iloc[year_index])


def target(res, name, year_index=0):
    y = res.years[year_index]
    t = res.targets
    return t[(t["target"] == name) & (t["year"] == y)].iloc[0]


# --------------------------------------------------------------------- families


def test_family_capacity_state():
    """Coal 1 GW with 0.3 GW forced to retire: 0.7 GW left, gas 0.6 GW covers the rest of a
    1.1 GW load. Gas alone at 0.6 GW for a 1 GW load: 0.4 GW built, cap = existing + new."""
    inp = micro(
        gens=[gas(0.6, buildable=True), coal(1.0, min_load=0.0)],
        forced_coal_retirement_gw=(0.3,),
        demand_twh=8.76 * 1.1,
    )
    res = plan(inp)
    assert res.ok
    assert cap_of(res, "coal") == pytest.approx(0.7, rel=REL)
    assert cap_of(res, "gas") == pytest.approx(0.6, rel=REL)
    inp2 = micro(gens=[gas(0.6, buildable=True)], demand_twh=8.76)
    res2 = plan(inp2)
    row = res2.capacity.query("tech == 'gas'").iloc[0]
    assert row["new_gw"] == pytest.approx(0.4, rel=REL)
    assert row["capacity_gw"] == pytest.approx(row["existing_gw"] + row["new_gw"], rel=REL)


def test_family_availability():
    """Solar 1 GW at cf 0.5 gives 0.5 GW every hour; gas fills the other 0.5 GW."""
    res = plan(micro(gens=[gas(1.0), solar(1.0)]))
    assert res.hourly["gen:solar"].max() == pytest.approx(0.5, rel=REL)
    assert res.hourly["gen:gas"].min() == pytest.approx(0.5, rel=REL)


def test_family_hydro_energy():
    """Hydro 1 GW with 4380 full-load hours: 4.38 TWh a year, gas the rest (8.76 - 4.38)."""
    hydro = Generator(
        T("hydro"), "hydro", existing_gw=1.0, full_load_hours=4380.0, capacity_credit=0.5, renewable=True
    )
    res = plan(micro(gens=[gas(1.0), hydro]))
    d = res.dispatch.set_index("tech")["twh"]
    assert d["hydro"] == pytest.approx(4.38, rel=REL)
    assert d["gas"] == pytest.approx(8.76 - 4.38, rel=REL)


def test_family_plan_hours():
    """Coal 1 GW with a plan of 4380 h and availability 0.9 against a 1 GW flat load: coal makes
    4.38 TWh (cheaper than gas, capped by the plan), at most 0.9 GW in any hour; gas the rest.
    With a floor of 4380 h and gas cheaper than coal, coal (kept: min_coal_gw) still makes
    its 4.38 TWh; without the floor it makes nothing."""
    res = plan(micro(gens=[gas(1.0), coal(1.0, full_load_hours=4380.0, availability=0.9)]))
    d = res.dispatch.set_index("tech")["twh"]
    assert d["coal"] == pytest.approx(4.38, rel=REL)
    assert d["gas"] == pytest.approx(8.76 - 4.38, rel=REL)
    assert res.hourly["gen:coal"].max() <= 0.9 + 1e-9
    cheap_gas = gas(1.0, heat_rate=0.01)
    floor = coal(1.0, full_load_hours=4380.0, plan_floor_hours=4380.0)
    d2 = plan(micro(gens=[cheap_gas, floor], min_coal_gw=1.0)).dispatch.set_index("tech")["twh"]
    assert d2["coal"] == pytest.approx(4.38, rel=REL)
    d3 = plan(micro(gens=[cheap_gas, coal(1.0, full_load_hours=4380.0)])).dispatch.set_index("tech")["twh"]
    assert d3["coal"] == pytest.approx(0.0, abs=1e-9)


def test_family_trade_pace():
    """Last year the city imported 1 TWh; imports are cheaper than gas. With a pace of 10 %
    of an 8.76 TWh demand a year, net import rises by 0.876 TWh a year: 1.876, then 2.752."""
    inp = micro(gens=[gas(1.0)], years=2, import_limit=1.0, import_price=0.1)
    inp = replace(inp, market=replace(inp.market, trade_pace=0.1, net_import_prev_twh=1.0))
    res = plan(inp)
    net = res.energy["net_import_twh"].to_numpy()
    np.testing.assert_allclose(net, [1.876, 2.752], rtol=1e-7)
    free = plan(replace(inp, market=replace(inp.market, net_import_prev_twh=None)))
    assert free.energy["net_import_twh"].iloc[0] == pytest.approx(8.76, rel=REL)  # base year: no band


def test_exports_stay_within_the_base_years():
    """2 GW of coal at 0.19 bnCNY/TWh all in, 1 GW of load, export at 0.5 through a 1 GW line:
    without a cap the city exports 8.76 TWh (the line full every hour); with the base year's
    3 TWh as the cap (contracts and lines, not the city's plan) it exports 3 TWh."""
    inp = micro(gens=[coal(2.0)], export_limit=1.0, export_price=0.5)
    inp = replace(inp, market=replace(inp.market, trade_pace=10.0, net_import_prev_twh=0.0))
    free = plan(inp)
    assert -free.dispatch.set_index("tech").loc["export", "twh"] == pytest.approx(8.76, rel=REL)
    capped = plan(replace(inp, market=replace(inp.market, export_cap_twh=3.0)))
    assert -capped.dispatch.set_index("tech").loc["export", "twh"] == pytest.approx(3.0, rel=REL)


def test_grid_electricity_carries_its_carbon_cost():
    """Gas at 0.3 Mtce/TWh costs 0.30 bnCNY/TWh, 0.348 with a carbon price of 100 CNY/t
    (0.3 x 1.6 t/tce x 0.1); imports cost 0.32, and 0.38 with the grid's 0.6 t/MWh priced.
    Without the grid's carbon cost the price would make the city import (0.32 < 0.348), a
    leak; with it gas still runs and nothing is imported."""
    kw = dict(gens=[gas(1.0, heat_rate=0.3)], import_limit=1.0, import_price=0.32)
    assert plan(micro(**kw)).energy["net_import_twh"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    priced = plan(micro(**kw, carbon_price=(100.0,)))
    assert priced.energy["net_import_twh"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    cheap_kw = dict(kw, import_price=0.28)
    cheap = plan(micro(**cheap_kw, carbon_price=(100.0,)))
    assert cheap.energy["net_import_twh"].iloc[0] == pytest.approx(8.76, rel=REL)  # 0.34 < 0.348


def test_co2_target_counts_imports_only_when_the_scenario_says_so():
    """CO2 cap 1 Mt, all power imported (8.76 TWh at 0.6 t/MWh = 5.256 Mt): with imports
    counted the cap is missed by 4.256 Mt; territorially the city emits nothing."""
    kw = dict(gens=[], import_limit=1.0, co2_cap_mt=(1.0,))
    counted = plan(micro(**kw))
    territorial = plan(micro(**kw, co2_includes_imports=False))
    assert target(counted, "co2")["slack"] == pytest.approx(5.256 - 1.0, rel=1e-6)
    assert target(territorial, "co2")["slack"] == pytest.approx(0.0, abs=1e-9)
    assert territorial.energy["co2_territorial_mt"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_family_coal_flexibility():
    """2 GW coal kept (min 0.4 -> 0.8 GW must-run) for 0.5 GW load: retrofit
    (min 0.2) of x GW with 0.8 - 0.2 x = 0.5 -> x = 1.5 GW, no spill."""
    params = replace(
        default_parameters(reserve_margin=0.0, peak_pu=1.0, discount_rate=0.0), coal_flex_min_load=0.2
    )
    inp = micro(gens=[coal(2.0, min_load=0.4)], demand_twh=8.76 * 0.5, min_coal_gw=2.0, params=params)
    res = plan(inp)
    assert res.ok
    flex = res.capacity.query("tech == 'coal'")["flexible_gw"].iloc[0]
    assert flex == pytest.approx(1.5, rel=1e-6)
    assert res.hourly["spill"].max() == pytest.approx(0.0, abs=1e-9)


def test_family_balance():
    """The hourly balance recomputed from the solution holds in every hour."""
    res = plan(toy_input(n_days=3, n_years=2))
    h = res.hourly
    supply = sum(v for k, v in h.items() if k.startswith("gen:"))
    supply = supply + sum(v for k, v in h.items() if k.startswith("discharge:"))
    supply = supply - sum(v for k, v in h.items() if k.startswith("charge:"))
    supply = supply + h["import"] - h["export"] + h["shed"] - h["spill"]
    inp = toy_input(n_days=3, n_years=2)
    prog = res.programmes.pivot(index="programme", columns="year", values="level_mtce")
    el = prog.loc["other_industry:electrification"].to_numpy()
    e = inp.params.electrification_twh_per_mtce
    demand = (np.array(inp.outlook.electricity_twh) + e * el) * 1e3 / 8760
    load = demand[:, None, None] * inp.days.load_pu[None]
    np.testing.assert_allclose(supply, load, rtol=1e-7, atol=1e-7)


def test_family_storage():
    """A battery shifts solar: cyclic state of charge, losses = (1 - eff) x charge."""
    sun = np.zeros((1, 24))
    sun[0, 8:16] = 1.0
    days = Days.of(_Raw(np.array([365.0]), np.ones((1, 24)), sun, np.zeros((1, 24))))
    res = plan(
        micro(
            gens=[gas(1.0), solar(2.0)],
            stores=[
                battery(buildable=False).__class__(
                    T("battery_2h"), 0.5, duration_h=2.0, efficiency=0.81, capacity_credit=0.5
                )
            ],
            days=days,
        )
    )
    ch, dis, soc = (res.hourly[f"{k}:battery_2h"][0, 0] for k in ("charge", "discharge", "soc"))
    assert dis.sum() == pytest.approx(0.81 * ch.sum(), rel=1e-7)
    assert soc.max() <= 1.0 + 1e-9  # 2 h x 0.5 GW
    assert (ch + dis).max() <= 0.5 + 1e-9
    assert soc[23] + 0.81 * ch[0] - dis[0] == pytest.approx(soc[0], abs=1e-8)
    assert dis.sum() > 0.5  # it is used


def test_family_storage_mandate():
    """Storage 0.2 x 2 h per GW of new PV; only 2-hour batteries: 0.2 GW per GW of PV."""
    inp = micro(
        gens=[gas(1.0), solar(0.0, buildable=True)],
        stores=[battery()],
        potentials={(T("solar"), L("general")): 1.0},
        storage_power_ratio=0.2,
        storage_duration_h=4.0,
        carbon_price=(2000.0,),
    )
    res = plan(inp)
    pv = res.capacity.query("tech == 'solar'")["new_gw"].iloc[0]
    bat = res.capacity.query("tech == 'battery_2h'")["new_gw"].iloc[0]
    assert pv == pytest.approx(1.0, rel=1e-6)
    # energy: 2 h x bat >= 0.2 x 4 h x 1 GW -> bat >= 0.4 GW (binds before power 0.2 GW)
    assert bat == pytest.approx(0.4, rel=1e-6)


def test_storage_mandate_covers_only_the_land_classes_it_names():
    """Ratio 0.2 x 2 h on desert PV only: 1 GW on desert and 1 GW on general land need
    0.2 GW of 2-hour batteries, not 0.4."""
    inp = micro(
        gens=[gas(2.0), solar(0.0, buildable=True)],
        stores=[battery()],
        potentials={(T("solar"), L("general")): 1.0, (T("solar"), L("desert")): 1.0},
        storage_power_ratio=0.2,
        storage_duration_h=2.0,
        storage_land_classes=frozenset({"desert"}),
        carbon_price=(2000.0,),
        demand_twh=2 * 8.76,
    )
    res = plan(inp)
    pv = res.capacity.query("tech == 'solar'")["new_gw"].iloc[0]
    bat = res.capacity.query("tech == 'battery_2h'")["new_gw"].iloc[0]
    assert pv == pytest.approx(2.0, rel=1e-6)
    assert bat == pytest.approx(0.2, rel=1e-6)


def test_family_storage_coupling():
    """Gas 1 GW must run flat at 1 GW (no other supply) and the load is 0.5 GW by day and 1.5 GW
    by night: with batteries coupled to PV (which is 0 here) they cannot shift gas output, so
    the night shortfall is unserved; uncoupled, the battery charges from gas by day."""
    load = np.ones((1, 24))
    load[0, :12], load[0, 12:] = 0.5, 1.5
    days = Days.of(_Raw(np.array([365.0]), load, np.zeros((1, 24)), np.zeros((1, 24))))
    sto = Storage(T("battery_4h"), 1.0, duration_h=12.0, efficiency=1.0, capacity_credit=0.5)
    kw = dict(gens=[gas(1.0), solar(0.0, buildable=True)], stores=[sto], days=days)
    free = plan(micro(**kw))
    coupled = plan(micro(**kw, storage_charges_from_vre=True))
    assert free.hourly["charge:battery_4h"].sum() > 1.0
    charge = coupled.hourly["charge:battery_4h"][0, 0]
    sun = coupled.hourly["gen:solar"][0, 0] if "gen:solar" in coupled.hourly else np.zeros(24)
    assert (charge <= sun + 1e-9).all()


def test_family_annual_energy():
    """Annual TWh = sum of weights x hourly GW / 1000 (2 days of different weight)."""
    days = Days.of(_Raw(np.array([300.0, 65.0]), np.ones((2, 24)), np.full((2, 24), 0.5), np.zeros((2, 24))))
    res = plan(micro(gens=[gas(1.0), solar(1.0)], days=days))
    d = res.dispatch.set_index("tech")["twh"]
    assert d["solar"] == pytest.approx(0.5 * 24 * 365 / 1e3, rel=REL)
    assert d["gas"] == pytest.approx(0.5 * 24 * 365 / 1e3, rel=REL)


def test_family_new_vintage():
    """PV 1 GW of which 0.4 GW built after the base year (cf 0.5): new generation 1.752
    TWh leaves the total under the 2021 rule, old PV (at 0.3 Mtce/TWh) and gas count.

    Gas burns 0.35 Mtce/TWh, more than PV counts, so curtailing PV never helps the cap."""
    rule = Counting(nonfossil_new_in_total=False, feedstock_in_total=False)
    inp = micro(
        gens=[gas(1.0, heat_rate=0.35), solar(1.0, base_gw=0.6)], counting=(rule,), energy_cap_mtce=(0.0,)
    )
    res = plan(inp)
    new_twh = 0.4 * 0.5 * 8.76
    assert energy(res, "nonfossil_new_twh") == pytest.approx(new_twh, rel=1e-6)
    gas_twh = 8.76 * 0.5
    expected = 0.35 * gas_twh + 0.3 * (0.6 * 0.5 * 8.76)
    assert energy(res, "counted_total_mtce") == pytest.approx(expected, rel=1e-6)


def test_family_nonfossil_consumption():
    """Solar 2 GW (cf 0.5: 1 GW) in a city that uses 0.5 GW and exports the rest (k = 0.3).

    Under the 2024 rule its own non-fossil consumption (4.38 TWh) leaves the check and the
    4.38 TWh exported earn no credit: counted energy 0, so a cap of -0.1 Mtce is missed by
    0.1. Counting everything (pre-2021), it is k x (8.76 - 4.38) = 1.314 Mtce."""
    out = Counting(False, False, False, False, False)
    kw = dict(gens=[solar(2.0)], demand_twh=4.38, export_limit=1.0, export_price=0.1)
    res = plan(micro(counting=(out,), energy_cap_mtce=(-0.1,), **kw))
    assert energy(res, "net_import_twh") == pytest.approx(-4.38, rel=REL)
    assert energy(res, "counted_total_mtce") == pytest.approx(0.0, abs=1e-9)
    assert energy(res, "counted_intensity_mtce") == pytest.approx(0.0, abs=1e-9)
    assert target(res, "energy_total")["slack"] == pytest.approx(0.1, rel=REL)
    res = plan(micro(**kw))
    assert energy(res, "counted_total_mtce") == pytest.approx(0.3 * 4.38, rel=REL)


def test_family_programmes():
    """Coal final use 10 Mtce (coal 0.5 bn/Mtce), cap 0.5 Mtce below use in year 1, none in
    year 2. A programme costing 0.1 saves more fuel than it costs: full potential (2 Mtce)
    both years. At 0.7 (net 0.2 > 0) it saves just the 0.5 Mtce the cap needs, and keeps
    that level in year 2 (programmes stay done)."""
    prog = Programme("steel:efficiency", "efficiency", (2.0, 2.0), cost=0.1, carrier_shares={C("coal"): 1.0})
    inp = micro(
        gens=[gas(1.0)],
        years=2,
        fossil={"coal": 10.0},
        programmes=[prog],
        energy_cap_mtce=(0.2 * 8.76 + 9.5, 1e9),
        demand_twh=(8.76, 8.76),
    )
    res = plan(inp)
    lev = res.programmes["level_mtce"].to_numpy()
    np.testing.assert_allclose(lev, [2.0, 2.0], rtol=1e-7)
    prog2 = replace(prog, cost=0.7)
    res2 = plan(replace(inp, programmes=(prog2,)))
    lev2 = res2.programmes["level_mtce"].to_numpy()
    np.testing.assert_allclose(lev2, [0.5, 0.5], rtol=1e-6)


def test_family_potential():
    """Cheap PV on two land classes (0.3 + 0.2 GW): both filled, no more."""
    inp = micro(
        gens=[gas(1.0), solar(0.0, buildable=True, capex_annual=0.01)],
        potentials={(T("solar"), L("rooftop")): 0.3, (T("solar"), L("desert")): 0.2},
    )
    res = plan(inp)
    nb = res.new_by_land.set_index("land_class")["new_gw"]
    assert nb["rooftop"] == pytest.approx(0.3, rel=1e-7)
    assert nb["desert"] == pytest.approx(0.2, rel=1e-7)


def test_family_build_rate():
    """Gas needed 0.5 GW per year for two years, but at most 0.3 GW a year: 0.3, 0.3
    (built early for the second year) and reserve/lost load only where short."""
    inp = micro(gens=[gas(0.5, buildable=True, build_limit_gw=0.3)], years=2, demand_twh=(8.76, 8.76 * 1.1))
    res = plan(inp)
    new = res.capacity.query("tech == 'gas'")["new_gw"].to_numpy()
    assert new.max() <= 0.3 + 1e-9
    assert new.sum() == pytest.approx(0.6, rel=1e-7)


def test_family_coal_substitution():
    """New coal needs 1:1 retirement: 1 GW old coal (heat rate 0.45) is replaced by new
    coal only as far as it retires; capacity never exceeds the old fleet."""
    old = coal(1.0, heat_rate=0.45, buildable=True, capex_annual=0.01, min_load=0.0)
    inp = micro(gens=[old], demand_twh=8.76 * 1.2, import_limit=1.0, coal_substitution_ratio=1.0)
    res = plan(inp)
    row = res.capacity.query("tech == 'coal'").iloc[0]
    assert row["new_gw"] <= row["retired_gw"] + 1e-9
    free = plan(replace(inp, policy=replace(inp.policy, coal_substitution_ratio=None)))
    assert cap_of(free, "coal") == pytest.approx(1.2, rel=1e-6)  # builds the 0.2 GW


def test_family_firm_capacity():
    """Peak 1.3 x 1 GW x (1 + 0.1) = 1.43 GW firm: gas 1 GW existing, 0.43 GW built although
    the energy needs only 1 GW; the dual is the cost of one more kW (annuity + fom)."""
    params = default_parameters(reserve_margin=0.1, peak_pu=1.3, discount_rate=0.0)
    res = plan(micro(gens=[gas(1.0, buildable=True)], params=params))
    assert cap_of(res, "gas") == pytest.approx(1.43, rel=1e-7)
    sh = res.shadow.query("constraint == 'firm_capacity'").iloc[0]
    assert sh["value"] == pytest.approx((0.2 + 0.05) * 1e3, rel=1e-6)  # CNY/kW/yr


def test_new_coal_only_for_the_firm_capacity_shortfall():
    """Firm need 1.3 x 1 GW x 1.1 = 1.43 GW against 1 GW of coal: 0.43 GW short. Exports at
    0.5 bnCNY/TWh pay for new coal (0.19 all in), so without the rule the city builds 1 GW to
    fill its 1 GW line; as a supply-security source (adequacy_only) it builds the 0.43 GW."""
    params = default_parameters(reserve_margin=0.1, peak_pu=1.3, discount_rate=0.0)
    inp = micro(gens=[coal(1.0, buildable=True)], export_limit=1.0, export_price=0.5, params=params)
    assert cap_of(plan(inp), "coal") == pytest.approx(2.0, rel=1e-7)
    only = replace(inp, generators=(replace(inp.generators[0], adequacy_only=True),))
    assert cap_of(plan(only), "coal") == pytest.approx(1.43, rel=1e-7)


def test_family_energy_targets():
    """Total energy: gas 8.76 TWh x 0.2 = 1.752 Mtce; a cap of 1.5 cannot be met (no other
    option): slack 0.252 Mtce, marginal cost = the penalty. Intensity alike, in tce/10k CNY
    (GDP 100 bn). A cap of 1.8 is met as is: not binding."""
    inp = micro(gens=[gas(1.0)], energy_cap_mtce=(1.5,), intensity_cap=(0.1,))
    res = plan(inp)
    tt = target(res, "energy_total")
    assert tt["value"] == pytest.approx(1.752, rel=1e-7)
    assert tt["slack"] == pytest.approx(0.252, rel=1e-7)
    # missed: the dual is the slack penalty, no price; the gap and its reason are reported
    assert math.isnan(tt["marginal_cost"])
    assert tt["gap_reason"]
    ti = target(res, "energy_intensity")
    assert ti["value"] == pytest.approx(1.752 / 100 * 10, rel=1e-7)
    assert ti["slack"] == pytest.approx(0.1752 - 0.1, rel=1e-6)
    res2 = plan(micro(gens=[gas(1.0)], energy_cap_mtce=(1.8,)))
    assert not target(res2, "energy_total")["binding"]


def test_family_energy_target_dual():
    """A cap met by a programme at a known cost: its marginal cost is the programme's net
    cost per tce: 0.9 bn/Mtce less 0.5 of coal saved = 400 CNY/tce; level = the 1 Mtce gap."""
    prog = Programme("x:efficiency", "efficiency", (5.0,), cost=0.9, carrier_shares={C("coal"): 1.0})
    inp = micro(
        gens=[gas(1.0)], fossil={"coal": 5.0}, programmes=[prog], energy_cap_mtce=(1.752 + 5.0 - 1.0,)
    )
    res = plan(inp)
    tt = target(res, "energy_total")
    assert tt["slack"] == pytest.approx(0.0, abs=1e-9)
    # saving 1 Mtce of coal costs 0.9 and saves 0.5 of coal fuel: 0.4 bn/Mtce = 400 CNY/tce
    assert tt["marginal_cost"] == pytest.approx(400.0, rel=1e-6)
    assert res.programmes["level_mtce"].iloc[0] == pytest.approx(1.0, rel=1e-7)


def test_family_coal_cap():
    """Coal power 1 GW flat (0.3 Mtce/TWh) = 2.628 Mtce; cap 2.0 -> gas (dearer) covers the
    rest: coal generation 2.0 / 0.3 TWh."""
    inp = micro(gens=[coal(1.0, min_load=0.0), gas(1.0)], coal_cap_mtce=(2.0,))
    res = plan(inp)
    assert energy(res, "coal_mtce") == pytest.approx(2.0, rel=1e-7)
    t = target(res, "coal")
    # one more Mtce of coal: 1/0.3 TWh moves from gas to coal, saving (0.2 x 1.0 - 0.3 x 0.5)
    # bn/TWh of fuel, but needs 1/(0.3 x 8.76) GW more coal kept (not retired) at 0.06 fom
    fuel = (0.2 * 1.0 - 0.3 * 0.5) / 0.3
    fom = 0.06 / (0.3 * 8.76)
    assert t["marginal_cost"] == pytest.approx((fuel - fom) * 1e3, rel=1e-6)


def test_family_co2_targets():
    """CO2 of gas power: 1.752 Mtce x 1.6 = 2.8032 Mt. Imports (0.6 t/MWh) emit more than
    gas power (0.2 x 1.6 = 0.32 t/MWh), so a cap of 2.5 Mt cannot be met: slack 0.3032 Mt
    at the penalty. CO2 intensity alike (GDP 100 bn)."""
    inp = micro(
        gens=[gas(1.0)], co2_cap_mt=(2.5,), co2_intensity_cap=(1.0,), import_limit=1.0, import_price=0.5
    )
    res = plan(inp)
    assert target(res, "co2")["slack"] == pytest.approx(2.8032 - 2.5, rel=1e-6)
    assert target(res, "co2")["value"] == pytest.approx(2.8032, rel=1e-7)
    assert target(res, "co2_intensity")["value"] == pytest.approx(2.8032 / 100 * 10, rel=1e-7)
    assert math.isnan(target(res, "co2")["marginal_cost"])  # missed: a gap, not a price
    assert target(res, "co2")["gap_reason"]


def test_family_budget():
    """Peak needs 0.43 GW of new gas (2.0 bn/GW overnight = 0.86 bn); budget 0.5 bn:
    0.25 GW built, the rest is reserve slack, the budget's shadow price is reported."""
    params = default_parameters(reserve_margin=0.1, peak_pu=1.3, discount_rate=0.0)
    inp = micro(gens=[gas(1.0, buildable=True)], params=params, budget_bn=(0.5,))
    res = plan(inp)
    assert cap_of(res, "gas") == pytest.approx(1.25, rel=1e-7)
    sh = res.shadow.set_index("constraint")
    assert sh.loc["firm_capacity", "slack"] == pytest.approx(0.18, rel=1e-6)
    assert sh.loc["budget", "value"] > 0


def test_every_family_has_a_test():
    names = {n[len("test_family_") :] for n in dir(sys.modules[__name__]) if n.startswith("test_family_")}
    missing = [f for f in FAMILIES if f not in names]
    assert not missing, f"constraint families without a test: {missing}"


# --------------------------------------------------------------------- invariants


def test_costs_sum_to_objective():
    res = plan(toy_input(n_days=4, n_years=3))
    assert res.cost["bn_cny_pv"].sum() == pytest.approx(res.objective, rel=1e-7)


def test_model_counts_and_names():
    m = build(toy_input(n_days=2, n_years=2))
    for fam in ("capacity_state", "availability", "balance", "storage", "firm_capacity"):
        assert hasattr(m, fam)
    assert not hasattr(m, "target_energy_total")  # no cap given -> family returns early


def test_infeasible_input_is_reported_not_raised():
    """Keeping 2 GW coal for security with 1 GW to retire from a 2 GW fleet is impossible."""
    inp = micro(gens=[coal(2.0, min_load=0.0)], forced_coal_retirement_gw=(1.0,), min_coal_gw=2.0)
    res = plan(inp)
    assert res.status in ("infeasible", "infeasible_or_unbounded")
    assert any("policy.min_coal_gw" in m for m in res.messages)
    assert res.capacity.empty


def test_unreachable_load_gives_lost_load_message():
    res = plan(micro(gens=[gas(0.5)]))
    assert res.ok
    assert res.dispatch.set_index("tech")["twh"]["unserved"] == pytest.approx(8.76 * 0.5, rel=1e-7)
    assert any("unserved" in m for m in res.messages)


def test_resolve_without_rebuild_matches_fresh_build():
    a = toy_input(n_days=3, n_years=2)
    b = toy_input(n_days=3, n_years=2, carbon_price=(300.0, 300.0), energy_cap_mtce=(19.0, 19.0))
    p = Planner(replace(a, policy=replace(a.policy, energy_cap_mtce=(1e3, 1e3))))
    p.solve()
    rebuilt = p.update(b)
    assert not rebuilt
    warm = p.solve()
    fresh = plan(b)
    assert warm.objective == pytest.approx(fresh.objective, rel=1e-7)
    assert warm.timings["warm"]


def test_rolling_costs_no_less_than_foresight():
    inp = toy_input(n_days=2, n_years=3, energy_cap_mtce=(20.0, 19.8, 19.6))
    fore = plan(inp)
    roll = plan_rolling(inp, window=1)
    assert len(roll) == 3 and all(r.ok for r in roll)
    assert roll[1].years == (2022,)
    nxt = advance(inp, fore)
    assert nxt.years == (2022, 2023)
    assert nxt.generator("wind").existing_gw == pytest.approx(cap_of(fore, "wind"), rel=1e-9)


def test_validate_names_the_input():
    inp = toy_input(n_days=2, n_years=2)
    bad = replace(inp, outlook=replace(inp.outlook, gdp_bn=(1.0,)))
    msgs = bad.validate()
    assert any(m.startswith("outlook.gdp_bn") for m in msgs)
    assert math.isfinite(plan(inp).objective)


def test_export_writes_every_input_and_the_solution(tmp_path):
    from zonesim.planner.export import export

    inp = toy_input(n_days=2, n_years=2)
    res = plan(inp)
    files = {p.name for p in export(inp, res, tmp_path)}
    for name in (
        "inputs_days",
        "inputs_generators",
        "inputs_storage",
        "inputs_potentials",
        "inputs_programmes",
        "inputs_years",
        "inputs_scalars",
        "status",
        "solution_capacity",
        "solution_cost",
        "solution_targets",
        "solution_hourly",
    ):
        assert f"{name}.csv" in files
    import pandas as pd

    days = pd.read_csv(tmp_path / "inputs_days.csv")
    assert len(days) == 2 * 24 and days["weight_days"].sum() == pytest.approx(365 * 24)
    gens = pd.read_csv(tmp_path / "inputs_generators.csv")
    assert {"tech", "attribute", "value", "unit"} <= set(gens.columns)
    hourly = pd.read_csv(tmp_path / "solution_hourly.csv")
    assert set(hourly["unit"]) == {"GW", "GWh"}


def test_output_based_free_allocation_nets_the_carbon_cost_of_generation():
    """Coal at 0.3 Mtce/TWh (0.81 tCO2/MWh) costs 0.15 bnCNY/TWh, gas 0.30: coal runs. A price
    of 200 CNY/t makes coal 0.312 and gas 0.396 without allocation; with allowances equal to
    each plant's own CO2 per MWh the price changes nothing (the merit order and the cost stay)
    and the carbon payments are zero; the allocation is in the export."""
    from zonesim.planner.export import input_tables

    kw = dict(gens=[coal(1.0, heat_rate=0.3), gas(1.0, heat_rate=0.3)])
    free = {"coal": 0.3 * 2.7, "gas": 0.3 * 1.6}
    none = plan(micro(**kw))
    priced = plan(micro(**kw, carbon_price=(200.0,)))
    allocated = plan(micro(**kw, carbon_price=(200.0,), free_allocation=free))
    for res in (priced, allocated):
        assert energy(res, "power_fuel_coal_mtce") == pytest.approx(
            energy(none, "power_fuel_coal_mtce"), rel=REL
        )
    cost = allocated.cost
    assert float(cost.loc[cost["item"] == "carbon", "bn_cny"].sum()) == pytest.approx(0.0, abs=1e-9)
    assert float(priced.cost.loc[priced.cost["item"] == "carbon", "bn_cny"].sum()) > 1.0
    years = input_tables(micro(**kw, carbon_price=(200.0,), free_allocation=free))["inputs_years"]
    assert years["free_allocation_coal_t_per_mwh"].iloc[0] == pytest.approx(0.81)


def test_table_of_targets_names_the_model():
    """Every row of targets.csv names the LP's cap, row and slack of its target, and the
    results read them back by those names: a micro city with all five targets."""
    from zonesim.planner.targets import TARGETS

    caps = dict(
        energy_cap_mtce=(5.0,),
        intensity_cap=(0.5,),
        coal_cap_mtce=(5.0,),
        co2_cap_mt=(20.0,),
        co2_intensity_cap=(2.0,),
    )
    inp = micro(gens=[gas(1.0)], **caps)
    m = build(inp)
    for name, t in TARGETS.items():
        assert t.lp_parameter in caps
        for attr in (t.cap_param, t.constraint, t.slack, t.penalty):
            assert hasattr(m, attr), f"{name}: the model has no {attr}"
    res = plan(inp)
    tt = res.targets.set_index("target")
    assert list(tt.index) == list(TARGETS)
    for name, t in TARGETS.items():
        assert tt.loc[name, "unit"] == t.unit and tt.loc[name, "marginal_cost_unit"] == t.marginal_unit
        assert t.lp_measure in res.energy.columns
    # gas 8.76 TWh x 0.2 = 1.752 Mtce; CO2 1.6 x 1.752 = 2.8032 Mt; GDP 100 bn: /10 -> per 10k
    assert tt.loc["energy_total", "value"] == pytest.approx(1.752, rel=REL)
    assert tt.loc["energy_intensity", "value"] == pytest.approx(0.1752, rel=REL)
    assert tt.loc["co2_intensity", "value"] == pytest.approx(0.28032, rel=REL)
