"""TransitionModel: the demonstration-zone cities from 2020 to the horizon, one step a year.

``step()`` reads as the year's order of events (DESIGN.md, "Data flow"); each event is a
module of :mod:`zonesim.year`:

1. levers set this year's rules (once, for every year the planner looks at);
2. firms decide: grow, retire, retrofit; new firms enter (:mod:`zonesim.year.firms`);
3. each city's planner (Pyomo -> HiGHS) proposes the investment mix (:mod:`zonesim.year.plan`);
4. cities carry it out, limited by finance -> implementation gap (:mod:`zonesim.year.build`);
5. accounting: energy by carrier, coal, CO2, GDP, intensity, non-fossil share, cost
   (:mod:`zonesim.year.account`);
6. evaluation: zones rated; status and support change (:mod:`zonesim.year.evaluate`);
7. data collection.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from zonesim.agents.city import CityAgent
from zonesim.agents.firms import FirmPopulation, synthesize
from zonesim.agents.params import AgentParams
from zonesim.data import BaseYear, load
from zonesim.levers.rules import YearRules
from zonesim.planner.city import CityPlanner
from zonesim.scenario import Scenario
from zonesim.year import build, plan
from zonesim.year.account import Accounts
from zonesim.year.errors import PlanningError
from zonesim.year.evaluate import evaluate
from zonesim.year.firms import FirmBehaviour
from zonesim.year.setting import FirmTotals, Setting, gdp, make_setting, select_cities, totals, year_of

__all__ = ["PlanningError", "TransitionModel", "select_cities"]


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
        base = base if base is not None else load()
        params = params if params is not None else AgentParams.from_data(base)
        self.setting: Setting = make_setting(scenario, base, params)
        s = self.setting
        self.scenario, self.base, self.params = scenario, base, params
        self.year = scenario.horizon.start_year
        self.city_table = s.city_table
        self.city_ids = list(s.city_ids)
        self.firms: FirmPopulation = synthesize(
            base.industry,
            self.city_ids,
            scenario.firms.n_firms,
            self.rng,
            size_sigma=params.firm_size_sigma,
            intensity_sigma=params.firm_intensity_sigma,
            hurdle_mean=params.hurdle_rate_mean,
            hurdle_sigma=params.hurdle_rate_sigma,
            finance_min=params.finance_access_min,
            vintage_range=(int(params.vintage_first_year), scenario.horizon.start_year),
            elec_tce_per_mwh=base.constant("elec_calorific_kgce_per_kwh"),
            backward_share=params.backward_class_share,
        )
        self.behaviour = FirmBehaviour(
            self.firms,
            params,
            self.rng,
            s.gdp_path,
            s.prices,
            s.factors,
            s.discount_rate,
            base.efficiency_programmes,
        )
        units = base.power_units
        self.cities: list[CityAgent] = [
            CityAgent(self, row, i, units[units["city_id"] == row["city_id"]])
            for i, row in self.city_table.iterrows()
        ]
        self.planner = planner if planner is not None else CityPlanner(base, scenario)
        self.accounts = Accounts(s, self.planner.conversion_tce_per_mwh)
        self.investments: list[dict[str, Any]] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "year": lambda m: m.year,
                "firms_alive": lambda m: int(m.firms.alive.sum()),
                "gdp_bn": lambda m: float(m.gdp().sum()),
            }
        )
        self.accounts.base_year(self.cities, self.firms, self.planner, self.totals(), plan.outlook)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------- step
    def step(self) -> None:
        """One year, in the order of events of the module docstring."""
        self.year += 1
        s, cities, firms, acc = self.setting, self.cities, self.firms, self.accounts
        yr = year_of(self.scenario, self.year)  # 1 levers
        self.behaviour.decide(yr.year, yr.rules, cities, s.carbon_sectors(yr.rules, yr.year))  # 2 firms
        plans = plan.cities_plan(s, yr, cities, firms, acc, self.planner, self.totals())  # 3 plan
        self.investments += build.cities_build(s, yr.year, yr.rules, cities, firms, plans)  # 4 build
        park_cost = self.behaviour.park_cost_bn(yr.rules)
        acc.year(yr.year, yr.rules, cities, plans, self.totals(), park_cost)  # 5 accounting
        evaluate(s, yr.year, yr.rules, cities, self.records)  # 6 evaluation
        self.datacollector.collect(self)  # 7

    def run(self) -> None:
        """Step to the end of the horizon."""
        while self.year < self.scenario.horizon.end_year:
            self.step()

    # ------------------------------------------------------------------ views
    @property
    def records(self) -> list[dict[str, Any]]:
        """One row per city-year: the pathways table."""
        return self.accounts.records

    @property
    def plans(self) -> list[dict[str, Any]]:
        """One row per city-year after the base year: planner status, slack, marginal cost."""
        return self.accounts.plans

    @property
    def residual(self) -> dict[str, dict[str, tuple[str, float]]]:
        """Base-year residual per city (see :func:`zonesim.year.account.residual_ratio`)."""
        return self.accounts.residual

    @property
    def profit_share(self) -> np.ndarray:
        return self.behaviour.profit_share

    @property
    def prices(self) -> dict[str, np.ndarray]:
        return self.setting.prices

    @property
    def factors(self) -> dict[str, float]:
        return self.setting.factors

    def gdp(self) -> np.ndarray:
        """GDP per city, bnCNY2020: value added of live firms (households excluded)."""
        return gdp(self.firms, len(self.cities))

    def totals(self) -> FirmTotals:
        """The firms' aggregates now (one snapshot per phase)."""
        return totals(self.firms, len(self.cities), self.params.feedstock_share_chemicals)

    def budget(self, city: CityAgent, rules: YearRules) -> float:
        """Funds the city expects for power and efficiency investment this year, bnCNY2020."""
        return build.budget(self.setting, city, rules, self.firms)

    def evaluate(self, rules: YearRules) -> None:
        """Rate the zones on this year's records (phase 6 alone)."""
        evaluate(self.setting, self.year, rules, self.cities, self.records)
