"""Each city's planner (Pyomo -> HiGHS) proposes this year's builds, retirements and programmes.

The model's side of planning: the city's expected demand from its firms (:func:`outlook`),
what public programmes can reach (:func:`programme_potential`) and the policy the levers and
the base year set (:func:`policy_inputs`). The LP translation lives in
:mod:`zonesim.planner.city`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from zonesim.agents.city import CityAgent
from zonesim.agents.firms import CARRIER_INDEX, ELEC, FOSSIL, SECTOR_INDEX, FirmPopulation
from zonesim.planner.city import CityPlanner, Outlook, PolicyInputs
from zonesim.planner.outcome import PlanOutcome
from zonesim.year.account import Accounts
from zonesim.year.build import budget
from zonesim.year.errors import PlanningError
from zonesim.year.setting import FUELS, FirmTotals, Setting, Year


def outlook(
    s: Setting, firms: FirmPopulation, city: CityAgent, years: Sequence[int], t: FirmTotals
) -> Outlook:
    """Expected demand of the city over the planning years from its firms' state and trends."""
    f, p = firms, s.params
    mine = (f.city == city.index) & f.alive
    e = t.energy[mine]
    k = np.arange(len(years))
    grow = s.gdp_path.ahead(years[0], len(years))[city.index]
    eff = (1.0 - p.aeei_pct / 100.0) ** k
    gdp = t.gdp[city.index]
    sector = f.sector[mine]
    fossil_by_sector = {name: e[sector == si][:, FOSSIL].sum(axis=0) for name, si in SECTOR_INDEX.items()}
    potential, shares = programme_potential(s, firms, city, fossil_by_sector, t.energy)
    return Outlook(
        years=list(years),
        electricity_mwh=e[:, ELEC].sum() * grow * eff,
        fossil_final_tce={c: e[:, CARRIER_INDEX[c]].sum() * grow * eff for c in FUELS},
        feedstock_tce=t.feedstock[city.index] * grow * eff,
        gdp_bn=gdp * grow,
        programme_potential_tce=potential,
        programme_carrier_shares=shares,
        programme_feedstock_share={
            key: p.feedstock_share_chemicals if key[0] == "chemicals" else 0.0 for key in potential
        },
    )


def programme_potential(
    s: Setting, firms: FirmPopulation, city: CityAgent, fossil: dict[str, np.ndarray], energy: np.ndarray
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], dict[str, float]]]:
    """Fossil energy (tce/yr) that public programmes can save or switch in the city this year
    (the programme's share of the sector's remaining fossil use, at the diffusion pace), and
    the carrier shares of the fossil use each reaches (what a programme cuts, it cuts from
    every carrier of its firms in proportion: :func:`zonesim.year.build.carry_out_programmes`)."""
    f = firms
    out, shares = {}, {}
    for (sector, programme), potential_share in s.programmes["potential_share"].items():
        si = SECTOR_INDEX[sector]
        if programme == "efficiency":
            open_ = (f.city == city.index) & (f.sector == si) & f.alive & ~f.retrofitted
            left = 1.0 - f.package_used[open_]  # the package's part not yet carried out
            by_carrier = (energy[open_][:, FOSSIL] * left[:, None]).sum(axis=0)
        else:
            by_carrier = fossil.get(sector, np.zeros(len(FOSSIL)))
        base = by_carrier.sum()
        # programmes ramp at the pace firms take up efficiency (diffusion share per year)
        out[(sector, programme)] = float(potential_share) * base * s.params.retrofit_adoption_per_year
        if base > 0:
            shares[(sector, programme)] = {c: float(v / base) for c, v in zip(FUELS, by_carrier, strict=True)}
    return out, shares


def policy_inputs(
    s: Setting, yr: Year, city: CityAgent, firms: FirmPopulation, acc: Accounts, t: FirmTotals
) -> PolicyInputs:
    """What the planner needs to know of the scenario for this city and year."""
    return PolicyInputs(
        year=yr.year,
        rules=yr.rules,
        ahead=yr.ahead,
        accounting_rule=s.scenario.accounting.rule,
        base_components=acc.base_components[city.city_id],
        base_gdp_bn=acc.base_gdp[city.city_id],
        target_reduction_pct=s.target_pct(city.city_id, yr.rules),
        base_coal_tce=acc.base_coal[city.city_id],
        budget_bn=budget(s, city, yr.rules, firms, t.gdp),
        residual=acc.residual.get(city.city_id, {}),
        target_year=next(p.target_year for p in s.periods if p.binding == "energy_intensity_reduction"),
        co2_base=co2_base(s, yr.year, city, acc),
    )


def co2_base(s: Setting, year: int, city: CityAgent, acc: Accounts) -> tuple[int, float, float] | None:
    """Carbon dual control's reference for the city in ``year``: the base year of the period
    with a CO2-intensity binding target, its CO2 intensity including imported electricity, and
    the city's target (%); None before that period's base year has been simulated."""
    period = s.period(year)
    if period.binding != "co2_intensity_reduction":
        return None
    base = acc.period_base.get((city.city_id, period.name))
    if base is None:
        return None
    pct = s.period_targets(city.city_id, year).get("co2_intensity_reduction")
    return (period.base_year, base[1], pct) if pct is not None else None


def cities_plan(
    s: Setting,
    yr: Year,
    cities: Sequence[CityAgent],
    firms: FirmPopulation,
    acc: Accounts,
    planner: CityPlanner,
    t: FirmTotals,
) -> dict[str, PlanOutcome]:
    """Each city retires its aged (and lever-ordered) coal units, then plans the year."""
    outcomes = {}
    for city in cities:
        ordered = 0.0
        if yr.rules.retire_coal_max_mw is not None:
            ordered += city.coal.retire_small_share(yr.rules.retire_coal_max_mw, yr.rules.retire_coal_share)
        ordered += city.coal.retire_aged(yr.year, s.coal_lifetime)
        city.ordered_retirement_mw = ordered  # reported with the planner's retirements
        city.sync_coal()
        # rolling: this year only, against this year's milestone; foresight: to the horizon
        view = outlook(s, firms, city, yr.planning_years, t)
        outcome = planner.plan(city, view, policy_inputs(s, yr, city, firms, acc, t))
        if outcome.status != "optimal":
            raise PlanningError(
                f"{city.city_id} {yr.year}: planner status {outcome.status}: " + "; ".join(outcome.messages)
            )
        outcomes[city.city_id] = outcome
    return outcomes
