"""The link between city agents and the planner LP.

A city hands its outlook (from its firms) and this year's rules to :class:`CityPlanner`,
which turns them into a :class:`~zonesim.planner.inputs.PlannerInput` (data-derived parts
from :func:`zonesim.planner.adapter.planner_input`, the city's current fleet and policy from
the model), solves it with a persistent HiGHS model per city, and returns the first year's
decisions and energy flows as a :class:`~zonesim.planner.outcome.PlanOutcome` in model units
(MW, MWh, tce, t, bnCNY).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from zonesim.accounting import EnergyComponents, counting
from zonesim.data import BaseYear
from zonesim.levers.rules import YearRules
from zonesim.planner.adapter import planner_input
from zonesim.planner.inputs import (
    Carrier,
    CityOutlook,
    Counting,
    PlannerInput,
    PlannerPolicy,
)
from zonesim.planner.outcome import PlanOutcome, outcome
from zonesim.planner.results import PlannerResult
from zonesim.planner.solve import Planner
from zonesim.planner.standard import fingerprint
from zonesim.scenario import Scenario
from zonesim.units import KILO, MEGA, TEN_K_PER_BN

if TYPE_CHECKING:
    from zonesim.agents.city import CityAgent

POLICY_LAND_CLASSES = frozenset({"desert", "subsidence"})
"""Land classes opened only by the pv_storage lever (plan section (十): 采煤沉陷区, 沙漠)."""
FUELS = ("coal", "oil", "gas", "heat")


@dataclass(frozen=True)
class Outlook:
    """A city's expected demand over the planning years (model units)."""

    years: list[int]
    electricity_mwh: np.ndarray
    fossil_final_tce: dict[str, np.ndarray]
    feedstock_tce: np.ndarray
    gdp_bn: np.ndarray
    programme_potential_tce: dict[tuple[str, str], float]
    programme_carrier_shares: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    """Per programme, each fossil carrier's share in the use it reaches (else the data's)."""
    programme_feedstock_share: dict[tuple[str, str], float] = field(default_factory=dict)
    """Per programme, the share of what it displaces that the accounting counts as feedstock."""


@dataclass(frozen=True)
class PolicyInputs:
    """What the planner needs to know of the scenario for this city and year."""

    year: int
    rules: YearRules
    accounting_rule: str
    base_components: EnergyComponents | None
    base_gdp_bn: float
    target_reduction_pct: float
    base_coal_tce: float
    budget_bn: float | None = None
    residual: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Base-year residual per quantity: (basis, ratio); see zonesim.year.account.residual_ratio."""
    ahead: tuple[YearRules, ...] = ()
    """The rules of every planning year (computed once by the model, levers in ORDER)."""
    target_year: int | None = None
    """Year of the energy-intensity target (the energy dual-control period's end), unless a
    lever sets its own."""
    co2_base: tuple[int, float, float] | None = None
    """Carbon dual control: (base year, CO2 intensity incl. imported electricity there in
    tCO2 per 10k CNY, the city's CO2-intensity target %) of the period the year falls in."""


_BASE_DISPATCH: dict[tuple, PlanOutcome] = {}
"""Base-year dispatch by its LP (city, year, :func:`~zonesim.planner.standard.fingerprint`)."""
BASE_DISPATCH_CACHE_SIZE = 20_000


def _rounded(values: np.ndarray) -> tuple[float, ...]:
    """Values to 10 significant digits: sums over differently drawn firms agree to ~1e-15;
    rounding makes the base-year inputs, and so the results, independent of the draw."""
    return tuple(float(f"{v:.10g}") for v in np.atleast_1d(values))


class CityPlanner:
    """Builds, solves and reads each city's LP; keeps one persistent model per city."""

    def __init__(self, base: BaseYear, scenario: Scenario) -> None:
        self.base = base
        self.scenario = scenario
        self._planners: dict[str, Planner] = {}
        self.last_input: dict[str, PlannerInput] = {}
        self._storage_efficiency: dict[str, dict[str, float]] = {}
        self._export_limit: dict[str, float] = {}
        self._export_twh: dict[str, float] = {}  # base-year gross export per city
        # memoised per planner (one scenario, one data version): the same for every city
        self._conversion: dict[int, float] = {}
        self._coal_rules: dict | None = None
        self._allocation: dict[int, dict[str, float] | None] = {}  # year -> power allowances

    def power_allocation(self, year: int) -> dict[str, float] | None:
        """Output-based free allowances of power plants under the national ETS, tCO2/MWh per
        technology (ets_benchmarks.csv: coal units above 300 MW, gas), or None where the
        power sector is not covered with benchmark allocation in ``year`` (ets_coverage.csv).
        Read once per year (the planner asks for every city)."""
        if year not in self._allocation:
            cov = self.base.tables["ets_coverage"]
            row = cov[(cov["sector"] == "power") & (cov["year"] == year)]
            benchmark = "free_benchmark_intensity"
            if row.empty or not bool(row["covered"].iloc[0]) or row["allocation"].iloc[0] != benchmark:
                self._allocation[year] = None
            else:
                bm = self.base.tables["ets_benchmarks"]
                bm = bm[(bm["sector"] == "power") & (bm["year"] <= year)].sort_values("year")
                latest = bm.groupby("category")["value"].last()
                self._allocation[year] = {
                    "coal": float(latest["coal_conventional_above_300mw"]),
                    "gas": float(latest["gas"]),
                }
        return self._allocation[year]

    @property
    def discount_rate(self) -> float:
        """Social discount rate, 1/yr (planner_parameters.csv)."""
        return self.base.param("discount_rate")

    def conversion_tce_per_mwh(self, year: int) -> float:
        """Primary energy per MWh of electricity by the scenario's method (= kgce/kWh)."""
        if year not in self._conversion:
            if self.scenario.accounting.electricity_conversion == "calorific":
                self._conversion[year] = self.base.constant("elec_calorific_kgce_per_kwh")
            else:
                self._conversion[year] = self.base.constant("elec_coal_equivalent_kgce_per_kwh", year)
        return self._conversion[year]

    def new_coal_allowed(self, city: CityAgent, year: int) -> bool:
        """New coal power may be built: the city has coal sites (2020 units) and its province
        does not ban new coal (coal_build_rules.csv: 大气十条 key regions)."""
        if city.coal_2020_mw <= 0:
            return False
        if self._coal_rules is None:
            t = self.base.coal_build_rules
            self._coal_rules = {
                str(p): (bool(a), int(y))
                for p, a, y in zip(t["province_code"], t["new_coal_allowed"], t["from_year"], strict=True)
            }
        if city.province_code not in self._coal_rules:
            return True
        allowed, from_year = self._coal_rules[city.province_code]
        return allowed or year < from_year

    # ------------------------------------------------------------------ inputs
    def _policy(self, outlook: Outlook, pol: PolicyInputs, city: CityAgent) -> PlannerPolicy:
        """The LP's policy: the caps on the accounting's measures, and the base-year residual the
        LP counts with them (model units -> LP)."""
        years = outlook.years
        rule = pol.accounting_rule
        rules = pol.ahead
        if len(rules) != len(years):
            raise ValueError(f"policy has rules for {len(rules)} years, the outlook {len(years)}")
        base = pol.base_components
        counts = [counting(rule, y) for y in years]
        intensity_cap: list[float | None] = []
        energy_cap: list[float | None] = []
        coal_cap: list[float | None] = []
        co2_cap: list[float | None] = []
        start = self.scenario.horizon.start_year
        for y, r, c in zip(years, rules, counts, strict=True):
            enforce = r.enforce_targets and base is not None
            g = r.total_growth_pct_per_year
            frac = r.coal_cap_fraction if base is not None else None
            # the intensity milestone of year y on the straight path to the target (what the
            # annual evaluation checks), the full cut from the target year on
            target_year = r.target_year or pol.target_year or self.scenario.horizon.end_year
            progress = min((y - start) / max(target_year - start, 1), 1.0)
            base_int = base.counted_intensity(c) / (pol.base_gdp_bn * TEN_K_PER_BN) if enforce else 0.0
            intensity_cap.append(
                base_int * (1 - pol.target_reduction_pct / 100 * progress) if enforce else None
            )
            energy_cap.append(
                base.counted_total(c) / MEGA * (1 + g / 100) ** (y - start)
                if enforce and g is not None
                else None
            )
            coal_cap.append(frac * pol.base_coal_tce / MEGA if frac is not None else None)
            co2_cap.append(self._co2_cap(r, y, pol))
        now = pol.rules
        return PlannerPolicy(
            counting=tuple(Counting.of(c) for c in counts),
            conversion_factor=tuple(self.conversion_tce_per_mwh(y) for y in years),
            carbon_price=tuple(r.carbon_price for r in rules),
            # under ETS coverage the programmes' firms are outside the market (2021-2023) or
            # get free allowances (steel, cement, aluminium from 2024): no carbon value
            final_carbon_price=tuple(0.0 for _ in rules) if now.carbon_coverage == "ets" else None,
            free_allocation=self.power_allocation(pol.year) if now.carbon_coverage == "ets" else None,
            forced_coal_retirement_gw=(0.0,) * len(years),
            energy_cap_mtce=tuple(energy_cap) if any(v is not None for v in energy_cap) else None,
            intensity_cap=tuple(intensity_cap) if any(v is not None for v in intensity_cap) else None,
            coal_cap_mtce=tuple(coal_cap) if any(v is not None for v in coal_cap) else None,
            co2_intensity_cap=tuple(co2_cap) if any(v is not None for v in co2_cap) else None,
            budget_bn=(pol.budget_bn,) * len(years) if pol.budget_bn is not None else None,
            storage_power_ratio=now.storage_power_ratio,
            storage_duration_h=now.storage_duration_h or 2.0,
            coal_substitution_ratio=now.coal_substitution_ratio
            if now.coal_cap_fraction is not None
            else None,
            # coal kept for security of supply (保供调峰): units retire by age or by the
            # retirement lever, not by the planner's choice
            min_coal_gw=city.state.capacity("coal") / KILO,
            co2_includes_imports=self.scenario.accounting.co2_scope == "with_imports",
            # storage is coupled with the wind and PV bases the lever opens (新能源+储能 on the
            # named land classes); elsewhere new wind and PV carry no storage requirement
            storage_land_classes=(now.land_classes or frozenset()) & POLICY_LAND_CLASSES,
            storage_power_ratio_other=0.0,
            build_order_share=self.base.param("pv_base_build_share_per_year"),
            storage_charges_from_vre=bool((now.land_classes or frozenset()) & POLICY_LAND_CLASSES),
            # the base-year residual moves with its basis in the plan (as in the accounting)
            other_per_fossil_final={q: r for q, (b, r) in pol.residual.items() if b == "fossil_final"},
            other_per_power_fuel={q: r for q, (b, r) in pol.residual.items() if b == "power_fossil"},
        )

    @staticmethod
    def _co2_cap(r: YearRules, y: int, pol: PolicyInputs) -> float | None:
        """The CO2-intensity milestone of year y (tCO2 per 10k CNY) on the straight path from
        the period's base year to the target."""
        if not r.enforce_co2_intensity or pol.co2_base is None:
            return None
        base_year, base_int, city_pct = pol.co2_base
        pct = r.co2_intensity_reduction_pct if r.co2_intensity_reduction_pct is not None else city_pct
        target_year = r.co2_target_year or base_year + 5
        progress = min(max((y - base_year) / max(target_year - base_year, 1), 0.0), 1.0)
        return base_int * (1 - pct / 100 * progress)

    def _outlook(self, o: Outlook) -> CityOutlook:
        return CityOutlook(
            electricity_twh=tuple(o.electricity_mwh / MEGA),
            fossil_final_mtce={Carrier(c): tuple(o.fossil_final_tce[c] / MEGA) for c in FUELS},
            feedstock_mtce=tuple(o.feedstock_tce / MEGA),
            gdp_bn=tuple(o.gdp_bn),
        )

    def build_input(
        self, city: CityAgent, outlook: Outlook, pol: PolicyInputs, dispatch_only: bool = False
    ) -> PlannerInput:
        """The city's LP input: data-derived parts, its current fleet, potentials and policy."""
        years = outlook.years
        state = city.state
        techs = set(state.old_mw) | set(state.new_mw) | set(state.storage_mw)
        existing = {t: state.capacity(t) / KILO for t in techs}
        existing.update({t: mw / KILO for t, mw in state.storage_mw.items()})
        inp = planner_input(
            self.base,
            city.city_id,
            tuple(years),
            self._outlook(outlook),
            self._policy(outlook, pol, city),
            n_days=self.scenario.planner.n_days,
            existing_gw=existing,
            potentials_used_gw={k: mw / KILO for k, mw in city.built_by_land.items()},
            prices=self.scenario.prices,
        )
        opened = (pol.rules.land_classes or frozenset()) | (
            frozenset(lc for _, lc in inp.potentials) - POLICY_LAND_CLASSES
        )
        pots = {k: (v if k[1] in opened else 0.0) for k, v in inp.potentials.items()}
        progs = []
        for p in inp.programmes:
            sector, kind = p.name.split(":")
            pot = 0.0 if dispatch_only else outlook.programme_potential_tce.get((sector, kind), 0.0) / MEGA
            shares = outlook.programme_carrier_shares.get((sector, kind))
            progs.append(
                replace(
                    p,
                    potential_mtce=(pot,) * len(years),
                    existing_mtce=0.0,
                    carrier_shares={Carrier(c): v for c, v in shares.items()} if shares else p.carrier_shares,
                    feedstock_share=outlook.programme_feedstock_share.get((sector, kind), 0.0),
                )
            )
        gens, stores = inp.generators, inp.storage
        # storage efficiency held at its first value per city: it sits in hourly rows, and a
        # yearly change (0.906 -> 0.920 for batteries over 2021-25) would force a rebuild
        pinned = self._storage_efficiency.setdefault(city.city_id, {x.name: x.efficiency for x in stores})
        # exports limited by the 2020 fleet's surplus over peak: new local capacity built for
        # the city's own needs must not open a larger export channel for its coal plants
        export_gw = self._export_limit.setdefault(city.city_id, inp.market.export_limit_gw)
        # net import moves from last year's realised flow at the trade pace (the base year has none)
        prev = None if dispatch_only or city.last_net_import_mwh is None else city.last_net_import_mwh / MEGA
        # gross export stays within the base year's: contracts and lines, not the city's plan
        cap = None if dispatch_only else self._export_twh.get(city.city_id)
        market = replace(inp.market, export_limit_gw=export_gw, net_import_prev_twh=prev, export_cap_twh=cap)
        inp = replace(inp, market=market)
        stores = tuple(replace(x, efficiency=pinned.get(x.name, x.efficiency)) for x in stores)
        # wind and PV build pace: a share of the potential on the land that is open (the
        # baseline's land; the pv_storage lever opens more, and with it a faster pace)
        share = self.base.param("build_rate_share_of_potential")
        open_pot: dict[str, float] = {}
        for (t, _), v in pots.items():
            open_pot[t] = open_pot.get(t, 0.0) + v
        gens = tuple(
            replace(g, build_limit_gw=share * open_pot[g.name])
            if g.kind == "vre" and g.buildable and g.name in open_pot
            else g
            for g in gens
        )
        if not self.new_coal_allowed(city, years[0]):
            gens = tuple(replace(g, buildable=False) if g.name == "coal" else g for g in gens)
        elif years[0] >= self.base.constant("new_coal_adequacy_only_from"):
            gens = tuple(replace(g, adequacy_only=True) if g.name == "coal" else g for g in gens)
        if dispatch_only:  # nothing can be built: limits to zero, same model structure as later
            gens = tuple(replace(g, build_limit_gw=0.0) if g.buildable else g for g in gens)
            stores = tuple(replace(x, build_limit_gw=0.0) if x.buildable else x for x in stores)
            pots = {k: 0.0 for k in pots}
            # the base year reproduces the 2020 dispatch: fossil plants run their plan hours
            gens = tuple(
                replace(g, plan_floor_hours=g.full_load_hours)
                if g.kind == "fossil" and g.full_load_hours is not None
                else g
                for g in gens
            )
        policy = inp.policy
        if policy.storage_charges_from_vre and not any(
            v > 0 for (_, lc), v in pots.items() if lc in (policy.storage_land_classes or ())
        ):  # no base land in this city: nothing to couple its batteries with
            policy = replace(policy, storage_charges_from_vre=False)
        # coal retrofitted for flexibility in earlier years (kept on the units still running)
        flex_gw = min(state.coal_flexible_mw, state.capacity("coal")) / KILO
        return replace(
            inp,
            generators=gens,
            storage=stores,
            potentials=pots,
            programmes=tuple(progs),
            policy=policy,
            existing_flex_gw=flex_gw,
        )

    # ------------------------------------------------------------------- solve
    def solve(self, city_id: str, inp: PlannerInput) -> PlannerResult:
        """Solve, re-using the city's model when only parameters changed.

        Within a run each solve starts from last year's basis. Between runs only the LP
        template is shared (built once per process, see :mod:`zonesim.planner.standard`):
        every run loads it into a fresh HiGHS instance for its base year, so a run never
        starts from another run's basis and its numbers do not depend on run order.
        """
        self.last_input[city_id] = inp
        planner = self._planners.get(city_id)
        if planner is None:
            planner = self._planners[city_id] = Planner(inp)
        else:
            planner.update(inp)
        return planner.solve()

    def plan(self, city: CityAgent, outlook: Outlook, pol: PolicyInputs) -> PlanOutcome:
        """Plan the city's years from now to the target year; return the first year's outcome."""
        inp = self.build_input(city, outlook, pol)
        res = self.solve(city.city_id, inp)
        if res.status == "infeasible" and math.isfinite(inp.market.trade_pace):
            # a lever that removes most local supply or demand at once (e.g. every coal unit
            # retired in one year) can leave no plan within the trade pace: trade then moves
            # as far as the hourly limits allow this year, and the plan says so
            inp = replace(inp, market=replace(inp.market, trade_pace=math.inf))
            res = self.solve(city.city_id, inp)
            out = outcome(res, inp)
            out.messages.append(
                f"{city.city_id} {outlook.years[0]}: no plan within the trade pace; trade changed "
                "beyond it this year (hourly import and export limits still hold)"
            )
            return out
        return outcome(res, inp)

    def dispatch_base_year(self, city: CityAgent, outlook: Outlook, pol: PolicyInputs) -> PlanOutcome:
        """Dispatch the existing fleet against the base year's demand (nothing can be built).

        Inputs are rounded to 10 significant digits; the dispatch is solved without the costs
        of building (nothing can be built, so they cannot change which dispatch is cheapest)
        and kept per process by the LP's own numbers. A batch thus solves each city's base
        year once, also across technology-cost samples, and a run's result does not depend
        on which runs the process did before.
        """
        outlook = replace(
            outlook,
            electricity_mwh=np.array(_rounded(outlook.electricity_mwh)),
            fossil_final_tce={c: np.array(_rounded(v)) for c, v in outlook.fossil_final_tce.items()},
            feedstock_tce=np.array(_rounded(outlook.feedstock_tce)),
            gdp_bn=np.array(_rounded(outlook.gdp_bn)),
        )
        inp = self.build_input(city, outlook, pol, dispatch_only=True)
        self.last_input[city.city_id] = inp
        # the run's model: loaded from this (rounded) input into a fresh HiGHS instance and
        # taken to the next year by a parameter update, starting cold, in every run
        self._planners[city.city_id] = Planner(inp)
        lp = _without_build_costs(inp)
        key = (city.city_id, lp.years, fingerprint(lp))
        if key not in _BASE_DISPATCH:
            if len(_BASE_DISPATCH) >= BASE_DISPATCH_CACHE_SIZE:
                _BASE_DISPATCH.pop(next(iter(_BASE_DISPATCH)))
            _BASE_DISPATCH[key] = outcome(Planner(lp).solve(), lp)
        out = copy.deepcopy(_BASE_DISPATCH[key])
        self._export_twh[city.city_id] = out.export_mwh / MEGA
        return out


def _without_build_costs(inp: PlannerInput) -> PlannerInput:
    """The input with every capital cost at zero (for a dispatch in which nothing can be built)."""
    return replace(
        inp,
        generators=tuple(replace(g, capex=0.0, capex_annual=0.0) for g in inp.generators),
        storage=tuple(replace(s, capex=0.0, capex_annual=0.0) for s in inp.storage),
    )
