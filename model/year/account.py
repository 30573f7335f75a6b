"""Accounting: energy by carrier, coal, CO2, GDP, intensity, non-fossil share and cost per city.

The base year (:meth:`Accounts.base_year`) dispatches the 2020 fleet and fixes a residual
against ``city_history`` 2020 so that every city's 2020 energy, coal and CO2 equal the data;
later years (:meth:`Accounts.year`) carry the residual forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from zonesim.accounting import EnergyComponents, counted_co2, counting
from zonesim.agents.city import CityAgent
from zonesim.agents.firms import CARRIER_INDEX, ELEC, FirmPopulation
from zonesim.levers.rules import YearRules
from zonesim.planner.city import CityPlanner, PolicyInputs
from zonesim.planner.outcome import PlanOutcome
from zonesim.planner.targets import TARGETS
from zonesim.units import TEN_K_PER_BN
from zonesim.year.build import budget
from zonesim.year.errors import PlanningError
from zonesim.year.setting import FUELS, FirmTotals, Setting, rules_for

Residual = dict[str, tuple[str, float]]
"""Per quantity (energy, coal, co2): the basis it moves with and its ratio to the basis."""


def residual_ratio(gap: float, fossil_final: float, power_fossil: float) -> tuple[str, float]:
    """How a base-year gap to the data is carried forward: (basis, ratio to the basis).

    A positive gap (the data count more: coking, refining, process CO2, statistical
    difference) moves with fossil final use. A negative gap (the fleet burns more than the
    city's statistics attribute to it, typically power exported or plants outside the
    statistical boundary) moves with the fuel burnt in local power plants.
    """
    if gap < 0 and power_fossil > 0:
        return ("power_fossil", gap / power_fossil)
    return ("fossil_final", gap / fossil_final)


class Accounts:
    """The base-year references of every city and the rows of pathways and plans."""

    def __init__(self, s: Setting, conversion) -> None:
        self.s = s
        self.conversion = conversion  # year -> tce of primary energy per MWh
        self.base_components: dict[str, EnergyComponents] = {}
        self.base_gdp: dict[str, float] = {}
        self.base_coal: dict[str, float] = {}
        self.residual: dict[str, Residual] = {}
        self.gdp_path_bn: dict[str, float] = {}  # each city's GDP on its macro path, this year
        # each city's CO2 including imported electricity (t) and its intensity (t/10k CNY) in
        # the base year of each period
        self.period_base: dict[tuple[str, str], tuple[float, float]] = {}
        self.records: list[dict[str, Any]] = []
        self.plans: list[dict[str, Any]] = []

    # ------------------------------------------------------------ components
    def components(
        self, year: int, city: CityAgent, power: PlanOutcome, t: FirmTotals
    ) -> tuple[EnergyComponents, dict[str, float]]:
        """Primary-energy components of the city now, and the flows behind them.

        Final use comes from the firms; generation from the city's plan; net import closes
        the electricity balance (firm demand + storage losses - local generation), so the
        balance holds exactly even when the city built less than it planned. ``other`` is the
        base-year calibration residual, carried forward with its basis.
        """
        e = t.by_carrier[city.index]
        fossil_final = float(sum(e[CARRIER_INDEX[c]] for c in FUELS))
        demand = float(e[ELEC])
        generation = sum(power.generation_mwh.values())
        net_import = demand + power.storage_loss_mwh - generation
        factor = self.conversion(year)
        none = ("fossil_final", 0.0)
        r = self.residual.get(city.city_id, {"energy": none, "coal": none, "co2": none})
        basis = {"fossil_final": fossil_final, "power_fossil": power.fossil_fuel_tce}
        other = {k: ratio * basis[b] for k, (b, ratio) in r.items()}
        flows = {
            "demand_mwh": demand,
            "generation_mwh": generation,
            "net_import_mwh": net_import,
            "storage_loss_mwh": power.storage_loss_mwh,
            "other_coal_tce": other["coal"],
            "other_co2_t": other["co2"],
        }
        comp = EnergyComponents(
            fossil_final=fossil_final,
            feedstock=float(t.feedstock[city.index]),
            power_fossil=power.fossil_fuel_tce,
            nonfossil_old=power.nonfossil_old_mwh * factor,
            nonfossil_new=power.nonfossil_new_mwh * factor,
            net_import=net_import * factor,
            other=other["energy"],
            consumption=(demand + power.storage_loss_mwh) * factor,
        )
        return comp, flows

    def final_co2(self, e: np.ndarray) -> float:
        """Direct CO2 of final fossil use, t."""
        return float(sum(e[CARRIER_INDEX[x]] * self.s.factors[x] for x in FUELS))

    def co2(self, e: np.ndarray, power: PlanOutcome) -> float:
        """Direct CO2 of final fossil use and local power plants, t."""
        return self.final_co2(e) + power.co2_t

    def outside_mwh(self, city: CityAgent, power: PlanOutcome) -> float:
        """Fossil generation the city's statistics place outside its boundary, MWh.

        Where the base-year CO2 residual moves with power-plant fuel (the fleet burns more
        than the city's statistics hold: plants outside a partial area's boundary, as in
        Ningdong), that share of the plants' CO2 is not the city's, and neither is the
        electricity they make: it is not counted as the city's export in CO2 with imports.
        """
        basis, ratio = self.residual.get(city.city_id, {}).get("co2", ("fossil_final", 0.0))
        if basis != "power_fossil" or ratio >= 0 or power.fossil_fuel_tce <= 0 or power.co2_t <= 0:
            return 0.0
        share = min(-ratio / (power.co2_t / power.fossil_fuel_tce), 1.0)
        return share * sum(power.generation_mwh.get(t, 0.0) for t in power.fuel_tce)

    # ------------------------------------------------------------- base year
    def base_year(
        self,
        cities: Sequence[CityAgent],
        firms: FirmPopulation,
        planner: CityPlanner,
        t: FirmTotals,
        outlook,
    ) -> None:
        """Dispatch the 2020 fleet, then fix the residual against city_history 2020.

        The residual (energy, coal, CO2 per tce of its basis) makes the model's 2020 totals
        equal the compiled 2020 data; it stands for what the model does not represent (coking,
        refining and other transformation losses, process CO2, statistical difference).
        """
        s = self.s
        start = s.scenario.horizon.start_year
        hist = s.base.city_history
        hist = hist[hist["year"] == start].pivot_table(index="city_id", columns="variable", values="value")
        ahead = (rules_for(s.scenario, start),)
        for city in cities:
            view = outlook(s, firms, city, [start], t)
            policy = PolicyInputs(
                year=start,
                rules=YearRules(),
                ahead=ahead,
                accounting_rule=s.scenario.accounting.rule,
                base_components=None,
                base_gdp_bn=float(t.gdp[city.index]),
                target_reduction_pct=0.0,
                base_coal_tce=0.0,
                budget_bn=budget(s, city, YearRules(), firms, t.gdp),
            )
            dispatch = planner.dispatch_base_year(city, view, policy)
            if dispatch.status != "optimal":
                raise PlanningError(
                    f"{city.city_id} {start}: base-year dispatch status {dispatch.status}: "
                    + "; ".join(dispatch.messages)
                )
            comp, _ = self.components(start, city, dispatch, t)
            e = t.by_carrier[city.index]
            coal = float(e[CARRIER_INDEX["coal"]]) + dispatch.coal_tce
            co2 = self.co2(e, dispatch)
            if city.city_id in hist.index and comp.fossil_final > 0:
                h = hist.loc[city.city_id]
                self.residual[city.city_id] = {
                    name: residual_ratio(gap, comp.fossil_final, comp.power_fossil)
                    for name, gap in (
                        ("energy", h["energy_total"] - comp.total),
                        ("coal", h["coal"] - coal),
                        ("co2", h["co2"] - co2),
                    )
                }
            comp, flows = self.components(start, city, dispatch, t)
            self.base_components[city.city_id] = comp
            self.base_gdp[city.city_id] = float(t.gdp[city.index])
            self.gdp_path_bn[city.city_id] = float(t.gdp[city.index])
            self.base_coal[city.city_id] = coal + flows["other_coal_tce"]
            self.record(start, city, comp, flows, dispatch, None, t)

    # ------------------------------------------------------------ each year
    def year(
        self,
        year: int,
        rules: YearRules,
        cities: Sequence[CityAgent],
        outcomes: dict[str, PlanOutcome],
        t: FirmTotals,
        park_cost_bn: np.ndarray,
    ) -> None:
        """Energy, coal, CO2, intensity and cost of every city this year (``park_cost_bn``: the
        circular parks' cost per city, added to the resource cost)."""
        growth = self.s.gdp_path.growth(year)
        for city in cities:
            self.gdp_path_bn[city.city_id] *= 1.0 + growth[city.index]
            out = outcomes[city.city_id]
            comp, flows = self.components(year, city, out, t)
            self.record(year, city, comp, flows, out, rules, t, float(park_cost_bn[city.index]))

    def measures(
        self, year: int, e: np.ndarray, comp: EnergyComponents, flows: dict[str, float], power: PlanOutcome
    ) -> dict[str, float]:
        """The measures the targets constrain (``targets.csv``), tce and tCO2, of a city whose
        final use by carrier is ``e``."""
        c = counting(self.s.scenario.accounting.rule, year)
        imports = self.s.scenario.accounting.co2_scope == "with_imports"
        co2_import = power.grid_emission_factor * flows["net_import_mwh"] if imports else 0.0
        value = {
            "energy_counted_total_tce": comp.counted_total(c),
            "energy_counted_intensity_tce": comp.counted_intensity(c),
            "co2_counted_t": counted_co2(self.final_co2(e), power.co2_t, co2_import, flows["other_co2_t"]),
            "coal_tce": float(e[CARRIER_INDEX["coal"]]) + power.coal_tce + flows["other_coal_tce"],
        }
        return {tg.measure: value[tg.measure] for tg in TARGETS.values()}

    def record(
        self,
        year: int,
        city: CityAgent,
        comp: EnergyComponents,
        flows: dict[str, float],
        power: PlanOutcome,
        rules: YearRules | None,
        t: FirmTotals,
        park_cost_bn: float = 0.0,
    ) -> None:
        """One row of pathways (and of plans, after the base year)."""
        s = self.s
        e = t.by_carrier[city.index]
        gdp = float(t.gdp[city.index])
        c = counting(s.scenario.accounting.rule, year)
        base = self.base_components.get(city.city_id, comp)
        gdp0 = self.base_gdp.get(city.city_id, gdp)
        counted = self.measures(year, e, comp, flows, power)  # as the planner counts
        intensity = counted["energy_counted_intensity_tce"] / (gdp * TEN_K_PER_BN)
        intensity0 = base.counted_intensity(c) / (gdp0 * TEN_K_PER_BN)
        co2 = self.co2(e, power) + flows["other_co2_t"]
        # the LP counts net imports at the grid's factor (measures()); the report adds the
        # boundary correction of partial areas (outside_mwh), shown on its own as co2_boundary_t
        boundary = power.grid_emission_factor * self.outside_mwh(city, power)
        co2_import = power.grid_emission_factor * flows["net_import_mwh"] + boundary
        coal = counted["coal_tce"]
        nonfossil = comp.nonfossil_old + comp.nonfossil_new
        period = s.period(year)
        co2_int = co2 / (gdp * TEN_K_PER_BN)
        # the periods' CO2 measures count imported electricity at its grid's factor (the LP's
        # measure under carbon_dual_control; provincial CO2 accounting counts net electricity
        # imports too): intensity and total against the period's base year
        total = co2 + co2_import
        incl = total / (gdp * TEN_K_PER_BN)
        for p in s.periods:  # this year is the base year of a period: its reference
            if p.base_year == year:
                self.period_base[(city.city_id, p.name)] = (total, incl)
        total0, incl0 = self.period_base[(city.city_id, period.name)]
        pt = s.period_targets(city.city_id, year)
        energy_target = pt.get("energy_intensity_reduction")
        # the energy-intensity target in force: dual_control's override, else the city's own
        # (energy dual control is the 2021-2025 period's; none after it)
        target = s.target_pct(city.city_id, rules) if energy_target is not None else float("nan")
        finance_share = city.finance_share
        row = {
            "city_id": city.city_id,
            "zone_id": city.zone_id,
            "year": year,
            "gdp_bn": gdp,
            "gdp_path_bn": self.gdp_path_bn[city.city_id],
            "gdp_deviation_pct": 100.0 * (gdp / self.gdp_path_bn[city.city_id] - 1.0),
            **{f"final_{x}_tce": float(e[CARRIER_INDEX[x]]) for x in FUELS},
            "final_electricity_mwh": flows["demand_mwh"],
            "generation_mwh": flows["generation_mwh"],
            "net_import_mwh": flows["net_import_mwh"],
            "storage_loss_mwh": flows["storage_loss_mwh"],
            "feedstock_tce": comp.feedstock,
            "power_fossil_tce": comp.power_fossil,
            "power_coal_tce": power.coal_tce,
            "nonfossil_primary_tce": nonfossil,
            "net_import_primary_tce": comp.net_import,
            "other_tce": comp.other,
            "energy_total_tce": comp.total,
            "energy_counted_total_tce": counted["energy_counted_total_tce"],
            "energy_counted_intensity_tce": counted["energy_counted_intensity_tce"],
            "energy_intensity_tce_per_10k": intensity,
            "base_counted_intensity_tce": base.counted_intensity(c),
            "base_gdp_bn": gdp0,
            "intensity_change_pct": 100.0 * (intensity / intensity0 - 1.0),
            "intensity_target_pct": -target,
            "coal_tce": coal,
            "coal_share": coal / comp.total if comp.total else 0.0,
            "nonfossil_share": nonfossil / comp.total if comp.total else 0.0,
            "co2_t": co2,
            "co2_power_t": power.co2_t,
            "co2_other_t": flows["other_co2_t"],
            "co2_import_t": co2_import,
            "co2_boundary_t": boundary,
            "co2_incl_imports_t": co2 + co2_import,
            "co2_intensity_t_per_10k": co2_int,
            "period": period.name,
            "co2_intensity_change_pct": 100.0 * (incl / incl0 - 1.0),
            "co2_intensity_target_pct": -pt.get("co2_intensity_reduction", float("nan")),
            "co2_change_pct": 100.0 * (total / total0 - 1.0),
            "co2_total_target_pct": -pt.get("total_co2_reduction", float("nan")),
            "nonfossil_share_target": pt.get("non_fossil_share", float("nan")) / 100.0,
            **{f"cap_{k}_mw": v for k, v in capacities(city).items()},
            "capex_bn": power.capex_bn * finance_share,
            "cost_bn": power.cost_bn + park_cost_bn,
            "circular_parks_cost_bn": park_cost_bn,
            "carbon_payments_bn": power.carbon_bn,
            "finance_share": finance_share,
            "status": "zone" if city.has_status else "no_status",
        }
        self.records.append(row)
        city.last_net_import_mwh = flows["net_import_mwh"]
        if rules is not None:
            plan = power.plan or power
            comp_plan, flows_plan = self.components(year, city, plan, t)
            planned = self.measures(year, e, comp_plan, flows_plan, plan)
            self.plans.append(
                {
                    "city_id": city.city_id,
                    "year": year,
                    "status": power.status,
                    # what the LP counted for its plan, and the accounting of the same plan
                    # (equal: tests/test_counting.py); pathways hold the year as built
                    **{f"lp_{k}": v for k, v in plan.counted.items()},
                    **{f"planned_{k}": v for k, v in planned.items()},
                    **{f"slack_{k}": v for k, v in power.slack.items()},
                    **{f"marginal_{k}": v for k, v in power.marginal_cost.items()},
                    **{f"gap_reason_{k}": v for k, v in power.gap_reason.items()},
                }
            )


def capacities(city: CityAgent) -> dict[str, float]:
    """Operating capacity per technology and storage power, MW."""
    techs = sorted(set(city.state.old_mw) | set(city.state.new_mw))
    out = {k: city.state.capacity(k) for k in techs}
    for k, mw in city.state.storage_mw.items():
        out[f"storage_{k}"] = mw
    return out
