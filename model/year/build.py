"""Cities carry out this year's plan within the finance they can raise (-> implementation gap)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from zonesim.agents.city import CityAgent
from zonesim.agents.firms import FOSSIL, SECTOR_INDEX, FirmPopulation
from zonesim.levers.rules import YearRules
from zonesim.planner.city import POLICY_LAND_CLASSES
from zonesim.planner.outcome import PlanOutcome
from zonesim.year.setting import Setting, gdp


def budget(
    s: Setting, city: CityAgent, rules: YearRules, firms: FirmPopulation, gdp_bn: np.ndarray | None = None
) -> float:
    """Funds the city expects for power and efficiency investment this year, bnCNY2020.

    ``gdp_bn`` per city may be passed when the caller already holds it.
    """
    gdp_bn = gdp(firms, s.n_cities) if gdp_bn is None else gdp_bn
    funds = s.params.city_investment_share_of_gdp * float(gdp_bn[city.index])
    funds *= 1.0 + city.support_bonus
    if city.has_status:
        funds += rules.extra_finance_bn
    return funds


def cities_build(
    s: Setting,
    year: int,
    rules: YearRules,
    cities: Sequence[CityAgent],
    firms: FirmPopulation,
    outcomes: dict[str, PlanOutcome],
) -> list[dict[str, Any]]:
    """Carry out this year's plan within the finance each city can raise; the investment rows.

    Each city's entry of ``outcomes`` is replaced by its outcome as built (:meth:`realised`)."""
    rows: list[dict[str, Any]] = []
    gdp_bn = gdp(firms, s.n_cities)  # programmes change intensities, not output: GDP holds
    for city in cities:
        out = outcomes[city.city_id]
        funds = budget(s, city, rules, firms, gdp_bn)
        mine = (firms.city == city.index) & firms.alive
        access = float(firms.finance_access[mine].mean()) if mine.any() else 1.0
        funds *= access
        # the wind and PV bases the pv_storage lever orders, with their storage, are built in
        # full by their developers (large energy companies), not from the city's budget
        base = {k: mw for k, mw in out.new_by_land_mw.items() if k[1] in POLICY_LAND_CLASSES}
        base_by_tech: dict[str, float] = {}
        for (t, _), mw in base.items():
            base_by_tech[t] = base_by_tech.get(t, 0.0) + mw
        st_total = sum(out.storage_mw.values())
        coupled = rules.storage_power_ratio * sum(base.values())
        st_base = min(coupled / st_total, 1.0) if st_total > 0 else 0.0  # share of storage coupled
        base_capex = sum(out.capex_per_mw.get(t, 0.0) * mw for t, mw in base_by_tech.items()) + st_base * sum(
            out.capex_per_mw.get(t, 0.0) * mw for t, mw in out.storage_mw.items()
        )
        need = out.capex_bn - base_capex
        share = 1.0 if need <= funds or need <= 1e-12 else funds / need
        built = {t: b + (mw - b) * share for t, mw in out.new_mw.items() for b in [base_by_tech.get(t, 0.0)]}
        k = st_base + (1.0 - st_base) * share
        st_mw = {t: mw * k for t, mw in out.storage_mw.items()}
        st_mwh = {t: mwh * k for t, mwh in out.storage_mwh.items()}
        land = {key: mw if key in base else mw * share for key, mw in out.new_by_land_mw.items()}
        city.build(built, st_mw, st_mwh, land)
        retired = city.retire_coal(out.retire_coal_mw)
        # flexibility retrofits are carried out as planned (on coal units still running)
        city.state.coal_flexible_mw = min(out.coal_flexible_mw, city.state.capacity("coal"))
        carry_out_programmes(s, year, city, firms, out)  # annual costs: not limited by capital
        # the year's outcome as built (the plan kept with it, for the plan-vs-built accounting)
        outcomes[city.city_id] = out.realised({t: city.state.capacity(t) for t in out.planned_capacity_mw})
        for tech in sorted(set(out.new_mw) | set(out.storage_mw)):
            rows.append(
                {
                    "city_id": city.city_id,
                    "year": year,
                    "tech": tech,
                    "planned_mw": out.new_mw.get(tech, 0.0) + out.storage_mw.get(tech, 0.0),
                    "built_mw": built.get(tech, 0.0) + st_mw.get(tech, 0.0),
                }
            )
        if out.coal_flex_retrofit_mw > 1e-9:
            rows.append(
                {
                    "city_id": city.city_id,
                    "year": year,
                    "tech": "coal_flex_retrofit",
                    "planned_mw": out.coal_flex_retrofit_mw,
                    "built_mw": out.coal_flex_retrofit_mw,
                }
            )
        # every retirement of the year: by age and by the lever (before planning), by the plan
        rows.append(
            {
                "city_id": city.city_id,
                "year": year,
                "tech": "coal_retired",
                "planned_mw": out.retire_coal_mw + city.ordered_retirement_mw,
                "built_mw": retired + city.ordered_retirement_mw,
            }
        )
        city.finance_share = share
    return rows


def carry_out_programmes(
    s: Setting, year: int, city: CityAgent, firms: FirmPopulation, out: PlanOutcome
) -> None:
    """Apply the planned public programmes to the city's firms (efficiency or electrification).

    Each cuts every fossil carrier of its firms in proportion. Electrification goes first: it
    scales every firm of the sector alike, so the carrier mix of the firms efficiency reaches
    is still the one the plan saw (the planner's carrier shares, :func:`zonesim.year.plan.outlook`).

    Efficiency carries out a part of the package (its sector's saving share) in every open firm
    alike and records that part (``package_used``); a firm closes only when its package is
    used up. (Closing every firm a programme touched, however thin the saving, had ended all
    efficiency, public and private, after the first year.)
    """
    f = firms
    order = sorted(out.programme_tce.items(), key=lambda kv: kv[0][1] != "electrification")
    for (sector, programme), tce in order:
        if tce <= 0:
            continue
        si = SECTOR_INDEX[sector]
        mask = (f.city == city.index) & (f.sector == si) & f.alive
        if programme == "efficiency":
            mask &= ~f.retrofitted
        fossil = (f.intensity[mask][:, FOSSIL] * f.output[mask, None]).sum()
        if fossil <= 0:
            continue
        if programme == "efficiency":
            share = float(s.programmes.loc[(sector, programme), "potential_share"])
            f.carry_out_package(mask, share, tce / fossil, year)
        else:
            saving = np.full(len(f), min(tce / fossil, 1.0))
            f.electrify(mask, saving, s.params.electrification_mwh_per_tce)
