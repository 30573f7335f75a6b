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

import pyomo.environ as pyo
from zonesim.planner.coefficients import MEAN_GW_PER_TWH, coefficients
from zonesim.planner.inputs import ANY_LAND, PlannerInput, TechName
from zonesim.planner.measures import (
    add_co2_targets,
    add_coal_cap,
    add_energy_targets,
    add_nonfossil_consumption,
)
from zonesim.planner.objective import add_budget, add_objective
from zonesim.planner.sets import IndexSets, index_sets, structure
from zonesim.planner.targets import TARGETS
from zonesim.units import HOURS_PER_DAY, KILO

__all__ = ["FAMILIES", "build", "coefficients", "index_sets", "structure", "update_parameters"]


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
    add_nonfossil_consumption(m)
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
    "nonfossil_consumption",
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
    m.nf_consumed = pyo.Var(m.Y, within=nn)
    m.new_consumed = pyo.Var(m.Y, within=nn)
    m.prog = pyo.Var(m.P, m.Y, within=nn, bounds=lambda m, p, y: (0, m.prog_max[p, y]))
    for name in s.target_years:
        setattr(m, TARGETS[name].slack, pyo.Var(getattr(m, f"Y_{name}"), within=nn))
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
    the year before the first being net_import_prev; band[y] = pace * demand[y];
    exp_twh[y] <= export_cap[y]: exports stay within the base year's (contracts and lines).
    """
    if not m.sets.trade_pace:
        return

    def change(m, y):
        before = m.imp_twh[y - 1] - m.exp_twh[y - 1] if y > 0 else m.net_import_prev["twh"]
        return m.imp_twh[y] - m.exp_twh[y] - before

    m.trade_pace_up = pyo.Constraint(m.Y, rule=lambda m, y: change(m, y) <= m.trade_band[y])
    m.trade_pace_down = pyo.Constraint(m.Y, rule=lambda m, y: -change(m, y) <= m.trade_band[y])
    m.export_cap_rule = pyo.Constraint(m.Y, rule=lambda m, y: m.exp_twh[y] <= m.export_cap[y])


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

    sum_{y'<=y, l} new[coal,l,y'] <= coal_new_max[y]: new coal only for the firm capacity the
    existing fleet and imports leave short (from 2021, coal is 基础保障性 supply security).
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
    if m.sets.coal_adequacy:
        coal, lands = TechName("coal"), _lands(m.GB).get(TechName("coal"), ())
        m.coal_adequacy = pyo.Constraint(
            m.Y,
            rule=lambda m, y: (
                sum(m.new[coal, lc, z] for lc in lands for z in m.Y if z <= y) <= m.coal_new_max[y]
            ),
        )
