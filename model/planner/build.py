"""Build one city's planning LP (Pyomo) from a :class:`PlannerInput`.

:func:`build` reads top to bottom: index sets, coefficients, variables, then one ``add_*``
function per constraint family, then the objective. Each ``add_*`` states its math in its
docstring (notation of ``docs/planner.md``), returns early when its index set is empty and
names what it adds ``<family>`` or ``<family>_<part>``.

Every number the LP reads is a *mutable* Param computed by :func:`coefficients`, so that a
batch that changes prices, caps, demand or existing capacity re-solves the same model
(see :mod:`zonesim.planner.solve`). What cannot change without a rebuild is the
:func:`structure` of the model: the sets, the representative days (they enter the hourly
rows as plain numbers), storage efficiencies and durations, coal minimum loads, which
targets exist, and which build limits are finite.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from zonesim.planner.inputs import (
    ANY_LAND,
    FOSSIL_CARRIERS,
    TARGETS,
    Carrier,
    LandClass,
    PlannerInput,
    TechName,
)
from zonesim.units import HOURS_PER_DAY, HOURS_PER_YEAR, KILO, MILLI, PER_BN_TO_PER_10K

MEAN_GW_PER_TWH = KILO / HOURS_PER_YEAR  # 1 TWh/yr is 0.114 GW on average


@dataclass(frozen=True)
class IndexSets:
    """Sparse index sets of one city's LP, computed once from the input."""

    n_years: int
    n_days: int
    gens: tuple[TechName, ...]
    fossil: tuple[TechName, ...]
    vre: tuple[TechName, ...]
    hydro: tuple[TechName, ...]
    planned: tuple[TechName, ...]
    nonfossil: tuple[TechName, ...]
    renewable: tuple[TechName, ...]
    build: tuple[tuple[TechName, LandClass], ...]
    build_limited: tuple[TechName, ...]
    storage: tuple[TechName, ...]
    storage_build: tuple[tuple[TechName, LandClass], ...]
    storage_limited: tuple[TechName, ...]
    coupled_storage: tuple[TechName, ...]
    potential: tuple[tuple[TechName, LandClass], ...]
    programmes: tuple[str, ...]
    electrification: tuple[str, ...]
    carriers: tuple[Carrier, ...]
    programme_carriers: tuple[Carrier, ...]
    has_coal: bool
    trade_pace: bool
    coal_flex: bool
    coal_substitution: bool
    target_years: dict[str, tuple[int, ...]]
    budget_years: tuple[int, ...]


def index_sets(inp: PlannerInput) -> IndexSets:
    """The sparse sets: only technologies present or buildable, only targets that exist."""
    gens = tuple(g for g in inp.generators if g.existing_gw > 0 or g.buildable)
    by_name = {g.name: g for g in gens}
    pot_techs = {t for (t, _) in inp.potentials}

    def land(name: TechName, buildable: bool) -> list[tuple[TechName, LandClass]]:
        if not buildable:
            return []
        if name in pot_techs:
            return [(t, lc) for (t, lc) in inp.potentials if t == name]
        return [(name, ANY_LAND)]

    build = [b for g in gens for b in land(g.name, g.buildable)]
    stores = tuple(s for s in inp.storage if s.existing_gw > 0 or s.buildable)
    sbuild = [b for s in stores for b in land(s.name, s.buildable)]
    coal = by_name.get(TechName("coal"))
    pol = inp.policy
    target_years = {
        name: tuple(i for i, v in enumerate(getattr(pol, attr) or ()) if v is not None)
        for name, (attr, _) in TARGETS.items()
    }
    built = {t for (t, _) in build}
    sbuilt = {t for (t, _) in sbuild}
    return IndexSets(
        n_years=inp.n_years,
        n_days=inp.days.n_days,
        gens=tuple(g.name for g in gens),
        fossil=tuple(g.name for g in gens if g.kind == "fossil"),
        vre=tuple(g.name for g in gens if g.kind == "vre"),
        hydro=tuple(g.name for g in gens if g.kind == "hydro"),
        planned=tuple(g.name for g in gens if g.kind == "fossil" and g.full_load_hours is not None),
        nonfossil=tuple(g.name for g in gens if g.kind != "fossil"),
        renewable=tuple(g.name for g in gens if g.renewable and g.kind != "fossil"),
        build=tuple(build),
        build_limited=tuple(g.name for g in gens if g.name in built and np.isfinite(g.build_limit_gw)),
        storage=tuple(s.name for s in stores),
        storage_build=tuple(sbuild),
        storage_limited=tuple(s.name for s in stores if s.name in sbuilt and np.isfinite(s.build_limit_gw)),
        coupled_storage=tuple(s.name for s in stores if s.name.startswith("battery"))
        if pol.storage_charges_from_vre and any(g.kind == "vre" for g in gens)
        else (),
        potential=tuple(b for b in build + sbuild if b[1] != ANY_LAND),
        programmes=tuple(p.name for p in inp.programmes),
        electrification=tuple(p.name for p in inp.programmes if p.kind == "electrification"),
        carriers=FOSSIL_CARRIERS,
        programme_carriers=tuple(
            cr for cr in FOSSIL_CARRIERS if any(p.carrier_shares.get(cr) for p in inp.programmes)
        ),
        has_coal=coal is not None,
        trade_pace=bool(np.isfinite(inp.market.trade_pace)),
        coal_flex=coal is not None and coal.min_load > inp.params.coal_flex_min_load,
        coal_substitution=(coal is not None and coal.buildable and pol.coal_substitution_ratio is not None),
        target_years=target_years,
        budget_years=tuple(i for i, v in enumerate(pol.budget_bn or ()) if v is not None),
    )


def structure(inp: PlannerInput) -> str:
    """A key that changes exactly when the input needs a new model (not just new Params)."""
    s = index_sets(inp)
    h = hashlib.sha256(repr(s).encode())
    d = inp.days
    for a in (d.weights, d.load_pu, d.solar_cf, d.wind_cf):
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    h.update(repr(_structural_numbers(inp)).encode())
    return h.hexdigest()[:16]


def _structural_numbers(inp: PlannerInput) -> tuple:
    """Numbers written into hourly rows as plain floats (a change needs a rebuild)."""
    coal = inp.generator("coal")
    return (
        tuple((s.name, s.efficiency, s.duration_h) for s in inp.storage),
        coal.min_load if coal else None,
        tuple((g.name, g.availability) for g in inp.generators if g.kind != "vre"),
        inp.params.coal_flex_min_load,
        inp.params.electrification_twh_per_mtce,
    )


# --------------------------------------------------------------------------- coefficients


def coefficients(inp: PlannerInput, sets: IndexSets | None = None) -> dict[str, dict]:
    """Every mutable coefficient of the LP, in planner units, keyed by Param name.

    Derived coefficients (discounted cost per unit, caps turned into Mtce) are computed
    here, so that each term of the model is one Param times one variable.
    """
    s = sets or index_sets(inp)
    years = range(inp.n_years)
    gen = {g.name: g for g in inp.generators}
    sto = {x.name: x for x in inp.storage}
    mk, par, pol, out = inp.market, inp.params, inp.policy, inp.outlook
    r = par.discount_rate
    df = [(1.0 + r) ** -y for y in years]
    remaining = [sum(df[y:]) for y in years]  # PV of one unit per year from y to the end
    cp = [pol.carbon_price[y] * MILLI for y in years]
    ef = mk.emission_factor
    fuel_price = {c: mk.fuel_price.get(c, (0.0,) * inp.n_years) for c in FOSSIL_CARRIERS}

    fcp = cp if pol.final_carbon_price is None else [p * MILLI for p in pol.final_carbon_price]

    def carrier_cost(c: Carrier, y: int) -> float:
        """Fuel price plus carbon price of one Mtce of carrier c burnt in power plants, bnCNY/Mtce."""
        return fuel_price[c][y] + cp[y] * ef.get(c, 0.0)

    def final_cost(c: Carrier, y: int) -> float:
        """Fuel price plus the carbon price firms pay on one Mtce of carrier c, bnCNY/Mtce."""
        return fuel_price[c][y] + fcp[y] * ef.get(c, 0.0)

    d = inp.days
    annual_twh_per_gw = {  # annual energy of one GW at full availability, TWh/GW
        g: (
            float((d.weights[:, None] * d.profile(gen[g].profile)).sum()) / KILO
            if gen[g].kind == "vre"
            else (gen[g].full_load_hours or HOURS_PER_YEAR) / KILO
        )
        for g in s.renewable
    }
    c: dict[str, dict] = {}
    c["df"] = {y: df[y] for y in years}
    c["existing"] = {g: gen[g].existing_gw for g in s.gens}
    c["s_existing"] = {x: sto[x].existing_gw for x in s.storage}
    c["prior_new"] = {g: max(gen[g].existing_gw - gen[g].base_gw, 0.0) for g in s.renewable}
    c["annual_twh_per_gw"] = annual_twh_per_gw
    c["full_load_twh"] = {g: (gen[g].full_load_hours or HOURS_PER_YEAR) / KILO for g in s.hydro}
    c["plan_twh"] = {g: gen[g].full_load_hours / KILO for g in s.planned}
    c["plan_floor_twh"] = {g: gen[g].plan_floor_hours / KILO for g in s.planned}
    c["heat_rate"] = {g: gen[g].heat_rate for g in s.fossil}
    c["credit"] = {g: gen[g].capacity_credit for g in s.gens}
    c["s_credit"] = {x: sto[x].capacity_credit for x in s.storage}
    c["s_duration"] = {x: sto[x].duration_h for x in s.storage}
    c["build_limit"] = {g: gen[g].build_limit_gw for g in s.build_limited}
    c["s_build_limit"] = {x: sto[x].build_limit_gw for x in s.storage_limited}
    c["potential"] = {b: float(inp.potentials[b]) for b in s.potential}
    c["capex"] = {g: gen[g].capex for g in s.gens}
    c["s_capex"] = {x: sto[x].capex for x in s.storage}
    # objective: PV of the annuity from the year of build to the end of the horizon
    c["c_new"] = {(g, y): gen[g].capex_annual * remaining[y] for g in s.gens for y in years}
    c["c_snew"] = {(x, y): sto[x].capex_annual * remaining[y] for x in s.storage for y in years}
    c["c_fom"] = {(g, y): gen[g].fom * df[y] for g in s.gens for y in years}
    c["c_sfom"] = {(x, y): sto[x].fom * df[y] for x in s.storage for y in years}
    alloc = pol.free_allocation or {}
    c["c_gen"] = {
        (g, y): df[y] * (carrier_cost(gen[g].fuel, y) * gen[g].heat_rate - cp[y] * alloc.get(g, 0.0))
        for g in s.fossil
        for y in years
    }
    # grid electricity carries the carbon cost of its regional grid where generators pay one
    # (none under output-based free allocation: the supplying plants are allocated alike)
    grid_factor = 0.0 if pol.free_allocation is not None else mk.grid_emission_factor
    grid_carbon = [cp[y] * grid_factor for y in years]
    c["c_imp"] = {y: df[y] * (mk.import_price[y] + grid_carbon[y]) for y in years}
    c["c_exp"] = {y: df[y] * (mk.export_price[y] + grid_carbon[y]) for y in years}
    c["c_shed"] = {y: df[y] * par.lost_load_penalty for y in years}
    c["c_retro"] = {y: par.coal_flex_capex_annual * remaining[y] for y in years}
    prog = {p.name: p for p in inp.programmes}
    c["c_prog"] = {
        (p, y): df[y]
        * (prog[p].cost - sum(sh * final_cost(cr, y) for cr, sh in prog[p].carrier_shares.items()))
        for p in s.programmes
        for y in years
    }
    c["c_final"] = {
        "const": sum(
            df[y] * final_cost(cr, y) * out.fossil_final_mtce.get(cr, (0.0,) * inp.n_years)[y]
            for cr in FOSSIL_CARRIERS
            for y in years
        )
    }
    c["pen_energy"] = {y: df[y] * par.slack_penalty_energy for y in years}
    c["pen_co2"] = {y: df[y] * par.slack_penalty_co2 for y in years}
    c["pen_reserve"] = {y: df[y] * par.slack_penalty_reserve for y in years}
    c["pen_budget"] = {y: df[y] * par.budget_overrun_penalty for y in years}
    # demand, outlook, programmes
    c["demand_gw"] = {y: out.electricity_twh[y] * MEAN_GW_PER_TWH for y in years}
    c["fossil_final"] = {
        (cr, y): out.fossil_final_mtce.get(cr, (0.0,) * inp.n_years)[y]
        for cr in FOSSIL_CARRIERS
        for y in years
    }
    c["prog_max"] = {(p, y): prog[p].potential_mtce[y] for p in s.programmes for y in years}
    c["prog_existing"] = {p: prog[p].existing_mtce for p in s.programmes}
    c["share"] = {
        (p, cr): prog[p].carrier_shares.get(cr, 0.0) for p in s.programmes for cr in FOSSIL_CARRIERS
    }
    # grid
    c["import_limit"] = {"gw": mk.import_limit_gw}
    c["export_limit"] = {"gw": mk.export_limit_gw}
    if s.trade_pace:
        # without last year's flow (base year) only the hourly limits bound the change
        known = mk.net_import_prev_twh is not None
        wide = (mk.import_limit_gw + mk.export_limit_gw) * HOURS_PER_YEAR / KILO
        c["net_import_prev"] = {"twh": mk.net_import_prev_twh if known else 0.0}
        c["trade_band"] = {
            y: mk.trade_pace * out.electricity_twh[y] if known or y > 0 else wide for y in years
        }
    peak = par.peak_pu * (1.0 + par.reserve_margin)
    c["peak_req"] = {
        y: peak * c["demand_gw"][y] - mk.import_capacity_credit * mk.import_limit_gw for y in years
    }
    c["peak_per_mtce"] = {"x": peak * par.electrification_twh_per_mtce * MEAN_GW_PER_TWH}
    # policy
    counting = pol.counting
    k = pol.conversion_factor
    c["k"] = {y: k[y] for y in years}
    c["k_old_total"] = {y: k[y] * counting[y].nonfossil_old_in_total for y in years}
    c["k_new_total"] = {y: k[y] * counting[y].nonfossil_new_in_total for y in years}
    c["k_nf_intensity"] = {y: k[y] * counting[y].nonfossil_in_intensity for y in years}
    c["feedstock_out_total"] = {
        y: out.feedstock_mtce[y] * (not counting[y].feedstock_in_total) for y in years
    }
    c["feedstock_out_intensity"] = {
        y: out.feedstock_mtce[y] * (not counting[y].feedstock_in_intensity) for y in years
    }
    gdp10 = [out.gdp_bn[y] / PER_BN_TO_PER_10K for y in years]
    caps = {
        "energy_total": lambda y, v: v,
        "energy_intensity": lambda y, v: v * gdp10[y],  # tce/10kCNY -> Mtce
        "coal": lambda y, v: v,
        "co2": lambda y, v: v,
        "co2_intensity": lambda y, v: v * gdp10[y],  # tCO2/10kCNY -> MtCO2
    }
    for name, (attr, _) in TARGETS.items():
        values = getattr(pol, attr) or ()
        c[f"cap_{name}"] = {y: caps[name](y, values[y]) for y in s.target_years[name]}
    c["budget"] = {y: pol.budget_bn[y] for y in s.budget_years}
    c["ef"] = {cr: ef.get(cr, 0.0) for cr in FOSSIL_CARRIERS}
    c["ef_grid"] = {"x": mk.grid_emission_factor}
    c["ef_grid_target"] = {"x": mk.grid_emission_factor if pol.co2_includes_imports else 0.0}
    vre_build = [(g, lc) for (g, lc) in s.build if g in s.vre]
    on_classes = {b: pol.storage_land_classes is None or b[1] in pol.storage_land_classes for b in vre_build}
    ratio = {
        b: pol.storage_power_ratio if on else pol.storage_power_ratio_other for b, on in on_classes.items()
    }
    c["storage_ratio"] = {b: ratio[b] for b in vre_build}
    # wind and PV bases the policy orders on its land classes: a share of the remaining potential
    order = pol.build_order_share if pol.storage_land_classes else 0.0
    c["build_order"] = {
        b: order * float(inp.potentials.get(b, 0.0)) if on_classes.get(b, False) else 0.0 for b in s.build
    }
    c["storage_energy_ratio"] = {b: ratio[b] * pol.storage_duration_h for b in vre_build}
    # the developers' outlay on an ordered base, per GW: the plant and its coupled storage at
    # the cheapest storage that meets both the power and the energy ratio
    per_gw = min(
        (sto[x].capex * max(1.0, pol.storage_duration_h / sto[x].duration_h) for x in s.storage), default=0.0
    )
    c["developer_outlay"] = {
        b: (gen[b[0]].capex + ratio.get(b, 0.0) * per_gw) * (c["build_order"][b] > 0) for b in s.build
    }
    c["min_coal"] = {"gw": pol.min_coal_gw}
    c["forced_retirement"] = {y: pol.forced_coal_retirement_gw[y] for y in years}
    c["existing_flex"] = {"gw": inp.existing_flex_gw}
    c["substitution_ratio"] = {"x": pol.coal_substitution_ratio or 0.0}
    c["flex_capex"] = {"x": par.coal_flex_capex}
    c["prog_cost"] = {p: prog[p].cost for p in s.programmes}
    return c


# --------------------------------------------------------------------------- build


def build(inp: PlannerInput) -> pyo.ConcreteModel:
    """The LP of one city over ``inp.years`` (perfect foresight over that horizon)."""
    sets = index_sets(inp)
    m = pyo.ConcreteModel(name=f"planner_{inp.city_id}")
    m.sets = sets
    m.fuel_of = {g.name: g.fuel for g in inp.generators if g.kind == "fossil"}
    add_sets(m, inp, sets)
    add_parameters(m, coefficients(inp, sets))
    add_variables(m, sets)
    add_capacity_state(m)
    add_availability(m, inp)
    add_hydro_energy(m)
    add_plan_hours(m)
    add_coal_flexibility(m, inp)
    add_balance(m, inp)
    add_storage(m, inp)
    add_storage_mandate(m)
    add_storage_coupling(m)
    add_annual_energy(m, inp)
    add_trade_pace(m)
    add_new_vintage(m)
    add_programmes(m)
    add_potential(m)
    add_build_rate(m)
    add_coal_substitution(m)
    add_firm_capacity(m)
    add_energy_targets(m)
    add_coal_cap(m)
    add_co2_targets(m)
    add_budget(m)
    add_objective(m)
    return m


FAMILIES = (
    "capacity_state",
    "availability",
    "hydro_energy",
    "plan_hours",
    "coal_flexibility",
    "balance",
    "storage",
    "storage_mandate",
    "storage_coupling",
    "annual_energy",
    "trade_pace",
    "new_vintage",
    "programmes",
    "potential",
    "build_rate",
    "coal_substitution",
    "firm_capacity",
    "energy_targets",
    "coal_cap",
    "co2_targets",
    "budget",
)
"""Constraint families, one ``add_<family>`` each (tests check each has a test)."""


def add_sets(m: pyo.ConcreteModel, inp: PlannerInput, s: IndexSets) -> None:
    """Years Y (positions 0..n-1), days D, hours H, technologies, programmes, carriers."""
    m.Y = pyo.Set(initialize=range(s.n_years), ordered=True)
    m.D = pyo.Set(initialize=range(s.n_days), ordered=True)
    m.H = pyo.Set(initialize=range(HOURS_PER_DAY), ordered=True)
    m.T = pyo.Set(initialize=m.Y * m.D * m.H, dimen=3, ordered=True)
    m.G = pyo.Set(initialize=s.gens, ordered=True)
    m.GF = pyo.Set(initialize=s.fossil, within=m.G)
    m.GV = pyo.Set(initialize=s.vre, within=m.G)
    m.GH = pyo.Set(initialize=s.hydro, within=m.G)
    m.GP = pyo.Set(initialize=s.planned, within=m.G)
    m.GN = pyo.Set(initialize=s.nonfossil, within=m.G)
    m.GR = pyo.Set(initialize=s.renewable, within=m.G)
    m.GB = pyo.Set(initialize=s.build, dimen=2)
    m.GL = pyo.Set(initialize=s.build_limited, within=m.G)
    m.S = pyo.Set(initialize=s.storage, ordered=True)
    m.SB = pyo.Set(initialize=s.storage_build, dimen=2)
    m.SL = pyo.Set(initialize=s.storage_limited, within=m.S)
    m.PT = pyo.Set(initialize=s.potential, dimen=2)
    m.P = pyo.Set(initialize=s.programmes, ordered=True)
    m.PE = pyo.Set(initialize=s.electrification, within=m.P)
    m.C = pyo.Set(initialize=s.carriers, ordered=True)
    m.CP = pyo.Set(initialize=s.programme_carriers, within=m.C)
    for name, years in s.target_years.items():
        setattr(m, f"Y_{name}", pyo.Set(initialize=years, within=m.Y))
    m.Y_budget = pyo.Set(initialize=s.budget_years, within=m.Y)


def add_parameters(m: pyo.ConcreteModel, coef: dict[str, dict]) -> None:
    """One mutable Param per coefficient table (index = the table's keys)."""
    for name, values in coef.items():
        keys = list(values)
        index = pyo.Set(initialize=keys, dimen=_dimen(keys), ordered=True)
        setattr(m, f"{name}_index", index)
        setattr(m, name, pyo.Param(index, initialize=values, mutable=True, within=pyo.Reals))


def _dimen(keys: list) -> int:
    return len(keys[0]) if keys and isinstance(keys[0], tuple) else 1


def update_parameters(m: pyo.ConcreteModel, coef: dict[str, dict]) -> None:
    """Set every mutable Param of ``m`` to the values of ``coef`` (same structure)."""
    for name, values in coef.items():
        getattr(m, name).store_values(values)


def add_variables(m: pyo.ConcreteModel, s: IndexSets) -> None:
    """All decision variables, non-negative; bounds from mutable Params.

    Capacity cap[g,y], new[g,l,y] (>= build_order[g,l]: bases the policy orders), coal
    retirement ret[y] (>= forced retirement), coal capacity >= min_coal; storage scap[s,y],
    snew[s,l,y]; hourly gen, ch, dis, soc, imp (<= import limit), exp (<= export limit),
    shed and spill; annual gen_twh, imp_twh, exp_twh, unserved_twh; gen_new (new-vintage
    non-fossil generation); programme level prog[p,y] in [0, prog_max]; slack on each target.
    """
    nn = pyo.NonNegativeReals
    coal = TechName("coal")

    def cap_bounds(m, g, y):
        return (m.min_coal["gw"], None) if g == coal else (0, None)

    m.cap = pyo.Var(m.G, m.Y, within=nn, bounds=cap_bounds)
    m.new = pyo.Var(m.GB, m.Y, within=nn, bounds=lambda m, g, lc, y: (m.build_order[g, lc], None))
    m.scap = pyo.Var(m.S, m.Y, within=nn)
    m.snew = pyo.Var(m.SB, m.Y, within=nn)
    if s.has_coal:
        m.ret = pyo.Var(m.Y, within=nn, bounds=lambda m, y: (m.forced_retirement[y], None))
    if s.coal_flex:
        m.retro = pyo.Var(m.Y, within=nn)
        m.flex = pyo.Var(m.Y, within=nn)
    m.gen = pyo.Var(m.G, m.T, within=nn)
    m.ch = pyo.Var(m.S, m.T, within=nn)
    m.dis = pyo.Var(m.S, m.T, within=nn)
    m.soc = pyo.Var(m.S, m.T, within=nn)
    m.imp = pyo.Var(m.T, within=nn, bounds=lambda m, *t: (0, m.import_limit["gw"]))
    m.exp = pyo.Var(m.T, within=nn, bounds=lambda m, *t: (0, m.export_limit["gw"]))
    m.shed = pyo.Var(m.T, within=nn)
    m.spill = pyo.Var(m.T, within=nn)
    m.gen_twh = pyo.Var(m.G, m.Y, within=nn)
    m.imp_twh = pyo.Var(m.Y, within=nn)
    m.exp_twh = pyo.Var(m.Y, within=nn)
    m.unserved_twh = pyo.Var(m.Y, within=nn)
    m.gen_new = pyo.Var(m.GR, m.Y, within=nn)
    m.prog = pyo.Var(m.P, m.Y, within=nn, bounds=lambda m, p, y: (0, m.prog_max[p, y]))
    for name in s.target_years:
        setattr(m, f"slack_{name}", pyo.Var(getattr(m, f"Y_{name}"), within=nn))
    m.slack_reserve = pyo.Var(m.Y, within=nn)
    m.slack_budget = pyo.Var(m.Y_budget, within=nn)


def _prev(m, y):
    return y - 1 if y > 0 else None


def add_capacity_state(m: pyo.ConcreteModel) -> None:
    """Capacity as a state (GW).

    cap[g,y] = cap[g,y-1] + sum_l new[g,l,y] - ret[y]*[g = coal],  cap[g,-1] = existing[g]
    scap[s,y] = scap[s,y-1] + sum_l snew[s,l,y],                  scap[s,-1] = s_existing[s]
    """
    if not m.G and not m.S:
        return
    coal = TechName("coal")
    lands = _lands(m.GB)
    slands = _lands(m.SB)

    def gen_rule(m, g, y):
        before = m.cap[g, y - 1] if y > 0 else m.existing[g]
        built = sum(m.new[g, lc, y] for lc in lands.get(g, ()))
        retired = m.ret[y] if g == coal and hasattr(m, "ret") else 0
        return m.cap[g, y] - before - built + retired == 0

    def sto_rule(m, x, y):
        before = m.scap[x, y - 1] if y > 0 else m.s_existing[x]
        return m.scap[x, y] - before - sum(m.snew[x, lc, y] for lc in slands.get(x, ())) == 0

    m.capacity_state = pyo.Constraint(m.G, m.Y, rule=gen_rule)
    m.capacity_state_storage = pyo.Constraint(m.S, m.Y, rule=sto_rule)


def _lands(pairs) -> dict:
    out: dict = {}
    for t, lc in pairs:
        out.setdefault(t, []).append(lc)
    return out


def add_availability(m: pyo.ConcreteModel, inp: PlannerInput) -> None:
    """Hourly availability (GW).

    gen[g,y,d,h] <= cf[g,d,h] * cap[g,y]   for g in vre (cf = solar or wind profile)
    gen[g,y,d,h] <= a[g] * cap[g,y]        for dispatchable g (a = availability: outages)
    """
    if not m.G:
        return
    gen = {g.name: g for g in inp.generators}
    cf = {g: inp.days.profile(gen[g].profile) for g in m.GV}

    def rule(m, g, y, d, h):
        a = float(cf[g][d, h]) if g in cf else float(gen[g].availability)
        return m.gen[g, y, d, h] - a * m.cap[g, y] <= 0

    m.availability = pyo.Constraint(m.G, m.T, rule=rule)


def add_hydro_energy(m: pyo.ConcreteModel) -> None:
    """Annual energy of hydro (TWh): gen_twh[g,y] <= full_load_twh[g] * cap[g,y]."""
    if not m.GH:
        return
    m.hydro_energy = pyo.Constraint(
        m.GH, m.Y, rule=lambda m, g, y: m.gen_twh[g, y] <= m.full_load_twh[g] * m.cap[g, y]
    )


def add_plan_hours(m: pyo.ConcreteModel) -> None:
    """Annual generation plan of fossil plants (计划电量, TWh).

    plan_floor[g] / 1000 * cap[g,y] <= gen_twh[g,y] <= plan_hours[g] / 1000 * cap[g,y]
    (units are dispatched on annual plans that give each a similar number of hours; the
    plan hours are the province's published utilisation hours; the floor is the plan itself
    in the base year, which reproduces its dispatch, and 0 after.)
    """
    if not m.GP:
        return
    m.plan_hours = pyo.Constraint(
        m.GP, m.Y, rule=lambda m, g, y: m.gen_twh[g, y] <= m.plan_twh[g] * m.cap[g, y]
    )
    m.plan_hours_floor = pyo.Constraint(
        m.GP, m.Y, rule=lambda m, g, y: m.gen_twh[g, y] >= m.plan_floor_twh[g] * m.cap[g, y]
    )


def add_trade_pace(m: pyo.ConcreteModel) -> None:
    """Electricity trade changes at a limited pace (TWh): long-term contracts and lines.

    -band[y] <= (imp_twh[y] - exp_twh[y]) - (imp_twh[y-1] - exp_twh[y-1]) <= band[y],
    the year before the first being net_import_prev; band[y] = pace * demand[y].
    """
    if not m.sets.trade_pace:
        return

    def change(m, y):
        before = m.imp_twh[y - 1] - m.exp_twh[y - 1] if y > 0 else m.net_import_prev["twh"]
        return m.imp_twh[y] - m.exp_twh[y] - before

    m.trade_pace_up = pyo.Constraint(m.Y, rule=lambda m, y: change(m, y) <= m.trade_band[y])
    m.trade_pace_down = pyo.Constraint(m.Y, rule=lambda m, y: -change(m, y) <= m.trade_band[y])


def add_coal_flexibility(m: pyo.ConcreteModel, inp: PlannerInput) -> None:
    """Coal minimum load and its flexibility retrofit (GW).

    flex[y] = flex[y-1] + retro[y],  flex[-1] = existing_flex;   flex[y] <= cap[coal,y]
    gen[coal,y,d,h] >= mmin * cap[coal,y] - (mmin - mflex) * flex[y]
    """
    if not m.sets.coal_flex:
        return
    coal = TechName("coal")
    mmin = float(inp.generator("coal").min_load)
    mflex = float(inp.params.coal_flex_min_load)

    def state(m, y):
        before = m.flex[y - 1] if y > 0 else m.existing_flex["gw"]
        return m.flex[y] - before - m.retro[y] == 0

    m.coal_flexibility_state = pyo.Constraint(m.Y, rule=state)
    m.coal_flexibility_limit = pyo.Constraint(m.Y, rule=lambda m, y: m.flex[y] - m.cap[coal, y] <= 0)
    m.coal_flexibility = pyo.Constraint(
        m.T,
        rule=lambda m, y, d, h: (
            m.gen[coal, y, d, h] - mmin * m.cap[coal, y] + (mmin - mflex) * m.flex[y] >= 0
        ),
    )


def add_balance(m: pyo.ConcreteModel, inp: PlannerInput) -> None:
    """Hourly electricity balance (GW).

    sum_g gen + sum_s (dis - ch) + imp - exp + shed - spill
        = load[d,h] * (demand_gw[y] + e * sum_{p in PE} prog[p,y] / 8.76)
    with e the electricity per Mtce switched (TWh/Mtce) and load the per-unit profile.
    """
    load = inp.days.load_pu
    e = inp.params.electrification_twh_per_mtce * MEAN_GW_PER_TWH

    def rule(m, y, d, h):
        lp = float(load[d, h])
        supply = (
            sum(m.gen[g, y, d, h] for g in m.G)
            + sum(m.dis[x, y, d, h] - m.ch[x, y, d, h] for x in m.S)
            + m.imp[y, d, h]
            - m.exp[y, d, h]
            + m.shed[y, d, h]
            - m.spill[y, d, h]
        )
        extra = sum(lp * e * m.prog[p, y] for p in m.PE)
        return supply - extra == lp * m.demand_gw[y]

    m.balance = pyo.Constraint(m.T, rule=rule)


def add_storage(m: pyo.ConcreteModel, inp: PlannerInput) -> None:
    """Storage dynamics, cyclic within each day (GW, GWh).

    soc[s,y,d,h] = soc[s,y,d,h-1] + eta[s] * ch[s,y,d,h] - dis[s,y,d,h]   (h-1 of h=0 is 23)
    ch + dis <= scap[s,y];   soc <= duration[s] * scap[s,y]
    """
    if not m.S:
        return
    eta = {x.name: float(x.efficiency) for x in inp.storage}
    dur = {x.name: float(x.duration_h) for x in inp.storage}
    last = HOURS_PER_DAY - 1

    def dyn(m, x, y, d, h):
        before = m.soc[x, y, d, h - 1 if h > 0 else last]
        return m.soc[x, y, d, h] - before - eta[x] * m.ch[x, y, d, h] + m.dis[x, y, d, h] == 0

    m.storage = pyo.Constraint(m.S, m.T, rule=dyn)
    m.storage_power = pyo.Constraint(
        m.S,
        m.T,
        rule=lambda m, x, y, d, h: m.ch[x, y, d, h] + m.dis[x, y, d, h] - m.scap[x, y] <= 0,
    )
    m.storage_energy = pyo.Constraint(
        m.S, m.T, rule=lambda m, x, y, d, h: m.soc[x, y, d, h] - dur[x] * m.scap[x, y] <= 0
    )


def add_storage_mandate(m: pyo.ConcreteModel) -> None:
    """New storage with new wind and PV (配储), per year (GW, GWh).

    sum_{s,l} snew[s,l,y] >= sum_{g in vre, l} ratio[g,l] * new[g,l,y]
    sum_{s,l} duration[s] * snew[s,l,y] >= sum_{g in vre,l} ratio[g,l] * duration_policy * new[g,l,y]
    (ratio[g,l]: the policy ratio on the land classes it covers, the other ratio elsewhere.)
    """
    vre_build = [(g, lc) for (g, lc) in m.GB if g in m.GV]
    if not vre_build:
        return

    def new_vre(m, y, ratio):
        return sum(ratio[g, lc] * m.new[g, lc, y] for g, lc in vre_build)

    m.storage_mandate = pyo.Constraint(
        m.Y,
        rule=lambda m, y: sum(m.snew[x, lc, y] for x, lc in m.SB) >= new_vre(m, y, m.storage_ratio),
    )
    m.storage_mandate_energy = pyo.Constraint(
        m.Y,
        rule=lambda m, y: (
            sum(m.s_duration[x] * m.snew[x, lc, y] for x, lc in m.SB) >= new_vre(m, y, m.storage_energy_ratio)
        ),
    )


def add_storage_coupling(m: pyo.ConcreteModel) -> None:
    """New energy and storage run together (GW): batteries charge only from wind and PV.

    sum_{s in batteries} ch[s,y,d,h] <= sum_{g in vre} gen[g,y,d,h]
    """
    if not m.sets.coupled_storage:
        return
    m.storage_coupling = pyo.Constraint(
        m.T,
        rule=lambda m, y, d, h: (
            sum(m.ch[x, y, d, h] for x in m.sets.coupled_storage) <= sum(m.gen[g, y, d, h] for g in m.GV)
        ),
    )


def add_annual_energy(m: pyo.ConcreteModel, inp: PlannerInput) -> None:
    """Annual energy from hourly dispatch (TWh): x_twh[y] = sum_{d,h} w[d] * x[y,d,h] / 1000.

    Defined for generation per technology, import, export and unserved energy (shed).
    """
    w = [float(v) / KILO for v in inp.days.weights]
    dh = [(d, h) for d in m.D for h in m.H]

    def total(var, y, *pre):
        return sum(w[d] * var[(*pre, y, d, h)] for d, h in dh)

    m.annual_energy = pyo.Constraint(m.G, m.Y, rule=lambda m, g, y: m.gen_twh[g, y] - total(m.gen, y, g) == 0)
    m.annual_energy_import = pyo.Constraint(m.Y, rule=lambda m, y: m.imp_twh[y] - total(m.imp, y) == 0)
    m.annual_energy_export = pyo.Constraint(m.Y, rule=lambda m, y: m.exp_twh[y] - total(m.exp, y) == 0)
    m.annual_energy_unserved = pyo.Constraint(
        m.Y,
        rule=lambda m, y: m.unserved_twh[y] - total(m.shed, y) - total(m.spill, y) == 0,
    )


def add_new_vintage(m: pyo.ConcreteModel) -> None:
    """Generation of non-fossil capacity built after the accounting base year (TWh).

    gen_new[g,y] <= gen_twh[g,y]
    gen_new[g,y] <= annual_twh_per_gw[g] * (prior_new[g] + sum_{y'<=y, l} new[g,l,y'])
    (an upper bound; the LP attributes as much as it may, which is what the rule allows.)
    """
    if not m.GR:
        return
    lands = _lands(m.GB)
    m.new_vintage = pyo.Constraint(m.GR, m.Y, rule=lambda m, g, y: m.gen_new[g, y] <= m.gen_twh[g, y])
    m.new_vintage_capacity = pyo.Constraint(
        m.GR,
        m.Y,
        rule=lambda m, g, y: (
            m.gen_new[g, y]
            <= m.annual_twh_per_gw[g]
            * (m.prior_new[g] + sum(m.new[g, lc, z] for lc in lands.get(g, ()) for z in m.Y if z <= y))
        ),
    )


def add_programmes(m: pyo.ConcreteModel) -> None:
    """Efficiency and electrification programmes (Mtce/yr).

    prog[p,y] >= prog[p,y-1],  prog[p,-1] = prog_existing[p]      (a programme stays done)
    sum_p share[p,c] * prog[p,y] <= fossil_final[c,y]              (cannot displace more than used)
    """
    if not m.P:
        return

    def keep(m, p, y):
        before = m.prog[p, y - 1] if y > 0 else m.prog_existing[p]
        return m.prog[p, y] >= before

    m.programmes = pyo.Constraint(m.P, m.Y, rule=keep)
    m.programmes_carrier = pyo.Constraint(
        m.CP,
        m.Y,
        rule=lambda m, c, y: sum(m.share[p, c] * m.prog[p, y] for p in m.P) <= m.fossil_final[c, y],
    )


def add_potential(m: pyo.ConcreteModel) -> None:
    """Resource potential by land class (GW): sum_y new[g,l,y] <= potential[g,l]."""
    if not m.PT:
        return

    def rule(m, t, lc):
        var = m.new if (t, lc) in m.GB else m.snew
        return sum(var[t, lc, y] for y in m.Y) <= m.potential[t, lc]

    m.potential_limit = pyo.Constraint(m.PT, rule=rule)


def add_build_rate(m: pyo.ConcreteModel) -> None:
    """Build-rate limits (GW/yr): sum_l new[g,l,y] <= build_limit[g] (and storage alike)."""
    if not m.GL and not m.SL:
        return
    lands, slands = _lands(m.GB), _lands(m.SB)
    m.build_rate = pyo.Constraint(
        m.GL,
        m.Y,
        rule=lambda m, g, y: sum(m.new[g, lc, y] for lc in lands[g]) <= m.build_limit[g],
    )
    m.build_rate_storage = pyo.Constraint(
        m.SL,
        m.Y,
        rule=lambda m, x, y: sum(m.snew[x, lc, y] for lc in slands[x]) <= m.s_build_limit[x],
    )


def add_coal_substitution(m: pyo.ConcreteModel) -> None:
    """Coal reduction and substitution (减量替代) for new coal (GW).

    ratio * sum_{y'<=y} new[coal,y'] <= sum_{y'<=y} ret[y']
    """
    if not m.sets.coal_substitution:
        return
    coal, any_ = TechName("coal"), ANY_LAND
    m.coal_substitution = pyo.Constraint(
        m.Y,
        rule=lambda m, y: (
            m.substitution_ratio["x"] * sum(m.new[coal, any_, z] for z in m.Y if z <= y)
            <= sum(m.ret[z] for z in m.Y if z <= y)
        ),
    )


def add_firm_capacity(m: pyo.ConcreteModel) -> None:
    """Firm capacity for the peak with a reserve margin (GW).

    sum_g credit[g] cap[g,y] + sum_s s_credit[s] scap[s,y] + slack_reserve[y]
        >= (1 + margin) * peak_pu * (demand_gw[y] + e * sum_{PE} prog / 8.76)
           - import_credit * import_limit
    (the right-hand side without programmes is peak_req[y]; peak_per_mtce is its growth
    per Mtce electrified.)
    """
    if not m.Y:
        return
    m.firm_capacity = pyo.Constraint(
        m.Y,
        rule=lambda m, y: (
            sum(m.credit[g] * m.cap[g, y] for g in m.G)
            + sum(m.s_credit[x] * m.scap[x, y] for x in m.S)
            + m.slack_reserve[y]
            - sum(m.peak_per_mtce["x"] * m.prog[p, y] for p in m.PE)
            >= m.peak_req[y]
        ),
    )


# ---- accounting expressions (shared by targets and results)


def fossil_final(m, c, y):
    """Fossil final use of carrier c after programmes, Mtce."""
    return m.fossil_final[c, y] - sum(m.share[p, c] * m.prog[p, y] for p in m.P)


def power_fuel(m, fuel, y):
    """Fuel burnt in local power plants, Mtce."""
    gens = m.sets.fossil
    return sum(m.heat_rate[g] * m.gen_twh[g, y] for g in gens if m.fuel_of.get(g) == fuel)


def nonfossil_twh(m, y):
    return sum(m.gen_twh[g, y] for g in m.GN)


def new_renewable_twh(m, y):
    return sum(m.gen_new[g, y] for g in m.GR)


def energy_total(m, y):
    """Energy counted toward the total check, Mtce.

    sum_c FF[c,y] - feedstock_out_total[y] + sum_f power_fuel[f,y] + k[y] * net_import[y]
      + k_old_total[y] * (NF[y] - NEW[y]) + k_new_total[y] * NEW[y]
    """
    return (
        sum(fossil_final(m, c, y) for c in m.C)
        - m.feedstock_out_total[y]
        + sum(m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
        + m.k[y] * (m.imp_twh[y] - m.exp_twh[y])
        + m.k_old_total[y] * (nonfossil_twh(m, y) - new_renewable_twh(m, y))
        + m.k_new_total[y] * new_renewable_twh(m, y)
    )


def energy_intensity(m, y):
    """Energy counted toward the intensity check, Mtce (divided by GDP in the cap)."""
    return (
        sum(fossil_final(m, c, y) for c in m.C)
        - m.feedstock_out_intensity[y]
        + sum(m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
        + m.k[y] * (m.imp_twh[y] - m.exp_twh[y])
        + m.k_nf_intensity[y] * nonfossil_twh(m, y)
    )


def coal_use(m, y):
    """Coal burnt: final use after programmes plus coal power, Mtce."""
    return fossil_final(m, "coal", y) + power_fuel(m, "coal", y)


def co2(m, y):
    """CO2 a target counts, MtCO2: fossil carriers burnt, plus net grid import at the grid's
    factor when the scenario counts imported electricity (ef_grid_target = 0 otherwise)."""
    return (
        sum(m.ef[c] * fossil_final(m, c, y) for c in m.C)
        + sum(m.ef[m.fuel_of[g]] * m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
        + m.ef_grid_target["x"] * (m.imp_twh[y] - m.exp_twh[y])
    )


def add_energy_targets(m: pyo.ConcreteModel) -> None:
    """Dual control: total energy and energy intensity (Mtce).

    energy_total(y) - slack_energy_total[y] <= cap_energy_total[y]
    energy_intensity(y) - slack_energy_intensity[y] <= cap_intensity[y] * GDP[y] / 10
    """
    if m.Y_energy_total:
        m.energy_total = pyo.Constraint(
            m.Y_energy_total,
            rule=lambda m, y: energy_total(m, y) - m.slack_energy_total[y] <= m.cap_energy_total[y],
        )
    if m.Y_energy_intensity:
        m.energy_intensity = pyo.Constraint(
            m.Y_energy_intensity,
            rule=lambda m, y: (
                energy_intensity(m, y) - m.slack_energy_intensity[y] <= m.cap_energy_intensity[y]
            ),
        )


def add_coal_cap(m: pyo.ConcreteModel) -> None:
    """Coal cap (Mtce): coal_use(y) - slack_coal[y] <= cap_coal[y]."""
    if not m.Y_coal:
        return
    m.coal_cap = pyo.Constraint(m.Y_coal, rule=lambda m, y: coal_use(m, y) - m.slack_coal[y] <= m.cap_coal[y])


def add_co2_targets(m: pyo.ConcreteModel) -> None:
    """CO2 cap and CO2 intensity (MtCO2).

    co2(y) - slack_co2[y] <= cap_co2[y];  co2(y) - slack_co2_intensity[y] <= cap * GDP / 10
    """
    if m.Y_co2:
        m.co2_cap = pyo.Constraint(m.Y_co2, rule=lambda m, y: co2(m, y) - m.slack_co2[y] <= m.cap_co2[y])
    if m.Y_co2_intensity:
        m.co2_intensity = pyo.Constraint(
            m.Y_co2_intensity,
            rule=lambda m, y: co2(m, y) - m.slack_co2_intensity[y] <= m.cap_co2_intensity[y],
        )


def outlay(m, y):
    """Investment outlay in year y, bnCNY: overnight capex of new build and retrofits plus
    the year's cost of programmes, less the ordered bases and their storage (their developers
    finance them)."""
    return (
        sum(m.capex[g] * m.new[g, lc, y] - m.developer_outlay[g, lc] * m.build_order[g, lc] for g, lc in m.GB)
        + sum(m.s_capex[x] * m.snew[x, lc, y] for x, lc in m.SB)
        + (m.flex_capex["x"] * m.retro[y] if hasattr(m, "retro") else 0)
        + sum(m.prog_cost[p] * m.prog[p, y] for p in m.P)
    )


def add_budget(m: pyo.ConcreteModel) -> None:
    """Budget (bnCNY): outlay(y) - slack_budget[y] <= budget[y]."""
    if not m.Y_budget:
        return
    m.budget_limit = pyo.Constraint(
        m.Y_budget, rule=lambda m, y: outlay(m, y) - m.slack_budget[y] <= m.budget[y]
    )


def add_objective(m: pyo.ConcreteModel) -> None:
    """Discounted cost, bnCNY (present value at the first year).

    sum c_new new + c_snew snew + c_retro retro + c_fom cap + c_sfom scap + c_gen gen_twh
      + c_imp imp_twh - c_exp exp_twh + c_shed unserved_twh + c_prog prog + c_final
      + df * (pen_energy * energy/coal slacks + pen_co2 * CO2 slacks
              + pen_reserve * slack_reserve + pen_budget * slack_budget)
    """
    m.cost_terms = pyo.Expression(pyo.Any)
    for name, expr in cost_terms(m).items():
        m.cost_terms[name] = expr
    m.cost = pyo.Objective(expr=sum(m.cost_terms[k] for k in m.cost_terms), sense=pyo.minimize)


def cost_terms(m) -> dict:
    """The objective split into named parts (bnCNY, present value)."""
    y = m.Y
    terms = {
        "capex": sum(m.c_new[g, z] * m.new[g, lc, z] for g, lc in m.GB for z in y)
        + sum(m.c_snew[x, z] * m.snew[x, lc, z] for x, lc in m.SB for z in y)
        + (sum(m.c_retro[z] * m.retro[z] for z in y) if hasattr(m, "retro") else 0),
        "fom": sum(m.c_fom[g, z] * m.cap[g, z] for g in m.G for z in y)
        + sum(m.c_sfom[x, z] * m.scap[x, z] for x in m.S for z in y),
        "power_fuel_and_carbon": sum(m.c_gen[g, z] * m.gen_twh[g, z] for g in m.GF for z in y),
        "grid_import": sum(m.c_imp[z] * m.imp_twh[z] for z in y),
        "grid_export": -sum(m.c_exp[z] * m.exp_twh[z] for z in y),
        "programmes": sum(m.c_prog[p, z] * m.prog[p, z] for p in m.P for z in y),
        "final_fuel_and_carbon": m.c_final["const"],
        "lost_load": sum(m.c_shed[z] * m.unserved_twh[z] for z in y),
        "slack": sum(
            m.pen_energy[z] * getattr(m, f"slack_{n}")[z]
            for n in ("energy_total", "energy_intensity", "coal")
            for z in getattr(m, f"Y_{n}")
        )
        + sum(
            m.pen_co2[z] * getattr(m, f"slack_{n}")[z]
            for n in ("co2", "co2_intensity")
            for z in getattr(m, f"Y_{n}")
        )
        + sum(m.pen_reserve[z] * m.slack_reserve[z] for z in y)
        + sum(m.pen_budget[z] * m.slack_budget[z] for z in m.Y_budget),
    }
    return terms
