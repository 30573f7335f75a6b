"""Every mutable coefficient of one city's LP, in planner units, keyed by Param name."""

from __future__ import annotations

from zonesim.planner.inputs import FOSSIL_CARRIERS, Carrier, PlannerInput, TechName
from zonesim.planner.sets import IndexSets, index_sets
from zonesim.planner.targets import TARGETS
from zonesim.units import HOURS_PER_YEAR, KILO, MILLI, PER_BN_TO_PER_10K

MEAN_GW_PER_TWH = KILO / HOURS_PER_YEAR  # 1 TWh/yr is 0.114 GW on average
COAL_NEW_UNBOUNDED_GW = 1.0e3
"""The coal_adequacy bound where the rule does not apply, GW (no city builds near it)."""
OTHER = ("energy", "coal", "co2")
"""Measures with a base-year residual the LP does not model (see ``PlannerPolicy``)."""


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
        cap = mk.export_cap_twh
        c["export_cap"] = {y: wide if cap is None else cap for y in years}
    peak = par.peak_pu * (1.0 + par.reserve_margin)
    c["peak_req"] = {
        y: peak * c["demand_gw"][y] - mk.import_capacity_credit * mk.import_limit_gw for y in years
    }
    c["peak_per_mtce"] = {"x": peak * par.electrification_twh_per_mtce * MEAN_GW_PER_TWH}
    if s.coal_adequacy:
        # new coal only for the firm capacity the existing fleet and imports leave short
        coal = gen[TechName("coal")]
        firm = sum(c["credit"][g] * gen[g].existing_gw for g in s.gens)
        firm += sum(c["s_credit"][x] * sto[x].existing_gw for x in s.storage)
        need = [max(c["peak_req"][y] - firm, 0.0) / max(coal.capacity_credit, 1e-6) for y in years]
        wide = COAL_NEW_UNBOUNDED_GW
        c["coal_new_max"] = {y: need[y] if coal.adequacy_only else wide for y in years}
    # policy
    counting = pol.counting
    k = pol.conversion_factor
    c["k"] = {y: k[y] for y in years}
    # non-fossil consumption removed: all of it, or only the new renewables' (total check)
    c["k_out_all_total"] = {y: k[y] * (not counting[y].nonfossil_old_in_total) for y in years}
    c["k_out_new_total"] = {
        y: k[y] * (counting[y].nonfossil_old_in_total and not counting[y].nonfossil_new_in_total)
        for y in years
    }
    c["k_out_intensity"] = {y: k[y] * (not counting[y].nonfossil_in_intensity) for y in years}
    c["feedstock"] = {y: out.feedstock_mtce[y] for y in years}
    c["feedstock_out_total"] = {y: float(not counting[y].feedstock_in_total) for y in years}
    c["feedstock_out_intensity"] = {y: float(not counting[y].feedstock_in_intensity) for y in years}
    c["prog_feedstock"] = {p: prog[p].feedstock_share for p in s.programmes}
    gdp10 = [out.gdp_bn[y] / PER_BN_TO_PER_10K for y in years]
    for name, t in TARGETS.items():  # intensity caps x GDP/10: tce/10kCNY x bnCNY / 10 = Mtce
        values = getattr(pol, t.lp_parameter) or ()
        c[t.cap_param] = {y: values[y] * (gdp10[y] if t.per_gdp else 1.0) for y in s.target_years[name]}
    c["budget"] = {y: pol.budget_bn[y] for y in s.budget_years}
    c["other_ff"] = {q: pol.other_per_fossil_final.get(q, 0.0) for q in OTHER}
    c["other_pf"] = {q: pol.other_per_power_fuel.get(q, 0.0) for q in OTHER}
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
