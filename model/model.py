"""TransitionModel: the demonstration-zone cities from 2020 to the horizon, one step a year.

``step()`` reads as the year's order of events (DESIGN.md, "Data flow"):

1. levers set this year's rules;
2. firms decide: grow, retire, retrofit; new firms enter;
3. each city's planner (Pyomo -> HiGHS) proposes the investment mix to the target year;
4. cities carry it out, limited by finance -> implementation gap;
5. accounting: energy by carrier, coal, CO2, GDP, intensity, non-fossil share, cost;
6. evaluation: zones rated; status and support change;
7. data collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
import pandas as pd
from zonesim.accounting import EnergyComponents, counting
from zonesim.agents.city import CityAgent
from zonesim.agents.firms import (
    CARRIER_INDEX,
    ELEC,
    FOSSIL,
    INTENSIVE_MASK,
    SECTOR_INDEX,
    FirmPopulation,
    synthesize,
)
from zonesim.agents.params import AgentParams
from zonesim.agents.planning import CityPlanner, Outlook, PlanOutcome, PolicyInputs
from zonesim.data import BaseYear, load
from zonesim.levers import apply_levers
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import Scenario
from zonesim.units import CNY_PER_BN, TEN_K_PER_BN

RESIDENTIAL = SECTOR_INDEX["residential"]
CHEMICALS = SECTOR_INDEX["chemicals"]
FUELS = ("coal", "oil", "gas", "heat")


@dataclass(frozen=True)
class FirmTotals:
    """Aggregates of the firm arrays at one moment (see TransitionModel.totals)."""

    energy: np.ndarray  # per firm and carrier (firms, carriers): tce, electricity MWh
    by_carrier: np.ndarray  # per city and carrier (cities, carriers)
    gdp: np.ndarray  # per city, bnCNY2020
    feedstock: np.ndarray  # per city, tce


class PlanningError(RuntimeError):
    """A city's LP could not be solved (an input inconsistency, named in the message)."""


def select_cities(base: BaseYear, scenario: Scenario) -> pd.DataFrame:
    """The rows of cities.csv the scenario simulates, in file order."""
    cities = base.cities
    sel = scenario.selection
    mask = cities["included_by_default"].copy()
    if sel.zones != "all":
        unknown = set(sel.zones) - set(base.zones["zone_id"])
        if unknown:
            raise ValueError(
                f"selection.zones: unknown zone id(s) {sorted(unknown)}; known: "
                f"{sorted(base.zones['zone_id'])}"
            )
        mask &= cities["zone_id"].isin(sel.zones)
    if sel.include_associated:
        mask |= cities["membership"] == "associated"
    if sel.cities is not None:
        unknown = set(sel.cities) - set(cities["city_id"])
        if unknown:
            raise ValueError(
                f"selection.cities: unknown city id(s) {sorted(unknown)}; known: {sorted(cities['city_id'])}"
            )
        mask &= cities["city_id"].isin(sel.cities)
    out = cities[mask].reset_index(drop=True)
    if out.empty:
        raise ValueError("the scenario's selection leaves no city to simulate")
    return out


class TransitionModel(mesa.Model):
    """Cities and firms of the demonstration zones evolving under the scenario's levers."""

    def __init__(
        self,
        scenario: Scenario,
        base: BaseYear | None = None,
        params: AgentParams | None = None,
        planner: CityPlanner | None = None,
    ) -> None:
        super().__init__(seed=scenario.seed)
        self.scenario = scenario
        self.base = base if base is not None else load()
        self.params = params if params is not None else AgentParams.from_data(self.base)
        self.year = scenario.horizon.start_year
        self.city_table = select_cities(self.base, scenario)
        self.city_ids = list(self.city_table["city_id"])
        self.levers = scenario.levers.active()
        p = self.params
        self.firms: FirmPopulation = synthesize(
            self.base.industry,
            self.city_ids,
            scenario.firms.n_firms,
            self.rng,
            size_sigma=p.firm_size_sigma,
            intensity_sigma=p.firm_intensity_sigma,
            hurdle_mean=p.hurdle_rate_mean,
            hurdle_sigma=p.hurdle_rate_sigma,
            finance_min=p.finance_access_min,
            vintage_range=(int(p.vintage_first_year), scenario.horizon.start_year),
            elec_tce_per_mwh=self.base.constant("elec_calorific_kgce_per_kwh"),
        )
        self.profit_share = p.profit_share_of_va * self.rng.lognormal(0.0, p.profit_sigma, len(self.firms))
        units = self.base.power_units
        self.cities: list[CityAgent] = [
            CityAgent(self, row, i, units[units["city_id"] == row["city_id"]])
            for i, row in self.city_table.iterrows()
        ]
        self.trend_growth = self._trend_growth()
        tech = self.base.technologies
        life = tech[(tech["tech"] == "coal") & (tech["parameter"] == "lifetime")].sort_values("year")
        self.coal_lifetime = float(life["value"].iloc[0])
        self.prices = self._prices()
        self.factors = self._emission_factors()
        self.planner = planner if planner is not None else CityPlanner(self.base, scenario)
        self.records: list[dict[str, Any]] = []
        self.investments: list[dict[str, Any]] = []
        self.plans: list[dict[str, Any]] = []
        self.base_components: dict[str, EnergyComponents] = {}
        self.base_gdp: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "year": lambda m: m.year,
                "firms_alive": lambda m: int(m.firms.alive.sum()),
                "gdp_bn": lambda m: float(m.gdp().sum()),
            }
        )
        self._account_base_year()
        self.datacollector.collect(self)

    # ------------------------------------------------------------------- setup
    def _trend_growth(self) -> np.ndarray:
        """Each city's GDP trend growth 2015-2019 (pre-COVID CAGR), fraction per year."""
        gdp = self.base.history("gdp")
        out = []
        for cid in self.city_ids:
            g0, g1 = gdp.get((cid, 2015)), gdp.get((cid, 2019))
            out.append((g1 / g0) ** 0.25 - 1.0 if g0 and g1 else 0.0)
        return np.array(out)

    def _prices(self) -> dict[str, np.ndarray]:
        """Fuel prices per city (CNY2020/tce), provincial where given, else national; 2020."""
        prices = self.base.prices
        out: dict[str, np.ndarray] = {}
        for fuel in ("coal", "oil", "gas"):
            rows = prices[prices["item"] == fuel]
            if rows.empty:
                raise KeyError(f"prices.csv has no price for {fuel!r}")
            rows = rows.sort_values("year")
            nat = rows[rows["region"] == "national"]
            vals = []
            for code in self.city_table["province_code"]:
                own = rows[rows["region"] == code]
                pick = own if not own.empty else nat if not nat.empty else rows
                vals.append(float(pick["value"].iloc[0]))
            out[fuel] = np.array(vals)
        out["heat"] = out["coal"]  # heat priced at the coal it is made from
        return out

    def _emission_factors(self) -> dict[str, float]:
        """tCO2/tce of each fuel; heat counted as coal-fired."""
        ef = self.base.emission_factors.set_index("item")["value"]
        out = {fuel: float(ef[fuel]) for fuel in ("coal", "oil", "gas")}
        out["heat"] = out["coal"]
        return out

    # ----------------------------------------------------------------- helpers
    def gdp(self) -> np.ndarray:
        """GDP per city, bnCNY2020: value added of live firms (households excluded)."""
        va = self.firms.output * self.firms.alive * self.firms.in_gdp
        return np.bincount(self.firms.city, weights=va, minlength=len(self.cities))

    def totals(self) -> FirmTotals:
        """The firms' aggregates now, computed in one pass; phases that read them for every
        city (planning, accounting) take one snapshot instead of re-summing all firms per city."""
        f, n = self.firms, len(self.cities)
        energy = f.energy()
        by_carrier = np.stack(
            [np.bincount(f.city, weights=energy[:, k], minlength=n) for k in range(energy.shape[1])],
            axis=1,
        )
        chem = energy[:, FOSSIL].sum(axis=1) * (f.sector == CHEMICALS)
        feedstock = self.params.feedstock_share_chemicals * np.bincount(f.city, weights=chem, minlength=n)
        return FirmTotals(energy=energy, by_carrier=by_carrier, gdp=self.gdp(), feedstock=feedstock)

    def energy_by_carrier(self) -> np.ndarray:
        """Final energy per city and carrier (cities, carriers): tce, electricity MWh."""
        return self.totals().by_carrier

    def feedstock(self) -> np.ndarray:
        """Feedstock use per city, tce: a share of the chemical sector's fossil use."""
        return self.totals().feedstock

    def rules(self) -> YearRules:
        """This year's rules from the levers in force."""
        h = self.scenario.horizon
        return apply_levers(self.levers, LeverContext(self.year, h.start_year, h.end_year))

    # -------------------------------------------------------------------- step
    def step(self) -> None:
        """One year, in the order of events of the module docstring."""
        self.year += 1
        rules = self.rules()  # 1
        self.firms_decide(rules)  # 2
        outcomes = self.cities_plan(rules)  # 3
        self.cities_build(rules, outcomes)  # 4
        self.account(rules, outcomes)  # 5
        self.evaluate(rules)  # 6
        self.datacollector.collect(self)  # 7

    def run(self) -> None:
        """Step to the end of the horizon."""
        while self.year < self.scenario.horizon.end_year:
            self.step()

    # ---------------------------------------------------------------- 2 firms
    def firms_decide(self, rules: YearRules) -> None:
        """Firms grow, improve, retire when mandated or unprofitable, retrofit; entrants arrive."""
        f, p = self.firms, self.params
        # growth: the city's trend times the sector's factor; energy-intensive capped by the curb
        g_city = self.trend_growth[f.city]
        factor = np.ones(len(f))
        factor[INTENSIVE_MASK[f.sector]] = p.growth_intensive_factor
        factor[f.sector == SECTOR_INDEX["services"]] = p.growth_services_factor
        factor[f.sector == RESIDENTIAL] = p.growth_residential_factor
        growth = g_city * factor
        if rules.intensive_growth_cap is not None:
            capped = INTENSIVE_MASK[f.sector]
            growth[capped] = np.minimum(growth[capped], rules.intensive_growth_cap)
        f.expand(growth)
        f.intensity *= 1.0 - p.aeei_pct / 100.0
        # mandated retirement of backward capacity, most intensive first, to the lever's share
        if rules.retire_backward_share > 0:
            self._retire_backward(rules.retire_backward_share)
        # exit when the carbon cost exceeds profit
        if rules.carbon_price > 0:
            e = f.energy()
            co2 = sum(e[:, CARRIER_INDEX[c]] * self.factors[c] for c in FUELS)
            cost_bn = co2 * rules.carbon_price / CNY_PER_BN
            profit_bn = self.profit_share * f.output
            exit_mask = f.alive & (cost_bn > profit_bn) & f.in_gdp
            f.retire(exit_mask, self.year)
        # private retrofits: fuel + carbon savings beat the cost at the firm's hurdle rate
        self._private_retrofits(rules)
        # circular parks: participating energy-intensive firms save energy
        if rules.circular_saving > 0:
            self._circular_parks(rules)
        self._entry()

    def _retire_backward(self, share: float) -> None:
        """Retire the most fossil-intensive energy-intensive firms of each city until the
        retired share of that (base-year) output reaches ``share``."""
        f = self.firms
        n_cities = len(self.cities)
        cand = INTENSIVE_MASK[f.sector] & ~f.entrant
        total = np.bincount(f.city[cand], weights=f.output[cand], minlength=n_cities)
        gone = cand & ~f.alive
        done = np.bincount(f.city[gone], weights=f.output[gone], minlength=n_cities)
        need = share * total - done
        live = np.flatnonzero(cand & f.alive & (need[f.city] > 0))
        if live.size == 0:
            return
        fossil = f.intensity[live][:, FOSSIL].sum(axis=1)
        order = live[np.lexsort((-fossil, f.city[live]))]
        cum = np.cumsum(f.output[order])
        city = f.city[order]
        first = np.flatnonzero(np.r_[True, city[1:] != city[:-1]])
        offset = np.repeat(np.r_[0.0, cum[first[1:] - 1]], np.diff(np.r_[first, len(order)]))
        before = cum - f.output[order] - offset  # output retired before this firm in its city
        mask = np.zeros(len(f), dtype=bool)
        mask[order[before < need[city]]] = True
        f.retire(mask, self.year)

    def _programme_table(self) -> pd.DataFrame:
        return self.base.efficiency_programmes.set_index(["sector", "programme"])

    def _efficiency_package(self) -> tuple[np.ndarray, np.ndarray]:
        """Per sector: cost (CNY2020/tce) and saving share of the efficiency package (NaN: none)."""
        if not hasattr(self, "_package"):
            cost = np.full(len(SECTOR_INDEX), np.nan)
            share = np.zeros(len(SECTOR_INDEX))
            prog = self.base.efficiency_programmes
            for row in prog[prog["programme"] == "efficiency"].itertuples():
                cost[SECTOR_INDEX[row.sector]] = row.cost
                share[SECTOR_INDEX[row.sector]] = row.potential_share
            self._package = (cost, share)
            self._price_matrix = np.stack([self.prices[x] for x in FUELS], axis=1)  # (cities, fuels)
            self._ef_vector = np.array([self.factors[x] for x in FUELS])
        return self._package

    def _private_retrofits(self, rules: YearRules) -> None:
        """Firms take the efficiency package when the value of a tce saved beats its cost.

        Value: the firm's fuel-mix price plus the carbon cost, times its finance access. Cost:
        the package cost scaled by the firm's hurdle rate (less any green-finance discount)
        over the social discount rate at which the package cost is annualised.
        """
        f = self.firms
        cost, share = self._efficiency_package()
        open_ = f.alive & ~f.retrofitted & np.isfinite(cost[f.sector])
        if not open_.any():
            return
        idx = np.flatnonzero(open_)
        e = f.intensity[idx][:, FOSSIL]
        tot = e.sum(axis=1, keepdims=True)
        w = np.divide(e, tot, out=np.zeros_like(e), where=tot > 0)
        value = (w * (self._price_matrix[f.city[idx]] + rules.carbon_price * self._ef_vector)).sum(axis=1)
        discount = rules.rate_discount if "efficiency" in rules.finance_eligible else 0.0
        hurdle = np.maximum(f.hurdle[idx] - discount, 1e-3)
        take = np.zeros(len(f), dtype=bool)
        worth = value * f.finance_access[idx] >= cost[f.sector[idx]] * hurdle / self.planner.discount_rate
        # diffusion: of the firms for which the package pays, a share acts each year
        acts = f.draw(self.year)[idx] < self.params.retrofit_adoption_per_year
        take[idx] = worth & acts
        f.retrofit(take, share[f.sector], self.year)

    def _circular_parks(self, rules: YearRules) -> None:
        f = self.firms
        member = INTENSIVE_MASK[f.sector] & ~f.entrant
        # a fixed, seeded subset participates: the first `participation` share by firm rank
        if not hasattr(self, "_park_members"):
            draw = self.rng.random(len(f))
            self._park_members = member & (draw < rules.circular_participation)
        target = rules.circular_saving
        done = getattr(self, "_park_level", 0.0)
        if target <= done:
            return
        step = 1.0 - (1.0 - target) / (1.0 - done)
        members = np.zeros(len(f), dtype=bool)
        members[: len(self._park_members)] = self._park_members
        f.intensity[np.ix_(members & f.alive, FOSSIL)] *= 1.0 - step
        self._park_level = target

    def _entry(self) -> None:
        """Low-intensity, high-value firms enter 'other_industry' in proportion to city GDP.

        Entrants' value added is ``entry_rate x (1 + status bonus x (status + extra parks)) x GDP``
        (a city rated excellent three years running under the evaluation lever gets more parks,
        doubling its bonus); their number keeps
        the city's mean firm size in other industry; their intensity is a fraction of that
        sector's mean intensity in the city.
        """
        f, p = self.firms, self.params
        n_cities = len(self.cities)
        other = SECTOR_INDEX["other_industry"]
        mask = (f.sector == other) & f.alive
        out = np.bincount(f.city[mask], weights=f.output[mask], minlength=n_cities)
        count = np.bincount(f.city[mask], minlength=n_cities)
        energy = np.stack(
            [
                np.bincount(f.city[mask], weights=f.intensity[mask, k] * f.output[mask], minlength=n_cities)
                for k in range(f.intensity.shape[1])
            ],
            axis=1,
        )
        status = np.array([c.has_status for c in self.cities], dtype=float)
        parks = np.array([c.extra_parks for c in self.cities], dtype=float)  # more parks: more room
        va = p.entry_rate * (1.0 + p.entry_status_bonus * (status + parks)) * self.gdp()
        ok = (va > 0) & (out > 0)
        n_new = np.where(ok, np.maximum(1, np.round(count * va / np.where(out > 0, out, 1))), 0).astype(int)
        total = int(n_new.sum())
        if total == 0:
            return
        city = np.repeat(np.arange(n_cities), n_new)
        size = self.rng.lognormal(0.0, p.firm_size_sigma, total)
        size_sum = np.bincount(city, weights=size, minlength=n_cities)
        mean_int = energy / np.where(out > 0, out, 1)[:, None]
        entrants = FirmPopulation(
            city=city,
            sector=np.full(total, other),
            output=va[city] * size / size_sum[city],
            intensity=mean_int[city] * p.entrant_intensity_factor,
            vintage=np.full(total, self.year),
            hurdle=p.hurdle_rate_mean * self.rng.lognormal(0.0, p.hurdle_rate_sigma, total),
            finance_access=self.rng.uniform(p.finance_access_min, 1.0, total),
            backward=np.zeros(total, dtype=bool),
            retrofitted=np.ones(total, dtype=bool),
            entrant=np.ones(total, dtype=bool),
            alive=np.ones(total, dtype=bool),
            in_gdp=np.ones(total, dtype=bool),
            retire_year=np.zeros(total, dtype=int),
            propensity=self.rng.random(total),
        )
        f.enter(entrants)
        self.profit_share = np.concatenate(
            [self.profit_share, p.profit_share_of_va * self.rng.lognormal(0.0, p.profit_sigma, total)]
        )

    # --------------------------------------------------------------- 3 planning
    def _outlook(self, city: CityAgent, years: list[int], t: FirmTotals) -> Outlook:
        """Expected demand of the city over the planning years from its firms' state and trends."""
        f, p = self.firms, self.params
        mine = (f.city == city.index) & f.alive
        e = t.energy[mine]
        growth = self.trend_growth[city.index]
        k = np.arange(len(years))
        grow = (1.0 + growth) ** k
        eff = (1.0 - p.aeei_pct / 100.0) ** k
        gdp = t.gdp[city.index]
        sector = f.sector[mine]
        fossil_by_sector = {s: e[sector == si][:, FOSSIL].sum() for s, si in SECTOR_INDEX.items()}
        return Outlook(
            years=years,
            electricity_mwh=e[:, ELEC].sum() * grow * eff,
            fossil_final_tce={c: e[:, CARRIER_INDEX[c]].sum() * grow * eff for c in FUELS},
            feedstock_tce=t.feedstock[city.index] * grow * eff,
            gdp_bn=gdp * grow,
            programme_potential_tce=self._programme_potential(city, fossil_by_sector, t.energy),
        )

    def _programme_potential(
        self, city: CityAgent, fossil: dict[str, float], energy: np.ndarray
    ) -> dict[tuple[str, str], float]:
        """Fossil energy (tce/yr) that public programmes can save or switch in the city this year:
        the programme's share of the sector's remaining fossil use, at the diffusion pace."""
        f = self.firms
        prog = self._programme_table()
        out = {}
        for (sector, programme), row in prog.iterrows():
            si = SECTOR_INDEX[sector]
            if programme == "efficiency":
                open_ = (f.city == city.index) & (f.sector == si) & f.alive & ~f.retrofitted
                base = energy[open_][:, FOSSIL].sum()
            else:
                base = fossil.get(sector, 0.0)
            # programmes ramp at the pace firms take up efficiency (diffusion share per year)
            out[(sector, programme)] = (
                float(row["potential_share"]) * base * self.params.retrofit_adoption_per_year
            )
        return out

    def cities_plan(self, rules: YearRules) -> dict[str, PlanOutcome]:
        """Each city's planner proposes this year's builds, retirements and programmes."""
        outcomes = {}
        end = self.scenario.horizon.end_year
        lifetime = self.coal_lifetime
        t = self.totals()  # firms do not change while cities plan
        for city in self.cities:
            if rules.retire_coal_max_mw is not None:
                city.coal.retire_small(rules.retire_coal_max_mw)
            city.coal.retire_aged(self.year, lifetime)
            city.sync_coal()
            # rolling: this year only, against this year's milestone; foresight: to the horizon
            years = [self.year]
            if self.scenario.planner.mode == "foresight":
                years = list(range(self.year, end + 1))
            outlook = self._outlook(city, years, t)
            policy = self._policy_inputs(city, rules, t)
            outcome = self.planner.plan(city, outlook, policy)
            if outcome.status != "optimal":
                raise PlanningError(
                    f"{city.city_id} {self.year}: planner status {outcome.status}: "
                    + "; ".join(outcome.messages)
                )
            outcomes[city.city_id] = outcome
        return outcomes

    def budget(self, city: CityAgent, rules: YearRules, gdp: np.ndarray | None = None) -> float:
        """Funds the city expects for power and efficiency investment this year, bnCNY2020.

        ``gdp`` per city may be passed when the caller already holds it.
        """
        gdp = self.gdp() if gdp is None else gdp
        budget = self.params.city_investment_share_of_gdp * float(gdp[city.index])
        budget *= 1.0 + city.support_bonus
        if city.has_status:
            budget += rules.extra_finance_bn
        return budget

    def _policy_inputs(self, city: CityAgent, rules: YearRules, t: FirmTotals) -> PolicyInputs:
        return PolicyInputs(
            year=self.year,
            rules=rules,
            accounting_rule=self.scenario.accounting.rule,
            base_components=self.base_components[city.city_id],
            base_gdp_bn=self.base_gdp[city.city_id],
            target_reduction_pct=self._target_pct(city, rules),
            base_coal_tce=self.base_coal[city.city_id],
            budget_bn=self.budget(city, rules, t.gdp),
            residual=self.residual.get(city.city_id, {}),
        )

    def _target_pct(self, city: CityAgent, rules: YearRules) -> float:
        if rules.intensity_reduction_pct is not None:
            return rules.intensity_reduction_pct
        return self.city_target(city.city_id, "energy_intensity_reduction")

    def city_target(self, city_id: str, indicator: str) -> float:
        """The city's target reduction vs 2020, percent (from city_targets.csv)."""
        t = self.base.city_targets
        row = t[(t["city_id"] == city_id) & (t["indicator"] == indicator)]
        if row.empty:
            raise KeyError(f"city_targets.csv has no {indicator} for {city_id!r}")
        return float(row["value"].iloc[0])

    # ----------------------------------------------------------------- 4 build
    def cities_build(self, rules: YearRules, outcomes: dict[str, PlanOutcome]) -> None:
        """Carry out this year's plan within the finance the city can raise."""
        gdp = self.gdp()  # programmes change intensities, not output: GDP holds for the loop
        for city in self.cities:
            out = outcomes[city.city_id]
            budget = self.budget(city, rules, gdp)
            mine = (self.firms.city == city.index) & self.firms.alive
            access = float(self.firms.finance_access[mine].mean()) if mine.any() else 1.0
            budget *= access
            need = out.capex_bn
            share = 1.0 if need <= budget or need <= 0 else budget / need
            built = {t: mw * share for t, mw in out.new_mw.items()}
            st_mw = {t: mw * share for t, mw in out.storage_mw.items()}
            st_mwh = {t: mwh * share for t, mwh in out.storage_mwh.items()}
            city.build(built, st_mw, st_mwh, {k: mw * share for k, mw in out.new_by_land_mw.items()})
            retired = city.retire_coal(out.retire_coal_mw)
            out.realise({t: city.state.capacity(t) for t in out.planned_capacity_mw})
            self._carry_out_programmes(city, out, 1.0)  # annual costs: not limited by capital
            for tech in sorted(set(out.new_mw) | set(out.storage_mw)):
                self.investments.append(
                    {
                        "city_id": city.city_id,
                        "year": self.year,
                        "tech": tech,
                        "planned_mw": out.new_mw.get(tech, 0.0) + out.storage_mw.get(tech, 0.0),
                        "built_mw": built.get(tech, 0.0) + st_mw.get(tech, 0.0),
                    }
                )
            self.investments.append(
                {
                    "city_id": city.city_id,
                    "year": self.year,
                    "tech": "coal_retired",
                    "planned_mw": out.retire_coal_mw,
                    "built_mw": retired,
                }
            )
            city.finance_share = share

    def _carry_out_programmes(self, city: CityAgent, out: PlanOutcome, share: float) -> None:
        f = self.firms
        for (sector, programme), tce in out.programme_tce.items():
            if tce <= 0:
                continue
            si = SECTOR_INDEX[sector]
            mask = (f.city == city.index) & (f.sector == si) & f.alive
            if programme == "efficiency":
                mask &= ~f.retrofitted
            fossil = (f.intensity[mask][:, FOSSIL] * f.output[mask, None]).sum()
            if fossil <= 0:
                continue
            frac = min(tce * share / fossil, 1.0)
            saving = np.full(len(f), frac)
            if programme == "efficiency":
                f.retrofit(mask, saving, self.year)
            else:
                f.electrify(mask, saving, self.params.electrification_mwh_per_tce)

    # ------------------------------------------------------------- 5 accounting
    def _components(
        self, city: CityAgent, power: PlanOutcome, t: FirmTotals
    ) -> tuple[EnergyComponents, dict[str, float]]:
        """Primary-energy components of the city now, and the flows behind them.

        Final use comes from the firms; generation from the city's plan; net import closes
        the electricity balance (firm demand + storage losses - local generation), so the
        balance holds exactly even when the city built less than it planned. ``other`` is the
        base-year calibration residual (transformation losses and statistical difference
        against city_history), carried forward in proportion to fossil final use.
        """
        e = t.by_carrier[city.index]
        fossil_final = float(sum(e[CARRIER_INDEX[c]] for c in FUELS))
        demand = float(e[ELEC])
        generation = sum(power.generation_mwh.values())
        net_import = demand + power.storage_loss_mwh - generation
        factor = self.planner.conversion_tce_per_mwh(self.year)
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
        export = max(-net_import, 0.0) * factor
        share_old = power.nonfossil_old_mwh / generation if generation > 0 else 0.0
        share_new = power.nonfossil_new_mwh / generation if generation > 0 else 0.0
        comp = EnergyComponents(
            fossil_final=fossil_final,
            feedstock=float(t.feedstock[city.index]),
            power_fossil=power.fossil_fuel_tce,
            nonfossil_old=power.nonfossil_old_mwh * factor,
            nonfossil_new=power.nonfossil_new_mwh * factor,
            net_import=net_import * factor,
            other=other["energy"],
            export_nonfossil_old=export * share_old,
            export_nonfossil_new=export * share_new,
        )
        return comp, flows

    def _account_base_year(self) -> None:
        """Base year: dispatch the 2020 fleet, then fix the residual against city_history 2020.

        The residual (energy, coal, CO2 per tce of fossil final use) makes the model's 2020
        totals equal the compiled 2020 data; it stands for what the model does not represent
        (coking, refining and other transformation losses, process CO2, statistical difference).
        """
        self.base_coal: dict[str, float] = {}
        self.residual: dict[str, dict[str, float]] = {}
        start = self.scenario.horizon.start_year
        hist = self.base.city_history
        hist = hist[hist["year"] == start].pivot_table(index="city_id", columns="variable", values="value")
        t = self.totals()
        for city in self.cities:
            outlook = self._outlook(city, [start], t)
            policy = PolicyInputs(
                year=start,
                rules=YearRules(),
                accounting_rule=self.scenario.accounting.rule,
                base_components=None,
                base_gdp_bn=float(t.gdp[city.index]),
                target_reduction_pct=0.0,
                base_coal_tce=0.0,
                budget_bn=self.budget(city, YearRules(), t.gdp),
            )
            dispatch = self.planner.dispatch_base_year(city, outlook, policy)
            if dispatch.status != "optimal":
                raise PlanningError(
                    f"{city.city_id} {start}: base-year dispatch status {dispatch.status}: "
                    + "; ".join(dispatch.messages)
                )
            comp, _ = self._components(city, dispatch, t)
            e = t.by_carrier[city.index]
            coal = float(e[CARRIER_INDEX["coal"]]) + dispatch.coal_tce
            co2 = self._co2(e, dispatch)
            if city.city_id in hist.index and comp.fossil_final > 0:
                h = hist.loc[city.city_id]
                self.residual[city.city_id] = {
                    name: self._residual_ratio(gap, comp.fossil_final, comp.power_fossil)
                    for name, gap in (
                        ("energy", h["energy_total"] - comp.total),
                        ("coal", h["coal"] - coal),
                        ("co2", h["co2"] - co2),
                    )
                }
            comp, flows = self._components(city, dispatch, t)
            self.base_components[city.city_id] = comp
            self.base_gdp[city.city_id] = float(t.gdp[city.index])
            self.base_coal[city.city_id] = coal + flows["other_coal_tce"]
            self._record(city, comp, flows, dispatch, None, t)

    @staticmethod
    def _residual_ratio(gap: float, fossil_final: float, power_fossil: float) -> tuple[str, float]:
        """How a base-year gap to the data is carried forward: (basis, ratio to the basis).

        A positive gap (the data count more: coking, refining, process CO2, statistical
        difference) moves with fossil final use. A negative gap (the fleet burns more than the
        city's statistics attribute to it, typically power exported or plants outside the
        statistical boundary) moves with the fuel burnt in local power plants.
        """
        if gap < 0 and power_fossil > 0:
            return ("power_fossil", gap / power_fossil)
        return ("fossil_final", gap / fossil_final)

    def _co2(self, e: np.ndarray, power: PlanOutcome) -> float:
        """Direct CO2 of final fossil use and local power plants, t."""
        return float(sum(e[CARRIER_INDEX[x]] * self.factors[x] for x in FUELS) + power.co2_t)

    def account(self, rules: YearRules, outcomes: dict[str, PlanOutcome]) -> None:
        """Energy, coal, CO2 and intensity of every city this year."""
        t = self.totals()
        for city in self.cities:
            out = outcomes[city.city_id]
            comp, flows = self._components(city, out, t)
            self._record(city, comp, flows, out, rules, t)

    def _record(
        self,
        city: CityAgent,
        comp: EnergyComponents,
        flows: dict[str, float],
        power: PlanOutcome,
        rules: YearRules | None,
        t: FirmTotals,
    ) -> None:
        e = t.by_carrier[city.index]
        gdp = float(t.gdp[city.index])
        c = counting(self.scenario.accounting.rule, self.year)
        base = self.base_components.get(city.city_id, comp)
        gdp0 = self.base_gdp.get(city.city_id, gdp)
        intensity = comp.counted_intensity(c) / (gdp * TEN_K_PER_BN)
        intensity0 = base.counted_intensity(c) / (gdp0 * TEN_K_PER_BN)
        co2 = self._co2(e, power) + flows["other_co2_t"]
        coal = float(e[CARRIER_INDEX["coal"]]) + power.coal_tce + flows["other_coal_tce"]
        nonfossil = comp.nonfossil_old + comp.nonfossil_new
        # the target in force: the dual_control lever's override, else the city's own
        target = (
            self._target_pct(city, rules)
            if rules is not None
            else self.city_target(city.city_id, "energy_intensity_reduction")
        )
        row = {
            "city_id": city.city_id,
            "zone_id": city.zone_id,
            "year": self.year,
            "gdp_bn": gdp,
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
            "energy_counted_total_tce": comp.counted_total(c),
            "energy_counted_intensity_tce": comp.counted_intensity(c),
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
            "co2_import_t": power.grid_emission_factor * flows["net_import_mwh"],
            "co2_intensity_t_per_10k": co2 / (gdp * TEN_K_PER_BN),
            **{f"cap_{t}_mw": v for t, v in self._capacities(city).items()},
            "capex_bn": power.capex_bn * getattr(city, "finance_share", 1.0),
            "cost_bn": power.cost_bn,
            "carbon_payments_bn": power.carbon_bn,
            "finance_share": getattr(city, "finance_share", 1.0),
            "status": "zone" if city.has_status else "no_status",
        }
        self.records.append(row)
        city.last_power_fossil_tce = power.fossil_fuel_tce
        if rules is not None:
            self.plans.append(
                {
                    "city_id": city.city_id,
                    "year": self.year,
                    "status": power.status,
                    **{f"slack_{k}": v for k, v in power.slack.items()},
                    **{f"marginal_{k}": v for k, v in power.marginal_cost.items()},
                }
            )

    def _capacities(self, city: CityAgent) -> dict[str, float]:
        techs = sorted(set(city.state.old_mw) | set(city.state.new_mw))
        out = {t: city.state.capacity(t) for t in techs}
        for t, mw in city.state.storage_mw.items():
            out[f"storage_{t}"] = mw
        return out

    # -------------------------------------------------------------- 6 evaluation
    def evaluate(self, rules: YearRules) -> None:
        """Rate each zone by its cities' progress on the straight path to the intensity target."""
        p = self.params
        thresholds = (p.rating_excellent, p.rating_good, p.rating_average)
        this_year = {r["city_id"]: r for r in self.records if r["year"] == self.year}
        end = rules.target_year or self.scenario.horizon.end_year
        span = max(end - self.scenario.horizon.start_year, 1)
        elapsed = min(self.year - self.scenario.horizon.start_year, span)
        zones: dict[str, list[float]] = {}
        for city in self.cities:
            r = this_year[city.city_id]
            required = r["intensity_target_pct"] * elapsed / span  # negative, percent
            achieved = r["intensity_change_pct"]
            progress = achieved / required if required < 0 else 1.0
            zones.setdefault(city.zone_id or city.city_id, []).append(progress)
        for city in self.cities:
            progress = float(np.mean(zones[city.zone_id or city.city_id]))
            rating = city.rate(progress, thresholds)
            this_year[city.city_id]["rating"] = rating
            if rules.poor_years_to_lose_status is not None and city.has_status:
                city.support_bonus = rules.excellent_bonus if rating in ("excellent", "good") else 0.0
                # three excellent years running allow more demonstration parks (2019 notice)
                city.extra_parks = city.extra_parks or city.streak("excellent") >= 3
                if city.poor_streak() >= rules.poor_years_to_lose_status:
                    city.has_status = False
                    city.support_bonus = 0.0
                    city.extra_parks = False
            this_year[city.city_id]["status"] = "zone" if city.has_status else "no_status"
