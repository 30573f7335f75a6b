"""What holds for a whole run (the :class:`Setting`) and what holds for one year (:class:`Year`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from zonesim.agents.firms import FOSSIL, SECTOR_INDEX, FirmPopulation
from zonesim.agents.params import AgentParams
from zonesim.data import BaseYear
from zonesim.levers import apply_levers
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.macro import GdpPath, gdp_path, trend_growth
from zonesim.periods import Period, city_targets, period_of, periods
from zonesim.scenario import Scenario

FUELS = ("coal", "oil", "gas", "heat")
CHEMICALS = SECTOR_INDEX["chemicals"]


@dataclass(frozen=True)
class Setting:
    """The run's fixed inputs: scenario, data, behaviour and the per-city series derived once."""

    scenario: Scenario
    base: BaseYear
    params: AgentParams
    city_table: pd.DataFrame
    city_ids: tuple[str, ...]
    trend_growth: np.ndarray  # per city, fraction per year (2015-2019 CAGR)
    gdp_path: GdpPath  # real GDP growth per city and year: the macro driver
    prices: dict[str, np.ndarray]  # per fuel, per city, CNY2020/tce
    factors: dict[str, float]  # per fuel, tCO2/tce
    coal_lifetime: float  # years
    discount_rate: float  # 1/yr
    periods: tuple[Period, ...]  # five-year periods with their base and target years
    programmes: pd.DataFrame  # efficiency_programmes indexed by (sector, programme)

    def period(self, year: int) -> Period:
        """The five-year period ``year`` belongs to."""
        return period_of(self.periods, year)

    def carbon_sectors(self, rules: YearRules, year: int) -> np.ndarray:
        """Per firm sector: does this year's carbon price apply (all, or the ETS's coverage)."""
        if rules.carbon_coverage == "all":
            return np.ones(len(SECTOR_INDEX), dtype=bool)
        ets = self.base.tables["ets_coverage"]
        rows = ets[(ets["year"] == year) & ets["covered"].astype(bool)]
        covered = set(rows["model_sector"])
        return np.array([name in covered for name in SECTOR_INDEX])

    def period_targets(self, city_id: str, year: int) -> dict[str, float]:
        """The city's targets (percent) of the period ``year`` belongs to, by indicator."""
        return city_targets(self.base, city_id, self.period(year).name)

    @property
    def n_cities(self) -> int:
        return len(self.city_ids)

    @cached_property
    def _city_targets(self) -> dict[tuple[str, str], float]:
        """city_targets.csv as a lookup (the first row of a city and indicator), read once a
        run instead of filtering the table for every city and year."""
        t = self.base.city_targets
        out: dict[tuple[str, str], float] = {}
        for key, value in zip(zip(t["city_id"], t["indicator"], strict=True), t["value"], strict=True):
            out.setdefault(key, float(value))
        return out

    def city_target(self, city_id: str, indicator: str) -> float:
        """The city's target reduction vs 2020, percent (city_targets.csv)."""
        try:
            return self._city_targets[(city_id, indicator)]
        except KeyError:
            raise KeyError(f"city_targets.csv has no {indicator} for {city_id!r}") from None

    def target_pct(self, city_id: str, rules: YearRules | None) -> float:
        """The intensity target in force: the dual_control lever's override, else the city's own."""
        if rules is not None and rules.intensity_reduction_pct is not None:
            return rules.intensity_reduction_pct
        return self.city_target(city_id, "energy_intensity_reduction")


@dataclass(frozen=True)
class Year:
    """One simulated year: its rules, and the rules of every year the planner looks at."""

    year: int
    rules: YearRules
    ahead: tuple[YearRules, ...]  # rules of the planning years, the first being ``rules``
    planning_years: tuple[int, ...]


def rules_for(scenario: Scenario, year: int) -> YearRules:
    """The rules the levers in force set for ``year`` (levers composed in ``levers.ORDER``)."""
    h = scenario.horizon
    return apply_levers(scenario.levers.active(), LeverContext(year, h.start_year, h.end_year))


def year_of(scenario: Scenario, year: int) -> Year:
    """The year's rules, computed once, with those of the years the planner plans for."""
    end = scenario.horizon.end_year
    years = list(range(year, end + 1)) if scenario.planner.mode == "foresight" else [year]
    ahead = tuple(rules_for(scenario, y) for y in years)
    return Year(year=year, rules=ahead[0], ahead=ahead, planning_years=tuple(years))


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


def make_setting(scenario: Scenario, base: BaseYear, params: AgentParams) -> Setting:
    """Derive the run's fixed inputs from the scenario and the data."""
    table = select_cities(base, scenario)
    ids = tuple(table["city_id"])
    tech = base.technologies
    life = tech[(tech["tech"] == "coal") & (tech["parameter"] == "lifetime")].sort_values("year")
    window = int(base.param("trend_window_first_year")), int(base.param("trend_window_last_year"))
    trend = trend_growth(base, ids, *window)
    return Setting(
        scenario=scenario,
        base=base,
        params=params,
        city_table=table,
        city_ids=ids,
        trend_growth=trend,
        gdp_path=gdp_path(base, scenario, table, trend),
        prices=fuel_prices(base, table),
        factors=emission_factors(base),
        coal_lifetime=float(life["value"].iloc[0]),
        discount_rate=base.param("discount_rate"),
        periods=periods(base),
        programmes=base.efficiency_programmes.set_index(["sector", "programme"]),
    )


def fuel_prices(base: BaseYear, city_table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Fuel prices per city (CNY2020/tce), provincial where given, else national; 2020."""
    prices = base.prices
    out: dict[str, np.ndarray] = {}
    for fuel in ("coal", "oil", "gas"):
        rows = prices[prices["item"] == fuel]
        if rows.empty:
            raise KeyError(f"prices.csv has no price for {fuel!r}")
        rows = rows.sort_values("year")
        nat = rows[rows["region"] == "national"]
        vals = []
        for code in city_table["province_code"]:
            own = rows[rows["region"] == code]
            pick = own if not own.empty else nat if not nat.empty else rows
            vals.append(float(pick["value"].iloc[0]))
        out[fuel] = np.array(vals)
    out["heat"] = out["coal"]  # heat priced at the coal it is made from
    return out


def emission_factors(base: BaseYear) -> dict[str, float]:
    """tCO2/tce of each fuel; heat counted as coal-fired."""
    ef = base.emission_factors.set_index("item")["value"]
    out = {fuel: float(ef[fuel]) for fuel in ("coal", "oil", "gas")}
    out["heat"] = out["coal"]
    return out


@dataclass(frozen=True)
class FirmTotals:
    """Aggregates of the firm arrays at one moment: phases that read them for every city
    (planning, accounting) take one snapshot instead of re-summing all firms per city."""

    energy: np.ndarray  # per firm and carrier (firms, carriers): tce, electricity MWh
    by_carrier: np.ndarray  # per city and carrier (cities, carriers)
    gdp: np.ndarray  # per city, bnCNY2020
    feedstock: np.ndarray  # per city, tce


def gdp(firms: FirmPopulation, n_cities: int) -> np.ndarray:
    """GDP per city, bnCNY2020: value added of live firms (households excluded)."""
    va = firms.output * firms.alive * firms.in_gdp
    return np.bincount(firms.city, weights=va, minlength=n_cities)


def totals(firms: FirmPopulation, n_cities: int, feedstock_share: float) -> FirmTotals:
    """The firms' aggregates now, computed in one pass."""
    f, n = firms, n_cities
    energy = f.energy()
    by_carrier = np.stack(
        [np.bincount(f.city, weights=energy[:, k], minlength=n) for k in range(energy.shape[1])],
        axis=1,
    )
    chem = energy[:, FOSSIL].sum(axis=1) * (f.sector == CHEMICALS)
    feedstock = feedstock_share * np.bincount(f.city, weights=chem, minlength=n)
    return FirmTotals(energy=energy, by_carrier=by_carrier, gdp=gdp(f, n), feedstock=feedstock)
